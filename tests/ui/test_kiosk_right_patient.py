"""The right patient: nothing chosen for the nurse, the most urgent first, a search typed on the
screen, and "this is me" (full name, birth date) before anything of the visit is opened."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from sijpro.records import PatientDraft, ProcedureDraft
from tests.trusted import as_system
from tests.ui.conftest import TODAY
from tests.ui.driver import choose_language, key, screen, tap, unlock
from ui.kiosk.patient_list import PATIENT_ID_ROLE
from ui.kiosk.screens import IdentityScreen, WelcomeScreen
from ui.kiosk.window import KioskWindow, Mode

pytestmark = pytest.mark.gui


@pytest.fixture
def overdue_id(kiosk_clinic) -> int:
    """Anne Zola, whose 3-month window closed two weeks ago: overdue, and last by name."""
    patient = as_system(kiosk_clinic).patients.register(
        PatientDraft("K-009", "Zola", "Anne", birth_date=dt.date(1949, 1, 30), language="en"))
    surgery = TODAY - relativedelta(months=3) - dt.timedelta(weeks=6)
    as_system(kiosk_clinic).procedures.record(patient.id, ProcedureDraft(surgery, side="right"))
    return patient.id


def listed(window: KioskWindow) -> list[int]:
    nurse = window.nurse_screen
    return [nurse.filter.index(row, 0).data(PATIENT_ID_ROLE) for row in range(nurse.filter.rowCount())]


def tap_row(window: KioskWindow, patient_id: int) -> None:
    nurse = window.nurse_screen
    row = listed(window).index(patient_id)
    rect = nurse.list.visualRect(nurse.filter.index(row, 0))
    QTest.mouseClick(nurse.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(rect.center()))
    QApplication.processEvents()


def texts(page) -> list[str]:
    return [label.text() for label in page.findChildren(QLabel) if label.isVisible()]


def test_nothing_is_chosen_for_the_nurse_and_the_overdue_come_first(make_kiosk, kiosk_db, overdue_id) -> None:
    ids = kiosk_db[1]
    window = make_kiosk()
    unlock(window)
    nurse = window.nurse_screen
    assert listed(window) == [overdue_id, ids["K-001"], ids["K-003"], ids["K-002"]]  # Zola, then by name
    assert "overdue" in nurse.filter.index(0, 0).data()
    assert not nurse.list.selectionModel().hasSelection() and not nurse.primary.isEnabled()
    tap(nurse.keyboard_button)  # the search typed on the screen's own keyboard
    for letter in "MAR":
        tap(nurse.keyboard.keys[letter])
    assert nurse.search.text() == "MAR" and listed(window) == [ids["K-003"]]
    assert not nurse.list.selectionModel().hasSelection() and not nurse.primary.isEnabled()  # one left: still a tap
    tap(nurse.keyboard.keys["erase"])
    tap(nurse.keyboard.keys["erase"])
    tap(nurse.keyboard.keys["erase"])
    assert len(listed(window)) == 4
    tap_row(window, ids["K-002"])
    assert nurse.selected_patient() == ids["K-002"] and nurse.primary.isEnabled()


def test_the_patient_confirms_who_they_are_before_anything_is_opened(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    ids = kiosk_db[1]
    window = make_kiosk()
    unlock(window)
    tap_row(window, ids["K-002"])
    tap(window.nurse_screen.primary)
    identity = screen(window)
    assert isinstance(identity, IdentityScreen)
    assert texts(identity) == ["Please check that this is you:", "John Smith", "Born on 23 November 1944"]
    key(window, Qt.Key.Key_Return)  # a key says nothing about who holds the tablet
    assert screen(window) is identity
    assert as_system(kiosk_clinic).collection.in_progress() == []  # nothing opened yet
    tap(identity.no)  # "No, call the nurse back"
    assert window.mode is Mode.LOCKED and window.runner is None
    assert window.locked_screen.notice.isVisible() and "someone else" in window.locked_screen.notice.text()
    assert as_system(kiosk_clinic).claims.active() == []  # the visit is free for the right tablet and patient
    assert as_system(kiosk_clinic).collection.in_progress() == []

    unlock(window)
    tap_row(window, ids["K-001"])  # Hélène Dupont reads French
    tap(window.nurse_screen.primary)
    identity = screen(window)
    assert texts(identity) == ["Veuillez vérifier qu’il s’agit bien de vous :", "Hélène Dupont",
                               "Né(e) le 2 mars 1950"]
    tap(identity.primary)  # "Oui, c'est moi"
    assert isinstance(screen(window), WelcomeScreen)
    choose_language(window, "fr")
    assert {r.instrument for r in as_system(kiosk_clinic).collection.in_progress()} == {
        "nrs", "odi", "sf12", "satisfaction", "relief"}
