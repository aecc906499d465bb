"""The kiosk stays locked: no way out or past the lock without a nurse, idle time locks, answers survive."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from tests.trusted import as_system
from tests.ui.driver import answer, choose_language, confirm_identity, hand_over, key, next_button, screen, tap, unlock
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.screens import InstructionsScreen
from ui.kiosk.staff_screens import NurseScreen
from ui.kiosk.window import KioskWindow, Mode

pytestmark = pytest.mark.gui

PATIENT = 2  # John Smith in the test clinic


def first_answers(clinic) -> dict[str, int | None]:
    """What the database holds for the run's first questionnaire (NRS)."""
    return next(r.answers for r in as_system(clinic).collection.in_progress() if r.instrument == "nrs")


@pytest.fixture
def kiosk(make_kiosk, kiosk_clinic, kiosk_db):
    window = make_kiosk(idle_seconds=1.0, prompt_seconds=0.5)
    return window, kiosk_clinic


def in_a_run(window: KioskWindow, answers: int = 2) -> None:
    unlock(window)
    hand_over(window, PATIENT)
    choose_language(window, "en")
    tap(next_button(window))
    for value in range(answers):
        answer(window, value)


def test_wrong_pin_stays_locked_and_says_so(kiosk) -> None:
    window, _ = kiosk
    unlock(window, pin="9999")
    assert window.mode is Mode.UNLOCK
    assert window.unlock_screen.error.isVisible()
    assert window.unlock_screen.secret.text() == ""
    tap(window.unlock_screen.back)
    assert window.mode is Mode.LOCKED


def test_the_keypad_types_the_pin(kiosk) -> None:
    window, _ = kiosk
    tap(window.locked_screen.primary)
    pad = window.unlock_screen.keypad
    digits = {b.text(): b for b in pad.findChildren(QPushButton) if b.text().isdigit()}
    for digit in "24689":
        tap(digits[digit])
    erase = next(b for b in pad.findChildren(QPushButton) if b.accessibleName() == "Erase last digit")
    tap(erase)
    assert window.unlock_screen.secret.text() == "2468"
    tap(window.unlock_screen.primary)
    assert window.mode is Mode.NURSE


@pytest.mark.parametrize("mode", ["locked", "nurse", "patient"])
def test_close_escape_and_alt_f4_change_nothing(kiosk, mode) -> None:
    window, _ = kiosk
    if mode == "nurse":
        unlock(window)
    elif mode == "patient":
        in_a_run(window)
    before = (window.mode, window.current_screen())
    window.close()
    event = QCloseEvent()
    QApplication.sendEvent(window, event)
    assert not event.isAccepted()
    key(window, Qt.Key.Key_Escape)
    key(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    key(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    key(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()
    assert (window.mode, window.current_screen()) == before


def test_leaving_kiosk_mode_needs_an_unlock(kiosk, qtbot) -> None:
    window, _ = kiosk
    assert window.nurse_screen is None  # no exit button anywhere before an unlock
    window.leave()
    assert window.isVisible()
    unlock(window)
    with qtbot.waitSignal(window.exit_requested):
        tap(window.nurse_screen.exit_button)
    assert not window.isVisible()


def test_a_patient_sees_no_staff_screen_or_other_patient(kiosk) -> None:
    window, _ = kiosk
    in_a_run(window)
    assert window.nurse_screen is None  # destroyed at hand-over, not merely hidden
    shown = " ".join(w.text() for w in window.findChildren(QPushButton) if w.isVisible())
    assert "DUPONT" not in shown and "Hand over" not in shown and "Leave" not in shown
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(NurseScreen) == []
    assert not [w for w in window.findChildren(QWidget) if "DUPONT" in (w.accessibleName() or "")]


def test_idle_patient_is_asked_then_locked_with_answers_kept(kiosk, qtbot) -> None:
    window, clinic = kiosk
    in_a_run(window, answers=2)
    qtbot.waitUntil(window.overlay.isVisible, timeout=3000)
    assert window.overlay.title.text() == "Are you still there?"
    assert not window.stack.isEnabled()  # the question underneath is out of reach
    with qtbot.waitSignal(window.mode_changed, timeout=3000) as locked:
        pass
    assert locked.args == ["locked"] and window.runner is None
    assert first_answers(clinic) == {"lumbar": 0, "radicular": 1}
    # the resume steps below must not race the 1 s idle lock on a loaded machine
    window.idle.timer.setInterval(60_000)
    unlock(window)
    assert list(window.nurse_screen.resume_buttons) == [PATIENT]  # offered to resume
    tap(window.nurse_screen.resume_buttons[PATIENT])
    confirm_identity(window)
    choose_language(window, "en")
    assert isinstance(screen(window), InstructionsScreen)  # ODI not started yet: its instructions first
    tap(next_button(window))
    assert isinstance(screen(window), QuestionScreen) and screen(window).item.code == "odi1"


def test_a_patient_still_there_continues_where_they_were(kiosk, qtbot) -> None:
    window, _ = kiosk
    in_a_run(window, answers=1)
    qtbot.waitUntil(window.overlay.isVisible, timeout=3000)
    continue_button = window.overlay.findChildren(QPushButton)[-1]
    tap(continue_button)
    assert not window.overlay.isVisible() and window.mode is Mode.PATIENT
    assert screen(window).item.code == "radicular"
    assert window.idle.running


def test_idle_nurse_screen_locks_without_asking(kiosk, qtbot) -> None:
    window, _ = kiosk
    unlock(window)
    with qtbot.waitSignal(window.mode_changed, timeout=3000) as changed:
        pass
    assert changed.args == ["locked"] and window.nurse_screen is None
    assert not window.overlay.isVisible()


def test_activity_postpones_the_idle_prompt(make_kiosk, qtbot) -> None:
    # 3 s of idle time, not the other tests' 1 s: getting to the first question takes several taps, and on
    # a loaded machine two of them can be more than 1 s apart, which is idleness this test is not about
    window = make_kiosk(idle_seconds=3.0, prompt_seconds=0.5)
    in_a_run(window, answers=0)
    assert not window.overlay.isVisible()
    for _ in range(10):  # 5 s in all, well past the idle time, but never more than 0.5 s without a key
        qtbot.wait(500)
        key(window, Qt.Key.Key_Tab)
    assert not window.overlay.isVisible()
    qtbot.waitUntil(window.overlay.isVisible, timeout=10_000)  # and with no key, the prompt does come


def test_stop_asks_first_and_keeps_the_answers(kiosk) -> None:
    window, clinic = kiosk
    in_a_run(window, answers=1)
    tap(window.runner.stop_button)
    assert window.overlay.isVisible()
    keep = window.overlay.findChildren(QPushButton)[-2]
    tap(keep)
    assert window.mode is Mode.PATIENT
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(QPushButton)[-1])
    assert window.mode is Mode.LOCKED
    assert first_answers(clinic) == {"lumbar": 0}


def test_the_audit_trail_names_the_nurse_who_unlocked_the_kiosk_for_the_answers(kiosk) -> None:
    window, clinic = kiosk
    before = as_system(clinic).audit.events()[-1].id
    unlock(window, pin="9999")
    assert window.mode is Mode.UNLOCK and clinic.actor == "kiosk"  # refused: no nurse to name
    tap(window.unlock_screen.back)
    in_a_run(window, answers=2)
    events = [event for event in as_system(clinic).audit.events() if event.id > before]
    unlocks = [(event.new, event.actor) for event in events if event.field == "sign_in"]
    assert unlocks == [("wrong PIN alone", "kiosk"), ("PIN alone accepted", "kiosk")]
    answered = [event for event in events if event.field != "sign_in"]
    assert {event.entity for event in answered} >= {"response", "visit"}
    assert {event.actor for event in answered} == {"kiosk (nina)"}
