"""The review is never skipped: a double tap on the last Next, a hasty tap, or Enter never sends.

Taps here go to the window at a point on screen, through Qt's window-system input (as a finger's
would), not to a chosen widget: whatever is under the point when the tap arrives gets it.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests.trusted import as_system
from tests.ui.driver import choose_language, hand_over, key, screen, unlock
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.runner import SETTLE_SECONDS
from ui.kiosk.screens import InstructionsScreen
from ui.kiosk.window import KioskWindow

pytestmark = pytest.mark.gui

SETTLED_MS = round(SETTLE_SECONDS * 1000) + 100
"""A deliberate patient's pause before the next tap: longer than the kiosk ignores taps for."""


def centre_in_window(window: QWidget, widget: QWidget) -> QPoint:
    return widget.mapTo(window, QPoint(widget.width() // 2, widget.height() // 2))


def finger(window: QWidget, point: QPoint) -> None:
    """A tap at ``point`` of the window, delivered through the window system to whatever is there."""
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QApplication.processEvents()


def finger_on(window: QWidget, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled()
    finger(window, centre_in_window(window, widget))


def statuses(clinic, window: KioskWindow) -> list[str]:
    return [as_system(clinic).collection.response(rid).status for rid in window.runner.flow.response_ids]


def to_last_next(qtbot, window: KioskWindow, patient_id: int) -> QPoint:
    """A paced run of the pain questions up to the last question answered; where its Next button is."""
    unlock(window)
    hand_over(window, patient_id)
    qtbot.wait(SETTLED_MS)
    choose_language(window, "en")
    qtbot.wait(SETTLED_MS)
    assert isinstance(screen(window), InstructionsScreen)
    finger_on(window, screen(window).primary)
    for value in (4, 6):
        qtbot.wait(SETTLED_MS)
        page = screen(window)
        assert isinstance(page, QuestionScreen)
        finger_on(window, page.choices[value])
        qtbot.wait(SETTLED_MS)
        next_point = centre_in_window(window, page.primary)
        if page.item.code != "radicular":
            finger(window, next_point)
    return next_point


@pytest.mark.parametrize("gap_ms", [150, 200])
def test_a_double_tap_on_the_last_next_stops_on_the_review(make_kiosk, kiosk_clinic, kiosk_db, qtbot,
                                                           gap_ms) -> None:
    window = make_kiosk("nrs", settle_seconds=SETTLE_SECONDS)
    next_point = to_last_next(qtbot, window, kiosk_db[1]["K-002"])
    finger(window, next_point)
    qtbot.wait(gap_ms)
    finger(window, next_point)
    qtbot.wait(SETTLED_MS)
    assert isinstance(screen(window), ReviewScreen)
    assert statuses(kiosk_clinic, window) == ["in-progress"]
    finger_on(window, screen(window).primary)  # one deliberate tap on Send
    assert statuses(kiosk_clinic, window) == ["complete"]


def test_send_is_not_where_next_was_even_for_an_instant_second_tap(make_kiosk, kiosk_clinic, kiosk_db,
                                                                   qtbot) -> None:
    """Without the pause that ignores hasty taps, the second tap still finds no Send under it."""
    window = make_kiosk("nrs", settle_seconds=0.0)
    next_point = to_last_next(qtbot, window, kiosk_db[1]["K-002"])
    finger(window, next_point)
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    send = review.primary.geometry().translated(review.primary.parentWidget().mapTo(window, QPoint(0, 0)))
    assert not send.adjusted(-16, -16, 16, 16).contains(next_point)  # a finger's width clear of it
    finger(window, next_point)
    assert isinstance(screen(window), ReviewScreen)
    assert statuses(kiosk_clinic, window) == ["in-progress"]


def test_a_tap_on_send_right_after_the_review_appears_is_ignored(make_kiosk, kiosk_clinic, kiosk_db,
                                                                 qtbot) -> None:
    window = make_kiosk("nrs", settle_seconds=SETTLE_SECONDS)
    next_point = to_last_next(qtbot, window, kiosk_db[1]["K-002"])
    finger(window, next_point)
    review = screen(window)
    assert isinstance(review, ReviewScreen) and not review.taking_taps
    qtbot.wait(100)
    finger_on(window, review.primary)  # 100 ms after it appeared: too soon to be meant
    assert statuses(kiosk_clinic, window) == ["in-progress"]
    qtbot.waitUntil(lambda: review.taking_taps, timeout=2000)
    finger_on(window, review.primary)
    assert statuses(kiosk_clinic, window) == ["complete"]


def test_enter_on_the_review_does_not_send(make_kiosk, kiosk_clinic, kiosk_db, qtbot) -> None:
    window = make_kiosk("nrs")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    key(window, Qt.Key.Key_Return)  # instructions: Start
    for digit in (Qt.Key.Key_4, Qt.Key.Key_6):
        key(window, digit)
        key(window, Qt.Key.Key_Return)  # Next, the second time to the review
    assert isinstance(screen(window), ReviewScreen)
    for code in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_Return):
        key(window, code)
    assert isinstance(screen(window), ReviewScreen)
    assert statuses(kiosk_clinic, window) == ["in-progress"]
    assert QApplication.focusWidget() is not screen(window).primary
