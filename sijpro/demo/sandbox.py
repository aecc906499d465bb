"""A demo clinic of its own, to explore the desktop without touching the real database.

The first-run wizard offers it: a separate SQLite file in the user data folder, filled with a synthetic
cohort and three demo accounts (one per role) whose password is shown on the sign-in screen. It is built
in a file beside its final name and renamed only when complete, so a cancel or a crash never leaves half a
demo behind; once built, it is simply reopened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sijpro.demo.cohort import generate_demo_cohort
from sijpro.progress import Progress, no_progress
from sijpro.records import Role
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import Clock, FixedClock
from sijpro.storage import process_lock
from sijpro.storage.engine import create_sqlite_file
from sijpro.storage.location import demo_database_path

DEMO_PATIENTS = 300
DEMO_SEED = 2024
DEMO_PASSWORD = "explore the demo"
"""Shown on screen: the demo holds synthetic patients only."""
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("demo-admin", "Demo Administrator", "admin"),
    ("demo-surgeon", "Demo Surgeon", "surgeon"),
    ("demo-nurse", "Demo Nurse", "nurse"),
)
DEMO_CLINIC_NAME = "SIJ-PRO demo clinic"
GENERATING_SHARE = 25
"""Percent of the progress bar for drawing the cohort; loading it takes the rest."""


@dataclass(frozen=True)
class DemoAccount:
    path: Path
    username: str
    password: str


def create_demo_clinic(path: Path | None = None, *, patients: int = DEMO_PATIENTS, seed: int = DEMO_SEED,
                       today: dt.date | None = None, progress: Progress = no_progress) -> DemoAccount:
    """The demo database at ``path`` (default: the user data folder), built first if it does not exist.

    Progress goes from 0 to 100; a ``Cancelled`` raised by ``progress`` removes the unfinished file.
    """
    path = Path(path) if path is not None else demo_database_path()
    admin = DemoAccount(path, DEMO_USERS[0][0], DEMO_PASSWORD)
    if path.is_file():
        progress(100, 100)
        return admin
    partial = path.with_name(path.name + ".partial")
    _remove(partial)
    create_sqlite_file(partial)
    clock: Clock | None = FixedClock(today) if today is not None else None
    try:
        Clinic.init(str(partial), actor="demo", clock=clock)
        with Clinic.open(str(partial), clock=clock) as opened:
            clinic = opened.system_session("demo")  # the generator owns the file it builds
            progress(0, 100)
            batch = generate_demo_cohort(patients, seed, today=clinic.today, protocol=clinic.protocols.current(),
                                         progress=_share(progress, 0, GENERATING_SHARE))
            clinic.imports.load(batch, _share(progress, GENERATING_SHARE, 100))
            for username, full_name, role in DEMO_USERS:
                clinic.auth.add_user(username, full_name, role, DEMO_PASSWORD)
            clinic.settings.save(ClinicSettings(name=DEMO_CLINIC_NAME))
        partial.replace(path)
        process_lock.lock_path(partial).unlink(missing_ok=True)  # nobody opens the unfinished file again
    except BaseException:
        _remove(partial)
        raise
    progress(100, 100)
    return admin


def _share(progress: Progress, start: int, end: int) -> Progress:
    """A callback reporting one phase's (done, total) as percent ``start`` to ``end`` of the whole."""

    def report(done: int, total: int) -> None:
        progress(start + (end - start) * done // total if total else start, 100)

    return report


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                     process_lock.lock_path(path)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
