"""Procedures from the patient's record, with the mouse and the keyboard: correct one, withdraw one
recorded by mistake (a reason required, the schedule follows), record the staged second side; a second
procedure on the same side soon after the index one asks first and offers the staged second side."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from sijpro.records import PatientDraft, ProcedureDraft
from tests.trusted import as_system
from tests.ui.staff.clicks import click, click_row
from tests.ui.staff.setup import TODAY
from ui.staff.procedure_actions import ActionDialog
from ui.staff.procedure_dialog import ProcedureDialog

pytestmark = pytest.mark.gui

SURGERY = TODAY - dt.timedelta(days=30)


def type_into(field, text: str) -> None:
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, text)


@pytest.fixture
def record(signed_in, staff_clinic):
    patient = as_system(staff_clinic).patients.register(PatientDraft("S-PROC", "Procedures", "Paula",
                                                          birth_date=dt.date(1960, 1, 1)))
    as_system(staff_clinic).procedures.record(patient.id, ProcedureDraft(SURGERY, side="left", approach="lateral"))
    window = signed_in("nina")
    page = window.workspace.open_page("patients")
    page.show_patient(patient.id)
    return page.record


def driven(monkeypatch, dialog_class, steps) -> list:
    """Dialogs of ``dialog_class`` shown and driven by ``steps`` (real clicks and keys) instead of waiting."""
    seen = []

    def exec_(dialog) -> int:
        dialog.show()
        seen.append(dialog)
        steps(dialog)
        return int(dialog.result())

    monkeypatch.setattr(dialog_class, "exec", exec_)
    return seen


def test_withdraw_needs_a_reason_then_removes_the_schedule(record, staff_clinic, monkeypatch) -> None:
    procedures = record.procedure_list
    assert procedures.model.rowCount() == 1 and record.timeline.model.rowCount() == 6
    problems = []

    def withdraw(dialog: ActionDialog) -> None:
        click(dialog.ok)
        problems.append(dialog.form.problem("reason"))
        type_into(dialog.form.fields["reason"][0], "recorded on the wrong patient")
        click(dialog.ok)

    seen = driven(monkeypatch, ActionDialog, withdraw)
    click_row(procedures.table, 0)
    click(procedures.buttons["withdraw"])
    assert problems == ["Say why you make this change: it is kept in the audit trail."] and seen[0].saved is not None
    assert procedures.model.data(procedures.model.index(0, 0)) == "Withdrawn: recorded on the wrong patient"
    assert record.timeline.model.rowCount() == 0 and not record.buttons["reschedule"].isEnabled()
    assert not procedures.buttons["withdraw"].isEnabled() and not procedures.buttons["correct"].isEnabled()
    assert as_system(staff_clinic).schedule.timeline(record.patient.id) == []


def test_the_staged_second_side_from_the_record(record, staff_clinic, monkeypatch) -> None:
    second = SURGERY + dt.timedelta(days=21)
    driven(monkeypatch, ActionDialog,
           lambda d: (type_into(d.form.fields["second_side_date"][0], second.isoformat()), click(d.ok)))
    click(record.procedure_list.buttons["second_side"])
    [index] = as_system(staff_clinic).procedures.for_patient(record.patient.id)
    assert (index.side, index.second_side_date) == ("bilateral", second)
    assert not record.procedure_list.buttons["second_side"].isEnabled()  # already recorded


def test_correcting_a_procedure_needs_a_reason(record, staff_clinic, monkeypatch) -> None:
    def correct(dialog: ProcedureDialog) -> None:
        type_into(dialog.device, "iFuse-3D")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert dialog.form.problem("reason") == "Say why you make this change: it is kept in the audit trail."
        type_into(dialog.reason, "device read from the implant card")
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))

    driven(monkeypatch, ProcedureDialog, correct)
    click(record.procedure_list.buttons["correct"])
    assert as_system(staff_clinic).procedures.for_patient(record.patient.id)[0].device == "iFuse-3D"


def answer_same_side_question(choice: str, seen: list[str]) -> None:
    """Click ``choice`` in the question box as soon as it shows."""
    def answer() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        click(box.findChild(QPushButton, choice))
    QTimer.singleShot(0, answer)


@pytest.mark.parametrize("choice", ["sameSideStaged", "sameSideConfirm"])
def test_the_same_side_soon_after_asks_and_offers_the_staged_second_side(record, staff_clinic, monkeypatch,
                                                                        choice) -> None:
    again = SURGERY + dt.timedelta(days=25)
    seen: list[str] = []

    def add(dialog: ProcedureDialog) -> None:
        type_into(dialog.surgery_date, again.isoformat())
        dialog.side.setCurrentIndex(dialog.side.findData("left"))
        answer_same_side_question(choice, seen)
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        if dialog.isVisible():
            dialog.close_buttons.rejected.emit()

    driven(monkeypatch, ProcedureDialog, add)
    click(record.buttons["procedure"])
    assert seen and f"The index surgery on {SURGERY} was on the left side too, 25 days apart" in seen[0]
    procedures = as_system(staff_clinic).procedures.for_patient(record.patient.id)
    if choice == "sameSideStaged":
        assert len(procedures) == 1 and procedures[0].side == "bilateral" and procedures[0].second_side_date == again
    else:
        assert [(p.side, p.is_index) for p in procedures] == [("left", True), ("left", False)]
    assert record.procedure_list.model.rowCount() == len(procedures)
