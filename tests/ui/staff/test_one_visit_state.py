"""One visit state on every screen, driven with the mouse: the worklist, the patient's record, the
surgeon's dashboard and the tablet hand-over say the same of each visit (DESIGN.md "Visit state")."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from sijpro.instruments import get_instrument
from sijpro.records import PatientDraft, ProcedureDraft
from sijpro.services.clinic import Clinic
from tests.trusted import as_system
from tests.ui.staff.clicks import click, click_row, double_click_row, rows_showing
from tests.ui.staff.setup import TODAY
from ui.kiosk.window import KioskWindow

pytestmark = pytest.mark.gui

BOTH_OPEN = TODAY - dt.timedelta(days=80)
"""Operated 80 days ago: the 6-week window closed 24 days ago and the 3-month window opened 2 days ago."""
JUST_OPERATED = TODAY - dt.timedelta(days=17)
M3 = ("nrs", "odi", "sf12", "satisfaction", "relief")


def operate(clinic: Clinic, mrn: str, family: str, surgery: dt.date) -> int:
    patient = clinic.patients.register(PatientDraft(mrn, family, "Test", birth_date=dt.date(1955, 3, 3)))
    clinic.procedures.record(patient.id, ProcedureDraft(surgery, side="left", approach="lateral"))
    return patient.id


def column(view, key: str) -> int:
    return [c.title_key for c in view.model().columns].index(key)


def test_one_timepoint_is_handed_over_and_every_screen_agrees(signed_in, staff_clinic, qtbot) -> None:
    operate(as_system(staff_clinic), "S-BOTH", "Twovisits", BOTH_OPEN)
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    mrn_column = column(page.table, "staff.worklist.col.mrn")
    rows = rows_showing(page.table, "S-BOTH", mrn_column)
    assert len(rows) == 1, "the overdue 6-week visit and the due 3-month visit listed together"
    status = page.table.model().index(rows[0], column(page.table, "staff.worklist.col.status")).data()
    assert status == "Due now"
    click_row(page.table, rows[0], mrn_column)
    click(page.hand_over_button)
    kiosk = next(w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow) and w.isVisible())
    planned = [p.instrument for p in kiosk.runner.flow.planned]
    assert planned == list(M3), "more than one timepoint's questionnaires stacked on the tablet"
    assert kiosk.runner.flow.total_questions == sum(len(get_instrument(code).asked_items) for code in M3)
    kiosk.runner.finished.emit()
    qtbot.waitUntil(window.isVisible)


def test_the_record_and_dashboard_say_what_the_worklist_says(signed_in, staff_clinic) -> None:
    patient_id = operate(as_system(staff_clinic), "S-LATE", "Overdueone", TODAY - dt.timedelta(days=3 * 30 + 2 + 56))
    worklist = as_system(staff_clinic).schedule.worklist(TODAY)
    [entry] = [e for e in worklist.overdue if e.patient.id == patient_id]
    window = signed_in("sam")  # the surgeon: the worklist's Open goes to the dashboard
    page = window.workspace.page("worklist")
    mrn_column = column(page.table, "staff.worklist.col.mrn")
    [row] = rows_showing(page.table, "S-LATE", mrn_column)
    status = page.table.model().index(row, column(page.table, "staff.worklist.col.status")).data()
    assert status == f"Overdue {entry.days_late} d"
    double_click_row(page.table, row, mrn_column)
    dashboard = window.workspace.page("dashboard")
    assert window.workspace.current_key() == "dashboard" and dashboard.outcomes.patient.id == patient_id
    states = {dashboard.timeline_model.index(r, 0).data(): dashboard.timeline_model.index(r, 4).data()
              for r in range(dashboard.timeline_model.rowCount())}
    assert states["3 months"] == f"OVERDUE ({entry.days_late} d)"  # not "MISSING"
    assert states["6 weeks"] == "MISSING" and states["Before surgery"] == "MISSING"


def test_no_baseline_is_offered_after_surgery(signed_in, staff_clinic) -> None:
    patient_id = operate(as_system(staff_clinic), "S-POSTOP", "Justoperated", JUST_OPERATED)
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    mrn_column = column(page.table, "staff.worklist.col.mrn")
    assert rows_showing(page.table, "S-POSTOP", mrn_column) == []  # neither due nor overdue
    shown: list[str] = []

    def read_and_close() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        shown.append(box.text())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    window.hand_over(patient_id)
    assert shown and "Nothing is due" in shown[0]
    assert window.isVisible()
