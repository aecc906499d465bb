"""The clinic's slow file jobs, one call each, for the desk's buttons and the CLI alike: import CSV files
(all or nothing), and write every patient's trajectory PDF into a folder. Both report progress and stop
cleanly when the progress callback raises ``Cancelled``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sijpro.access import Capability
from sijpro.progress import Progress, no_progress
from sijpro.services.imports import ImportSummary
from sijpro.services.session import Session


def import_files(clinic: Session, paths: Iterable[Path], progress: Progress = no_progress) -> ImportSummary:
    """Check every file (InputErrors lists every problem with its file and line), then load them all."""
    from sijpro.exchange.import_csv import mrns_in_files, parse_import_files

    clinic.principal.require(Capability.IMPORT)  # before any file is read
    files = [Path(path) for path in paths]
    study = clinic.study.state()
    batch = parse_import_files(files, known_mrns=clinic.patients.registered(mrns_in_files(files)),
                               protocol=clinic.protocols.current(), today=clinic.today,
                               country=clinic.settings.load().country,
                               known_sites=study.sites, as_of=study.data_lock)
    return clinic.imports.load(batch, progress)


def patient_reports(clinic: Session, out_dir: Path, *, generated_at: dt.datetime, clinic_name: str = "",
                    language: str | None = None, page_size: str = "a4", workers: int | None = None,
                    progress: Progress = no_progress) -> list[Path]:
    """One PDF per patient in ``out_dir`` (each in the patient's own language when ``language`` is None)."""
    from sijpro.reports.batch import PageSettings, report_all

    clinic.principal.require(Capability.REPORTS)
    settings = PageSettings(generated_at, clinic_name, page_size, language, tuple(clinic.protocols.versions()))
    return report_all(clinic.outcomes.cohort(), Path(out_dir), settings, progress=progress, workers=workers)
