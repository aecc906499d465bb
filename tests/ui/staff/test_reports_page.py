"""Reports and data: every patient's PDF, exports and imports run in the background and say what they did;
an administrator alone sees the import."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.trusted import as_system
from tests.ui.background import click_and_finish

pytestmark = pytest.mark.gui


@pytest.fixture
def reports(signed_in):
    def open_as(username: str):
        return signed_in(username).workspace.open_page("reports")

    return open_as


def test_a_surgeon_writes_every_patients_pdf_into_a_folder(reports, tmp_path, monkeypatch, qtbot) -> None:
    page = reports("sam")
    assert not page.import_box.isVisible() and page.export_box.isVisible()
    monkeypatch.setattr(page, "choose_folder", lambda title: tmp_path / "pdfs")
    click_and_finish(qtbot, page.pdf_button)
    written = sorted(path.name for path in (tmp_path / "pdfs").iterdir())
    assert len(written) == 6 and "K-001.pdf" in written  # everyone operated on
    assert (tmp_path / "pdfs" / "K-001.pdf").read_bytes().startswith(b"%PDF")
    assert page.outcome.text() == f"6 patient reports written in {tmp_path / 'pdfs'}."


def test_an_export_goes_where_chosen(reports, tmp_path, monkeypatch, qtbot) -> None:
    page = reports("sam")
    monkeypatch.setattr(page, "choose_folder", lambda title: tmp_path / "export")
    click_and_finish(qtbot, page.export_button)
    assert any((tmp_path / "export").iterdir())
    assert page.outcome.text() == f"Exported to {tmp_path / 'export'}."


def test_an_import_with_a_bad_line_lists_the_problems_and_imports_nothing(reports, tmp_path, monkeypatch,
                                                                          staff_clinic, qtbot) -> None:
    page = reports("ada")
    assert page.import_box.isVisible()
    good = "mrn,family_name,given_name,surgery_date\nI-001,Imported,Ines,2024-05-01\n"
    bad = good + "I-002,Imported,Igor,2024-02-30\n"
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    monkeypatch.setattr(page, "choose_files", lambda title, pattern: [tmp_path / "bad.csv"])
    seen: list[str] = []

    def read_box() -> None:  # the box comes after the background check: wait for it
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(10, read_box)
            return
        seen.append(boxes[0].detailedText())
        boxes[0].accept()

    QTimer.singleShot(0, read_box)
    click_and_finish(qtbot, page.import_button)
    assert seen and "bad.csv" in seen[0] and "line 3" in seen[0]
    assert page.outcome.text() == "Nothing was imported: 1 problem to fix in the files."
    assert as_system(staff_clinic).patients.by_mrn("I-001") is None
    monkeypatch.setattr(page, "choose_files", lambda title, pattern: [tmp_path / "good.csv"])
    click_and_finish(qtbot, page.import_button)
    assert page.outcome.text() == "Imported 1 patient and 0 questionnaires."
    assert as_system(staff_clinic).patients.by_mrn("I-001") is not None
