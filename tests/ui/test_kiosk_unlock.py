"""Unlock that patients cannot block: wrong PINs slow only the tablet they were typed on, with growing
waits; the keypad stays where it was; a user name can be typed on the screen; the refusals speak the
tablet's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.ui.clinic_setup import NURSE_PIN
from tests.ui.conftest import TODAY
from tests.ui.driver import choose_language, hand_over, tap
from ui.kiosk.clinic_backend import ClinicBackend
from ui.kiosk.window import KioskWindow, Mode

pytestmark = pytest.mark.gui


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def make_tablet(qtbot, kiosk_db, clock) -> Iterator:
    """Tablets on one clinic database, each with its own name and its own connection."""
    opened: list[Clinic] = []

    def make(device: str, language: str = "en") -> KioskWindow:
        clinic = Clinic.open(str(kiosk_db[0]), actor="kiosk", clock=clock)
        opened.append(clinic)
        window = KioskWindow(ClinicBackend(clinic, device), today=lambda: TODAY, default_language=language,
                             settle_seconds=0)
        qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "_may_close", True))
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for clinic in opened:
        clinic.close()


def type_pin(window: KioskWindow, pin: str) -> None:
    """On the keypad, as a nurse's (or a patient's) finger does, then Unlock."""
    if window.mode is Mode.LOCKED:
        tap(window.locked_screen.primary)
    for digit in pin:
        tap(window.unlock_screen.keys[digit])
    tap(window.unlock_screen.primary)


def keypad_places(window: KioskWindow) -> dict[str, QPoint]:
    return {key: button.mapTo(window, QPoint(0, 0)) for key, button in window.unlock_screen.keys.items()}


def test_a_patient_poking_digits_slows_one_tablet_and_locks_nobody_out(make_tablet, clock) -> None:
    tablet_a, tablet_b = make_tablet("tablet-A"), make_tablet("tablet-B")
    tap(tablet_a.locked_screen.primary)
    QApplication.processEvents()
    places = keypad_places(tablet_a)
    for attempt in ("1111", "2580", "9999"):
        type_pin(tablet_a, attempt)
        assert tablet_a.mode is Mode.UNLOCK
        assert keypad_places(tablet_a) == places  # the refusal did not move a key under the finger
    error = tablet_a.unlock_screen.error.text()
    assert "wait 5 s" in error and "user name" in error
    type_pin(tablet_a, NURSE_PIN)  # the nurse's right PIN, too soon: refused without being checked
    assert tablet_a.mode is Mode.UNLOCK and "wait" in tablet_a.unlock_screen.error.text()

    type_pin(tablet_b, NURSE_PIN)  # the tablet next to it is not slowed at all
    assert tablet_b.mode is Mode.NURSE

    screen = tablet_a.unlock_screen  # the user name typed on the screen's keyboard opens tablet A at once
    tap(screen.keyboard_button)
    assert screen.keyboard.isVisible() and not screen.keypad.isVisible()
    tap(screen.username)
    tap(screen.keyboard.shift)  # Shift: the next letter only in capitals
    for letter in "nina":
        tap(screen.keyboard.keys[letter])
    tap(screen.secret)
    for digit in NURSE_PIN:
        tap(screen.keyboard.keys[digit])
    assert (screen.username.text(), screen.secret.text()) == ("Nina", NURSE_PIN)
    tap(screen.primary)
    assert tablet_a.mode is Mode.NURSE

    tap(tablet_a.nurse_screen.back)  # lock again; the wait is over after its 5 s
    clock.set(clock.now() + dt.timedelta(seconds=5))
    type_pin(tablet_a, NURSE_PIN)
    assert tablet_a.mode is Mode.NURSE


def test_the_locked_and_unlock_screens_speak_the_tablets_language(make_tablet, kiosk_db, clock) -> None:
    tablet = make_tablet("tablette-salle-1", "fr")
    assert tablet.locked_screen.message.text() == "Veuillez remettre la tablette au personnel soignant."
    for attempt in ("1111", "2580", "9999"):
        type_pin(tablet, attempt)
    assert tablet.unlock_screen.error.text() == (
        "Code PIN ou mot de passe incorrect. Veuillez réessayer.\nTrop de codes PIN erronés sur cette "
        "tablette : attendez 5 s avant de réessayer, ou saisissez votre nom d’utilisateur avec le code.")
    clock.set(clock.now() + dt.timedelta(seconds=5))
    type_pin(tablet, NURSE_PIN)
    hand_over(tablet, kiosk_db[1]["K-002"])  # John Smith answers in English
    choose_language(tablet, "en")
    tap(tablet.runner.stop_button)
    tap(next(b for b in tablet.overlay.frame.findChildren(type(tablet.runner.stop_button))
             if b.isVisible() and b.text() == "Stop"))
    assert tablet.mode is Mode.LOCKED
    assert tablet.locked_screen.message.text() == "Veuillez remettre la tablette au personnel soignant."
