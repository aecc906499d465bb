"""Drive the kiosk the way a nurse and a patient do: clicks and key presses on the real widgets."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from tests.ui.clinic_setup import NURSE_PIN
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import IdentityScreen, InstructionsScreen, ThanksScreen, WelcomeScreen
from ui.kiosk.window import KioskWindow, Mode


def tap(widget: QWidget) -> None:
    """A finger on the middle of the widget; refuses a widget the patient could not see or reach."""
    assert widget.isVisible(), f"{widget.accessibleName() or widget} is not on screen"
    assert widget.isEnabled(), f"{widget.accessibleName() or widget} is disabled"
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(widget.width() // 2, widget.height() // 2))
    QApplication.processEvents()


def key(window: QWidget, code: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press delivered where the keyboard focus is, as a real keyboard would."""
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, code, modifiers)
    QApplication.processEvents()


def unlock(window: KioskWindow, pin: str = NURSE_PIN, username: str = "") -> None:
    tap(window.locked_screen.primary)  # type: ignore[arg-type]
    if username:
        QTest.keyClicks(window.unlock_screen.username, username)
    QTest.keyClicks(window.unlock_screen.secret, pin)
    tap(window.unlock_screen.primary)  # type: ignore[arg-type]


def hand_over(window: KioskWindow, patient_id: int, *, confirm: bool = True) -> None:
    """From the nurse screen: pick the patient in the list and hand the tablet over; the patient then
    confirms "this is me" (unless ``confirm`` is False)."""
    assert window.mode is Mode.NURSE and window.nurse_screen is not None
    assert window.nurse_screen.select_patient(patient_id), f"patient {patient_id} is not in the list"
    tap(window.nurse_screen.primary)  # type: ignore[arg-type]
    assert window.mode is Mode.PATIENT
    if confirm:
        confirm_identity(window)


def confirm_identity(window: KioskWindow) -> None:
    page = screen(window)
    assert isinstance(page, IdentityScreen), f"expected the identity check, found {type(page).__name__}"
    tap(page.primary)  # type: ignore[arg-type]


def screen(window: KioskWindow) -> QWidget:
    assert window.runner is not None and window.runner.page is not None
    return window.runner.page


def choose_language(window: KioskWindow, code: str) -> None:
    welcome = screen(window)
    assert isinstance(welcome, WelcomeScreen)
    tap(welcome.language_buttons[code])


def next_button(window: KioskWindow) -> QPushButton:
    page = screen(window)
    assert isinstance(page, InstructionsScreen | QuestionScreen | ReviewScreen | ThanksScreen)
    assert page.primary is not None
    return page.primary


def answer(window: KioskWindow, value: int | None) -> None:
    """Tap the answer ``value`` (None: "prefer not to answer") on the current question, then Next."""
    page = screen(window)
    assert isinstance(page, QuestionScreen), f"expected a question, found {type(page).__name__}"
    tap(page.skip if value is None else page.choices[value])  # type: ignore[arg-type]
    tap(next_button(window))


def current_item(window: KioskWindow) -> str | None:
    page = screen(window)
    return page.item.code if isinstance(page, QuestionScreen) else None


def answer_until_review(window: KioskWindow, choose: object = None) -> list[tuple[str, int | None]]:
    """Answer every question from here to the review; ``choose(item)`` picks (default: the last option)."""
    given = []
    for _ in range(200):
        page = screen(window)
        if isinstance(page, ReviewScreen):
            return given
        if isinstance(page, InstructionsScreen):
            tap(next_button(window))
            continue
        assert isinstance(page, QuestionScreen)
        value = choose(page.item) if callable(choose) else page.item.kiosk_values()[-1]
        answer(window, value)
        given.append((page.item.code, value))
    raise AssertionError("never reached the review")
