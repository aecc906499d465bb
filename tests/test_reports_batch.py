"""``report all`` as a function: one whole PDF per patient, same bytes on one process or several."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from sijpro.errors import UserError
from sijpro.progress import Cancelled
from sijpro.reports import patient_pdf
from sijpro.reports.batch import PageSettings, file_names, report_all
from tests.cohort_factory import make_cohort

SETTINGS = PageSettings(dt.datetime(2026, 1, 15, 9, 30), clinic="Clinique du Parc")


def test_one_pdf_per_patient_with_the_same_bytes_on_several_processes(tmp_path) -> None:
    cohort = make_cohort(18, seed=4)
    calls: list[tuple[int, int]] = []
    paths = report_all(cohort, tmp_path / "serial", SETTINGS, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert [p.name for p in paths] == [f"MRN{i:05d}.pdf" for i in range(1, 19)]
    assert calls[0] == (0, 18) and calls[-1] == (18, 18) and len(calls) == 19
    parallel = report_all(cohort, tmp_path / "parallel", SETTINGS, workers=2)
    for one, other, record in zip(paths, parallel, cohort, strict=True):
        assert one.read_bytes() == other.read_bytes() == patient_pdf(
            record, generated_at=SETTINGS.generated_at, clinic=SETTINGS.clinic)
    assert sorted(p.name for p in (tmp_path / "parallel").iterdir()) == sorted(p.name for p in paths)


def test_file_names_are_safe_and_distinct() -> None:
    cohort = make_cohort(3, seed=4)
    odd = [dataclasses.replace(r, patient=dataclasses.replace(r.patient, mrn=mrn))
           for r, mrn in zip(cohort, ("../etc/passwd", "A B", "A/B"), strict=True)]
    assert file_names(odd) == ["etc_passwd.pdf", "A_B.pdf", "A_B-3.pdf"]


def test_cancel_leaves_only_whole_reports(tmp_path) -> None:
    cohort = make_cohort(8, seed=4)

    def stop_after_three(done: int, total: int) -> None:
        if done == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        report_all(cohort, tmp_path, SETTINGS, workers=1, progress=stop_after_three)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MRN00001.pdf", "MRN00002.pdf", "MRN00003.pdf"]


def test_a_file_where_the_folder_should_be_is_refused(tmp_path) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="reports"):
        report_all(make_cohort(1), blocker, SETTINGS)


def test_from_a_thread_as_the_gui_calls_it(tmp_path) -> None:
    """A threaded caller gets fork-server workers (forking a threaded process can deadlock)."""
    cohort = make_cohort(4, seed=4)
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(report_all(cohort, tmp_path, SETTINGS, workers=2))
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    (paths,) = outcome
    assert isinstance(paths, list) and all(p.read_bytes().startswith(b"%PDF") for p in paths)
    assert len(paths) == 4
