"""What a nurse expects of a desktop: Ctrl+F goes to the page's search, F1 shows the page's guide, Ctrl+P
prints what the page shows (the day's worklist, the patient's trajectory), all from the keyboard."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.staff.setup import TODAY
from ui.i18n import set_language
from ui.staff import dashboard, worklist_page
from ui.staff.printing import PrintChoice

pytestmark = pytest.mark.gui


def active(window, qtbot):
    """The window in front, as the desk is when a nurse types (shortcuts go to the active window)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def press(window, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(QApplication.focusWidget() or window, key, modifiers)
    QApplication.processEvents()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_ctrl_f_goes_to_the_search_of_the_page_shown(signed_in, qtbot) -> None:
    window = active(signed_in("sam"), qtbot)
    for key, field in (("worklist", "search"), ("patients", "search"), ("paper", "search"), ("dashboard", "mrn")):
        page = window.workspace.open_page(key)
        window.workspace.navigation.setFocus()
        press(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert QApplication.focusWidget() is getattr(page, field), key


@pytest.mark.parametrize(("language", "title", "start"), [
    ("en", "Help: Worklist", "Who needs attention today."),
    ("fr", "Aide : Liste de travail", "Qui demande de l’attention aujourd’hui."),
])
def test_f1_shows_the_guide_of_the_page(signed_in, qtbot, language, title, start) -> None:
    set_language(language)
    window = active(signed_in("nina"), qtbot)
    press(window, Qt.Key.Key_F1)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert box.windowTitle().replace("\u00a0", " ") == title and box.text().startswith(start)
    box.close()


def test_ctrl_p_prints_the_days_worklist(signed_in, qtbot, monkeypatch, tmp_path: Path) -> None:
    target = tmp_path / "worklist.pdf"
    monkeypatch.setattr(worklist_page, "choose_printer", lambda parent, title: PrintChoice("", to_file=str(target)))
    window = active(signed_in("nina"), qtbot)
    page = window.workspace.page("worklist")
    press(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(target.exists)
    text = pdf_text(target)
    assert f"Worklist for {TODAY.day} Jun {TODAY.year}" in text
    for item in page.model.records():  # every patient listed, in the state the screen shows
        assert item.entry.patient.mrn in text
    overdue = page.model.records()[0].entry
    assert overdue.state.code == "overdue" and f"overdue ({overdue.state.days_late} d)" in text
    assert "Due now (4)" in text and "Recently missed (4)" in text


def test_ctrl_p_prints_the_patients_trajectory_on_the_dashboard(signed_in, qtbot, monkeypatch, tmp_path, ids) -> None:
    target = tmp_path / "trajectory.pdf"
    monkeypatch.setattr(dashboard, "choose_printer", lambda parent, title: PrintChoice("", to_file=str(target)))
    window = active(signed_in("sam"), qtbot)
    page = window.workspace.open_page("dashboard")
    page.show_patient(ids["K-001"])
    press(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(target.exists)
    assert "K-001" in pdf_text(target)
