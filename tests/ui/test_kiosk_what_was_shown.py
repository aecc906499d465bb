"""What is stored is what was shown: each answer's language, the text size a run is read at (back on
resume), a text size never shrunk to fit (the screen scrolls), review lines that never read alike nor
end in '…', and a review that keeps its page through the idle prompt."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from tests.trusted import as_system
from tests.ui.driver import (
    answer,
    answer_until_review,
    choose_language,
    current_item,
    hand_over,
    next_button,
    screen,
    tap,
    unlock,
)
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.style import metrics_for
from ui.kiosk.window import Mode

pytestmark = pytest.mark.gui


def stop(window) -> None:
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(QPushButton)[-1])
    assert window.mode is Mode.LOCKED


def test_each_answer_keeps_the_language_it_was_given_in(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("nrs")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    tap(next_button(window))
    answer(window, 6)
    stop(window)
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "fr")  # resumed in French
    assert current_item(window) == "radicular"
    assert "Douleur dans la jambe" in {label.text() for label in screen(window).findChildren(QLabel)}
    answer(window, 3)
    (record,) = [as_system(kiosk_clinic).collection.response(rid) for rid in window.runner.flow.response_ids]
    assert record.language == "fr"
    assert record.answer_languages == {"lumbar": "en", "radicular": "fr"}


def test_the_text_size_comes_back_on_resume_and_is_never_shrunk(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("odi")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    tap(window.runner.text_buttons.button(2))  # largest
    tap(next_button(window))
    answer(window, 1)
    answer(window, 1)
    page = screen(window)
    assert isinstance(page, QuestionScreen) and page.item.code == "odi3"  # the longest statements
    largest = metrics_for(window.size(), 2)
    assert page.choices[0].fontInfo().pixelSize() == largest.option  # the size chosen, not one that fits
    assert window.runner.scrolls  # too tall for the room at that size: the screen scrolls
    scroll_bar = page.parentWidget().parentWidget().verticalScrollBar()
    scroll_bar.setValue(scroll_bar.maximum())
    tap(page.choices[5])  # the last statement, reached by scrolling
    response_id = window.runner.flow.response_ids[0]
    assert as_system(kiosk_clinic).collection.response(response_id).text_size == 2
    stop(window)
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    assert window.runner.text_step == 2 and window.runner.text_buttons.button(2).isChecked()


def test_review_lines_never_read_alike_nor_end_cut(make_kiosk, kiosk_db) -> None:
    window = make_kiosk("sf12", size=(800, 1280))
    unlock(window)
    hand_over(window, kiosk_db[1]["K-001"])
    choose_language(window, "fr")
    answer_until_review(window, choose=lambda item: item.kiosk_values()[-1])
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    shown = [row.text() for row in review.rows]
    titles = [row.full_text().split("\n")[0] for row in review.rows]
    assert len(set(titles)) == len(titles)  # SF-12's two "accomplished less" questions included
    assert not any("…" in text for text in shown)
    window.runner.flow.language = "en"
    english = ReviewScreen(window.runner.flow.review_lines(), "en")
    accomplished = [row.full_text() for row in english.rows if "Accomplished less" in row.full_text()]
    assert len(accomplished) == 2 and "physical health" in accomplished[0] and "emotional" in accomplished[1]


def test_the_review_keeps_its_page_after_the_idle_prompt(make_kiosk, kiosk_db, qtbot) -> None:
    window = make_kiosk(idle_seconds=1.0, prompt_seconds=30)
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    answer_until_review(window)
    review = screen(window)
    tap(review.next_page)
    tap(review.next_page)
    assert review.page == 2
    qtbot.waitUntil(window.overlay.isVisible, timeout=5000)  # nobody touches the tablet for a while
    tap(next(b for b in window.overlay.findChildren(QPushButton) if b.isVisible()))  # "I am still here"
    assert not window.overlay.isVisible()
    assert isinstance(screen(window), ReviewScreen) and screen(window).page == 2
