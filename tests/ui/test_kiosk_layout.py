"""Every kiosk screen at every text size the patient can choose, on an upright 800x1280 tablet, a 1280x800
one and a 1366x768 laptop, in English and French: every text drawn at the chosen
size (never shrunk to fit), nothing cut or elided, nothing wider than the screen, no touch target under
64 px; at the normal size nothing scrolls, at the larger ones what is too tall scrolls; Send is never
across the place where the last question's Next was. The text size is
chosen as a patient does, with a tap on the header's buttons on each screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.clinic_setup import NURSE_PIN
from tests.ui.driver import choose_language, confirm_identity, hand_over, next_button, screen, tap
from tests.ui.layout_check import font_problems, layout_problems
from tests.ui.memory_backend import MemoryBackend
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import InstructionsScreen
from ui.kiosk.style import TEXT_STEPS, metrics_for
from ui.kiosk.window import KioskWindow

pytestmark = pytest.mark.gui

SIZES = [(800, 1280), (1280, 800), (1366, 768)]
ALL = ("nrs", "odi", "sf12", "satisfaction", "relief")
EVERY_SIZE = {"lumbar", "percent", "odi3", "RP2", "MH3"}
"""The questions checked at each text size: the 0-10 scale, relief's 0-100 % with its alternative, the
longest ODI statements, SF-12's long wording and six answers; every other screen at the largest size."""


def check(window: KioskWindow, what: str, problems: list[str]) -> None:
    QApplication.processEvents()
    page = window.runner if window.runner is not None else window.stack.currentWidget()
    may_scroll = window.runner is not None and window.runner.text_step > 0
    problems += [f"{what}: {problem}" for problem in layout_problems(window, page, may_scroll=may_scroll)]
    if window.runner is not None:  # a patient's screen: at the size they chose
        sizes = metrics_for(window.size(), window.runner.text_step)
        problems += [f"{what}: {problem}" for problem in font_problems(window, window.runner, sizes)]


def check_every_size(window: KioskWindow, what: str, problems: list[str]) -> None:
    """Tap each text size in turn on this screen and check it laid out at that size, ending on the largest."""
    runner = window.runner
    for step in range(len(TEXT_STEPS)):
        tap(runner.text_buttons.button(step))
        assert runner.text_step == step
        check(window, f"{what} at text size {step}", problems)


def columns(window: KioskWindow, widget: QWidget) -> tuple[int, int]:
    """The left and right edges of ``widget`` in the window: where a finger finds it across the screen."""
    left = widget.mapTo(window, QPoint(0, 0)).x()
    return left, left + widget.width() - 1


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_screen_at_every_text_size_shows_all_its_words_at_that_size(qtbot, size, language) -> None:
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
    check_every_size(window, "identity", problems)
    confirm_identity(window)
    check(window, "welcome", problems)
    choose_language(window, language)
    for _ in range(60):
        page = screen(window)
        if isinstance(page, ReviewScreen):
            break
        if isinstance(page, InstructionsScreen):
            check(window, f"instructions {window.runner.flow.current.questionnaire}", problems)
        elif isinstance(page, QuestionScreen):  # at the largest size since the identity check
            if page.item.code in EVERY_SIZE:
                check_every_size(window, f"{page.item.code} unanswered", problems)
                page = screen(window)  # a new text size builds the screen anew
            else:  # at the largest size, where the patient left it
                check(window, f"{page.item.code} unanswered", problems)
            tap(page.skip if page.skip is not None else list(page.choices.values())[-1])
            check(window, f"{page.item.code} answered", problems)
            next_was = columns(window, next_button(window))
        tap(next_button(window))
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    send = columns(window, review.primary)
    assert send[1] < next_was[0] or send[0] > next_was[1], f"Send {send} is where Next was {next_was}"
    check_every_size(window, "review", problems)
    review = screen(window)
    for page_number in range(review.page_count):
        check(window, f"review page {page_number + 1}", problems)
        if review.next_page.isVisible() and review.next_page.isEnabled():
            tap(review.next_page)
    tap(review.primary)
    check(window, "thanks", problems)
    assert problems == []
    assert window.runner.flow.submitted
