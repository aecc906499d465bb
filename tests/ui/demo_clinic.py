"""A demo clinic (the demo generator's synthetic cohort) with one account per role, for the surgeon's and
admin's pages: built once per test session, copied for each test so every test starts from the same state.

Dialogs that would wait for a click are answered by the ``dialogs`` fixture, which also records them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from sijpro.demo import generate_demo_cohort
from sijpro.records import UserRecord
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.session import Session
from tests.trusted import trusted
from tests.ui.clinic_setup import cheap_hashing
from ui.i18n import set_language

TODAY = dt.date(2026, 1, 15)
SEED = 11
PATIENTS = 80
PASSWORD = "a long enough password"
ACCOUNTS = (("ada", "Ada Admin", "admin"), ("sam", "Sam Surgeon", "surgeon"), ("nina", "Nina Nurse", "nurse"))


def create_demo_clinic(url: str, patients: int = PATIENTS) -> None:
    clock = FixedClock(TODAY)
    Clinic.init(url, clock=clock)
    with trusted(url, "ada", clock=clock) as clinic, cheap_hashing():
        for username, name, role in ACCOUNTS:
            clinic.auth.add_user(username, name, role, PASSWORD)  # type: ignore[arg-type]
        clinic.imports.load(generate_demo_cohort(patients, SEED, today=TODAY, protocol=clinic.protocols.current()))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-template") / "clinic.sqlite"
    create_demo_clinic(str(path))
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo clinic's file (its WAL too, so nothing committed is left behind)."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    for part in demo_template.parent.glob(f"{demo_template.name}*"):
        shutil.copy(part, folder / part.name)
    return folder / demo_template.name


@pytest.fixture
def open_clinic(demo_path: Path) -> Iterator[Callable[[str], tuple[Session, UserRecord]]]:
    """``open_clinic(username)``: that user's session of the demo clinic (signed in with their password),
    and the user's record."""
    opened: list[Clinic] = []

    def make(username: str) -> tuple[Session, UserRecord]:
        clinic = Clinic.open(str(demo_path), clock=FixedClock(TODAY))
        opened.append(clinic)
        with cheap_hashing():
            session = clinic.sign_in(username, PASSWORD)
        assert session.user is not None
        return session, session.user

    yield make
    for clinic in opened:
        clinic.close()


@dataclass
class Dialogs:
    """Message boxes shown (icon, text); questions get ``answer``."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    answer: bool = True

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for shown_kind, text in self.shown if kind is None or shown_kind == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dialogs]:
    """English, cheap password hashing, and message boxes that record themselves instead of waiting."""
    seen = Dialogs()
    button = QMessageBox.StandardButton

    def record(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def show(parent: object, title: str, text: str, *args: object, **kwargs: object) -> QMessageBox.StandardButton:
            seen.shown.append((kind, text))
            if kind == "question":
                return button.Yes if seen.answer else button.No
            return button.Ok
        return show

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))
    set_language("en")
    with cheap_hashing():
        yield seen
    set_language("en")
