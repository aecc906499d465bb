"""Complications from the patient's record, with the mouse and the keyboard: record one (every problem
shown at its field first), correct it with a reason, withdraw one recorded by mistake; what is saved is
what the core holds, and the list shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from sijpro.records import PatientDraft, ProcedureDraft
from tests.trusted import as_system
from tests.ui.staff.clicks import click, click_row
from tests.ui.staff.setup import TODAY
from tests.ui.staff.test_procedure_corrections import driven, type_into
from ui.staff.complications import ComplicationDialog
from ui.staff.procedure_actions import ActionDialog

pytestmark = pytest.mark.gui

SURGERY = TODAY - dt.timedelta(days=60)
ONSET = TODAY - dt.timedelta(days=20)


@pytest.fixture
def record(signed_in, staff_clinic):
    patient = as_system(staff_clinic).patients.register(PatientDraft("S-COMP", "Complications", "Carla",
                                                          birth_date=dt.date(1958, 3, 1)))
    as_system(staff_clinic).procedures.record(patient.id, ProcedureDraft(SURGERY, side="right", approach="lateral"))
    window = signed_in("nina")
    page = window.workspace.open_page("patients")
    page.show_patient(patient.id)
    return page.record


def choose(combo, steps: int) -> None:
    """Arrow keys on a closed drop-down, as a nurse moving through the choices with the keyboard."""
    combo.setFocus()
    for _ in range(steps):
        QTest.keyClick(combo, Qt.Key.Key_Down)


def test_record_correct_and_withdraw_a_complication(record, staff_clinic, monkeypatch) -> None:
    view = record.complication_list
    assert view.isVisible() and view.empty.isVisible() and view.empty.text() == "No complication recorded."
    problems: list[dict[str, str]] = []

    def first(dialog: ComplicationDialog) -> None:
        type_into(dialog.occurred_on, (TODAY + dt.timedelta(days=1)).isoformat())
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        problems.append({name: dialog.form.problem(name) for name in ("occurred_on", "kind")})
        type_into(dialog.occurred_on, ONSET.isoformat())
        choose(dialog.kind, 5)  # Choose…, wound, deep, malposition, nerve, haematoma
        click(dialog.revision)
        type_into(dialog.notes, "evacuated in theatre")
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))

    seen = driven(monkeypatch, ComplicationDialog, first)
    click(view.buttons["record"])
    assert problems[0]["occurred_on"] and "future" in problems[0]["occurred_on"]
    assert problems[0]["kind"], problems
    assert seen[0].saved is not None
    [saved] = as_system(staff_clinic).complications.for_patient(record.patient.id)
    assert (saved.occurred_on, saved.kind, saved.revision, saved.notes, saved.side) == (
        ONSET, "haematoma", True, "evacuated in theatre", None)
    assert view.table.isVisible() and view.model.rowCount() == 1
    assert [view.model.data(view.model.index(0, column)) for column in range(4)] == [
        ONSET.isoformat(), "Haematoma", "Not known", "Yes"]

    reasons: list[str] = []

    def correct(dialog: ComplicationDialog) -> None:
        choose(dialog.side, 2)  # Not known, left, right
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))
        reasons.append(dialog.form.problem("reason"))
        type_into(dialog.reason, "side read from the operation note")
        click(dialog.buttons.button(dialog.buttons.StandardButton.Save))

    driven(monkeypatch, ComplicationDialog, correct)
    click_row(view.table, 0)
    click(view.buttons["correct"])
    assert reasons == ["Say why you make this change: it is kept in the audit trail."]
    [corrected] = as_system(staff_clinic).complications.for_patient(record.patient.id)
    assert corrected.side == "right" and corrected.row_version == 2
    trail = as_system(staff_clinic).audit.events(entity="complication", entity_id=corrected.id)
    [event] = [e for e in trail if e.field]
    assert (event.field, event.new, event.reason, event.actor) == (
        "side", "right", "side read from the operation note", "nina")

    driven(monkeypatch, ActionDialog,
           lambda d: (type_into(d.form.fields["reason"][0], "entered on the wrong patient"), click(d.ok)))
    click_row(view.table, 0)
    click(view.buttons["withdraw"])
    assert view.model.data(view.model.index(0, 1)) == "Haematoma (withdrawn: entered on the wrong patient)"
    assert not view.buttons["withdraw"].isEnabled() and not view.buttons["correct"].isEnabled()
    assert as_system(staff_clinic).complications.for_patient(record.patient.id, withdrawn=False) == []
