"""Handing the tablet to a patient: the staff window hides, the kiosk runs that patient's questionnaires,
and the staff window comes back locked, in the staff's language."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.i18n import language
from ui.kiosk.window import KioskWindow, Mode

pytestmark = pytest.mark.gui


def kiosk_on_screen() -> KioskWindow:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow) and w.isVisible())


def test_hand_over_from_the_worklist_and_back_locked(signed_in, qtbot, ids, staff_clinic) -> None:
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    page.select_patient(ids["K-001"])  # Hélène Dupont answers in French
    page.hand_over_button.click()
    kiosk = kiosk_on_screen()
    assert not window.isVisible() and window.user is None
    assert kiosk.mode is Mode.PATIENT and kiosk.runner.patient.mrn == "K-001"
    tablet = kiosk.backend.inner.visit
    assert language() == "fr" and tablet.actor == "kiosk (nina)" and tablet.principal.patient_id == ids["K-001"]
    assert kiosk.backend.inner.nurse is None  # the tablet holds no nurse's session while the patient has it
    kiosk.runner.finished.emit()  # the patient submitted and was thanked
    qtbot.waitUntil(window.isVisible)
    assert not kiosk.isVisible()
    assert window.stack.currentWidget() is window.login and window.login.username.text() == "nina"
    assert window.login.notice.text() == "The tablet was with a patient. Sign in again to continue."
    assert language() == "en"


def test_a_kiosk_closed_by_the_window_system_also_brings_the_desk_back(signed_in, qtbot, ids) -> None:
    window = signed_in("nina")
    window.hand_over(ids["K-002"])
    kiosk = kiosk_on_screen()
    kiosk.close()
    qtbot.waitUntil(window.isVisible)
    assert window.user is None
    assert window.clinic.actor == "staff"  # failed sign-ins at the desk name nobody


def test_nothing_due_is_said_and_the_desk_stays(signed_in, ids) -> None:
    window = signed_in("nina")
    shown: list[str] = []

    def read_and_close() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        shown.append(box.text())
        box.accept()

    QTimer.singleShot(0, read_and_close)
    window.hand_over(ids["S-NEW"])
    assert shown == ["Nothing is due for this patient today: there is nothing to answer on the tablet."]
    assert window.isVisible() and window.user is not None
    assert window.session.actor == "nina"  # still at the desk: her own changes stay hers


def test_kiosk_mode_opens_the_locked_kiosk_until_a_nurse_leaves_it(signed_in, qtbot) -> None:
    window = signed_in("nina")
    window.menus.kiosk_action.trigger()
    kiosk = kiosk_on_screen()
    assert kiosk.mode is Mode.LOCKED and kiosk.kiosk_mode and not window.isVisible()
    kiosk.exit_requested.emit()
    qtbot.waitUntil(window.isVisible)
    assert window.user is None and not kiosk.isVisible()
