"""The right patient (or account) on every list: a mouse click on a row makes that row the one every
action uses, at once. Qt moves the current row before it updates the selection, so a page that read the
selection when the current row changed acted on the row clicked before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.staff.clicks import LEFT, click, click_row, double_click_row, row_index
from ui.kiosk.window import KioskWindow
from ui.staff.patient_dialog import PatientDialog
from ui.staff.procedure_dialog import ProcedureDialog

pytestmark = pytest.mark.gui


def patients_listed(window, text: str):
    page = window.workspace.open_page("patients")
    page.search.setText(text)
    page.run_search()
    assert page.results_model.rowCount() >= 3
    return page


def test_a_click_on_a_patient_shows_that_patient_and_every_action_uses_them(signed_in, monkeypatch, qtbot) -> None:
    window = signed_in("nina")
    page = patients_listed(window, "k-00")
    records = page.results_model.records()
    for row in (0, 2, 1):
        click_row(page.results, row)
        assert page.record.patient.id == records[row].id, f"row {row} clicked, another patient shown"
        assert page.record.name.text().startswith(records[row].family_name.upper())
    chosen = records[1]
    seen: list[tuple[str, int]] = []

    def capture(kind: str):
        def exec_(dialog) -> int:
            seen.append((kind, dialog.patient.id))
            return 0
        return exec_

    monkeypatch.setattr(PatientDialog, "exec", capture("edit"))
    monkeypatch.setattr(ProcedureDialog, "exec", capture("procedure"))
    click(page.record.buttons["edit"])
    click(page.record.buttons["procedure"])
    assert seen == [("edit", chosen.id), ("procedure", chosen.id)]
    click(page.record.buttons["paper"])
    assert window.workspace.current_key() == "paper" and window.workspace.page("paper").patient.id == chosen.id
    page = patients_listed(window, "k-00")
    click_row(page.results, 0)
    click_row(page.results, 2)
    click(page.record.buttons["hand_over"])
    kiosk = next(w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow) and w.isVisible())
    assert kiosk.runner.patient.id == records[2].id
    kiosk.runner.finished.emit()
    qtbot.waitUntil(window.isVisible)


def test_keys_and_a_deselecting_click_follow_the_highlight(signed_in) -> None:
    window = signed_in("nina")
    page = patients_listed(window, "k-00")
    records = page.results_model.records()
    click_row(page.results, 0)
    QTest.keyClick(page.results, Qt.Key.Key_Down)
    assert page.record.patient.id == records[1].id


def test_worklist_rows_act_on_the_clicked_patient(signed_in) -> None:
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    items = page.model.records()
    collectable = [row for row, item in enumerate(items) if item.can_collect]
    assert len(collectable) >= 2
    first, second = collectable[:2]
    click_row(page.table, first)
    click_row(page.table, second)
    assert page.selected().patient_id == items[second].patient_id
    click(page.paper_button)
    assert window.workspace.page("paper").patient.id == items[second].patient_id
    window.workspace.open_page("worklist")
    click_row(page.table, second)
    click_row(page.table, first)
    double_click_row(page.table, first)  # Open: the nurse's record of that patient
    assert window.workspace.current_key() == "patients"
    assert window.workspace.page("patients").record.patient.id == items[first].patient_id
    # a Ctrl+click on the highlighted row clears it: nothing is acted on
    window.workspace.open_page("worklist")
    click_row(page.table, first)
    QTest.mouseClick(page.table.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier,
                     page.table.visualRect(row_index(page.table, first)).center())
    assert page.selected() is None and not page.hand_over_button.isEnabled()


def test_paper_search_starts_the_forms_of_the_clicked_patient(signed_in) -> None:
    window = signed_in("nina")
    paper = window.workspace.open_page("paper")
    QTest.keyClicks(paper.search, "k-00")
    QTest.keyClick(paper.search, Qt.Key.Key_Return)
    records = paper.choices_model.records()
    assert len(records) >= 3
    click_row(paper.choices, 2)
    click_row(paper.choices, 1)
    QTest.keyClick(paper.choices, Qt.Key.Key_Return)
    assert paper.patient.id == records[1].id
    click(paper.change_button)
    QTest.keyClick(paper.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(paper.search, "k-00")
    QTest.keyClick(paper.search, Qt.Key.Key_Return)
    click_row(paper.choices, 0)
    double_click_row(paper.choices, 2)
    assert paper.patient.id == records[2].id


def test_users_actions_act_on_the_clicked_account(signed_in, monkeypatch) -> None:
    window = signed_in("ada")
    page = window.workspace.open_page("users")
    accounts = page.model.records()
    assert len(accounts) >= 3
    click_row(page.table, 0)
    click_row(page.table, 2)
    assert page.selected().username == accounts[2].username
    click(page.buttons["role"])
    assert page.dialog is not None and page.dialog.isVisible()
    assert (accounts[2].full_name or accounts[2].username) in page.dialog.intro.text()
    page.dialog.reject()
    QTest.mouseClick(page.table.viewport(), LEFT, Qt.KeyboardModifier.ControlModifier,
                     page.table.visualRect(row_index(page.table, 2)).center())
    assert page.selected() is None and not page.buttons["role"].isEnabled()
