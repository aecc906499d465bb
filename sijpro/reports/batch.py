"""Every patient's trajectory PDF into one folder (``report all``), on several processes when it pays.

Each file is written beside its target and renamed, so a crash or a cancel never leaves half a PDF:
the folder holds whole reports only. Workers are forked only from a single-threaded process: the GUI
calls this from a thread, and forking a threaded process can deadlock, so it gets a fork server.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from sijpro.errors import UserError
from sijpro.exchange.output import export_file
from sijpro.mrn import file_safe
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol
from sijpro.records import PatientOutcomes
from sijpro.reports.patient import patient_pdf

PARALLEL_FROM = 100
"""Below this many patients one process is about as fast as starting workers (measured in bench/)."""
CHUNK = 16


@dataclass(frozen=True)
class PageSettings:
    """What every page of a batch shares; picklable, so worker processes get it whole."""

    generated_at: dt.datetime
    clinic: str = ""
    size: str = "a4"
    language: str | None = None
    """None: each patient's own language."""
    protocols: tuple[Protocol, ...] = ()
    """Every protocol version the clinic has used; each patient is reported against their own."""

    def protocol_for(self, outcomes: PatientOutcomes) -> Protocol | None:
        for protocol in self.protocols:
            if (protocol.name, protocol.version) == (outcomes.protocol_name, outcomes.protocol_version):
                return protocol
        return self.protocols[-1] if self.protocols else None

    def render(self, outcomes: PatientOutcomes) -> bytes:
        return patient_pdf(outcomes, generated_at=self.generated_at, clinic=self.clinic, language=self.language,
                           size=self.size, protocol=self.protocol_for(outcomes))


def file_names(outcomes: Sequence[PatientOutcomes]) -> list[str]:
    """``<MRN>.pdf``, made safe for every file system; two MRNs that clean up alike get the patient id too."""
    names: list[str] = []
    taken: set[str] = set()
    for record in outcomes:
        stem = file_safe(record.patient.mrn) or f"patient-{record.patient.id}"
        name = f"{stem}.pdf"
        if name.lower() in taken:
            name = f"{stem}-{record.patient.id}.pdf"
        taken.add(name.lower())
        names.append(name)
    return names


def write_pdf(path: Path, data: bytes) -> None:
    with export_file(path) as temporary:
        temporary.write_bytes(data)


def _write_chunk(jobs: list[tuple[PatientOutcomes, str]], settings: PageSettings) -> int:
    for outcomes, path in jobs:
        write_pdf(Path(path), settings.render(outcomes))
    return len(jobs)


def report_all(
    outcomes: Sequence[PatientOutcomes],
    out_dir: Path,
    settings: PageSettings,
    *,
    progress: Progress = no_progress,
    workers: int | None = None,
) -> list[Path]:
    """Write one PDF per patient into ``out_dir`` (created if needed); returns the paths in input order.

    ``workers`` None chooses: one process for small cohorts, else one per core. ``progress`` may raise
    ``Cancelled``: the reports finished so far stay, whole, and the rest are not started.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # health data: its owner alone may list it
    except OSError as error:
        raise UserError(f"cannot create the folder {out_dir}: {error.strerror}") from None
    if not out_dir.is_dir():
        raise UserError(f"{out_dir} is not a folder")
    paths = [out_dir / name for name in file_names(outcomes)]
    jobs = [(record, str(path)) for record, path in zip(outcomes, paths, strict=True)]
    total = len(jobs)
    progress(0, total)
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if total >= PARALLEL_FROM else 1
    if workers <= 1:
        for done, job in enumerate(jobs, start=1):
            _write_chunk([job], settings)
            progress(done, total)
        return paths
    _in_processes(jobs, settings, workers, progress)
    return paths


def _context() -> multiprocessing.context.BaseContext:
    """Plain fork where it is safe (Linux, no other thread): the workers start in milliseconds with
    everything imported. Otherwise a fork server, whose one start-up import is shared by the workers."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sijpro.reports.patient"])
        return context
    return multiprocessing.get_context("spawn")


def _in_processes(jobs: list[tuple[PatientOutcomes, str]], settings: PageSettings, workers: int,
                  progress: Progress) -> None:
    total, done = len(jobs), 0
    chunks = [jobs[start:start + CHUNK] for start in range(0, total, CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        pending: set[Future[int]] = {pool.submit(_write_chunk, chunk, settings) for chunk in chunks}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()
                progress(done, total)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
