"""Send is one transaction: every questionnaire of the visit becomes complete together, or none does."""

from __future__ import annotations

import sqlite3

import pytest

from tests.trusted import as_system
from tests.ui.driver import answer_until_review, choose_language, hand_over, screen, tap, unlock
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import ThanksScreen

pytestmark = pytest.mark.gui


def test_a_refused_questionnaire_leaves_the_whole_visit_unsent(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    database, ids = kiosk_db
    window = make_kiosk()
    unlock(window)
    hand_over(window, ids["K-002"])
    choose_language(window, "en")
    answer_until_review(window)
    flow = window.runner.flow
    relief = flow.response_ids[-1]
    # the last questionnaire's answer disappears behind the kiosk's back (a direct edit of the file)
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM answers WHERE response_id = ? AND item = 'percent'", (relief,))
    review = screen(window)
    tap(review.primary)  # Send
    assert isinstance(screen(window), ReviewScreen)
    assert review.page_label.text() == "Your answers could not be sent. They are saved: please ask a nurse for help."
    statuses = [as_system(kiosk_clinic).collection.response(rid).status for rid in flow.response_ids]
    assert statuses == ["in-progress"] * 5  # not four sent and one left behind
    assert as_system(kiosk_clinic).schedule.visit(flow.planned[0].visit_id).status == "open"

    while not review.rows[-1].isVisible():
        tap(review.next_page)
    tap(review.rows[-1])  # the patient answers the relief question again from the review
    page = screen(window)
    assert isinstance(page, QuestionScreen) and page.item.code == "percent"
    tap(page.choices[50])
    tap(page.primary)  # back to the review
    tap(screen(window).primary)
    assert isinstance(screen(window), ThanksScreen)
    statuses = [as_system(kiosk_clinic).collection.response(rid).status for rid in flow.response_ids]
    assert statuses == ["complete"] * 5
    assert as_system(kiosk_clinic).schedule.visit(flow.planned[0].visit_id).status == "completed"
