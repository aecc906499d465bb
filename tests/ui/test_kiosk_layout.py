"""Every kiosk screen fits 1280x800 and 1920x1080, landscape and portrait: at the normal text size
without scrolling, at the larger sizes chosen by the patient scrolling where it must (never shrinking the
text); no clipped text, nothing wider than the screen, no touch target under 64 px, the longest ODI and
SF-12 wording included."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.clinic_setup import NURSE_PIN
from tests.ui.driver import choose_language, confirm_identity, hand_over, next_button, screen, tap
from tests.ui.layout_check import layout_problems
from tests.ui.memory_backend import MemoryBackend
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import InstructionsScreen
from ui.kiosk.window import KioskWindow

pytestmark = pytest.mark.gui

SIZES = [(1280, 800), (800, 1280), (1920, 1080), (1080, 1920)]
ALL = ("nrs", "odi", "sf12", "satisfaction", "relief")


def check(window: KioskWindow, what: str, problems: list[str]) -> None:
    QApplication.processEvents()
    page = window.runner if window.runner is not None else window.stack.currentWidget()
    may_scroll = window.runner is not None and window.runner.text_step > 0
    problems += [f"{what}: {problem}" for problem in layout_problems(window, page, may_scroll=may_scroll)]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize(("language", "text_step"), [("en", 2), ("fr", 2), ("fr", 0)])
def test_every_screen_fits_without_scrolling(qtbot, size, language, text_step) -> None:
    window = KioskWindow(MemoryBackend(ALL), settle_seconds=0)
    # a kiosk refuses to close: allow it at teardown, or it stays on screen for the next tests
    qtbot.addWidget(window, before_close_func=lambda w: setattr(w, "_may_close", True))
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    problems: list[str] = []
    check(window, "locked", problems)
    tap(window.locked_screen.primary)
    check(window, "unlock", problems)
    unlock_screen = window.unlock_screen
    unlock_screen.secret.setText(NURSE_PIN)
    tap(unlock_screen.primary)
    check(window, "nurse", problems)
    hand_over(window, 1, confirm=False)
    tap(window.runner.text_buttons.button(text_step))
    check(window, "identity", problems)
    confirm_identity(window)
    check(window, "welcome", problems)
    choose_language(window, language)
    for _ in range(60):
        page = screen(window)
        if isinstance(page, ReviewScreen):
            break
        if isinstance(page, InstructionsScreen):
            check(window, f"instructions {window.runner.flow.current.questionnaire}", problems)
        elif isinstance(page, QuestionScreen):
            check(window, f"{page.item.code} unanswered", problems)
            tap(page.skip if page.skip is not None else list(page.choices.values())[-1])
            check(window, f"{page.item.code} answered", problems)
        tap(next_button(window))
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    for page_number in range(review.page_count):
        check(window, f"review page {page_number + 1}", problems)
        if review.next_page.isVisible() and review.next_page.isEnabled():
            tap(review.next_page)
    tap(review.primary)
    check(window, "thanks", problems)
    assert problems == []
    assert window.runner.flow.submitted
