"""A patient's run through the real widgets over a real SQLite clinic: every instrument, back, review
edits, skips, language, keyboard; each answer is in the database the moment it is tapped."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from sijpro.instruments import get_instrument
from tests.trusted import as_system
from tests.ui.driver import (
    answer,
    answer_until_review,
    choose_language,
    current_item,
    hand_over,
    key,
    next_button,
    screen,
    tap,
    unlock,
)
from ui.i18n import language
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import InstructionsScreen, ThanksScreen, WelcomeScreen
from ui.kiosk.window import KioskWindow, Mode

pytestmark = pytest.mark.gui

ALL = ("nrs", "odi", "sf12", "satisfaction", "relief")


@pytest.fixture
def ids(kiosk_db) -> dict[str, int]:
    return kiosk_db[1]


def start_run(window: KioskWindow, patient_id: int, language_code: str = "en") -> None:
    unlock(window)
    hand_over(window, patient_id)
    choose_language(window, language_code)


def stored(clinic, window: KioskWindow) -> list[dict[str, int | None]]:
    """What the database holds now for each questionnaire of the current run."""
    return [as_system(clinic).collection.response(rid).answers for rid in window.runner.flow.response_ids]


def texts(page) -> set[str]:
    return {label.text() for label in page.findChildren(QLabel)}


@pytest.mark.parametrize("instrument_id", ALL)
def test_each_instrument_is_answered_start_to_finish(make_kiosk, kiosk_clinic, ids, instrument_id) -> None:
    window = make_kiosk(instrument_id)
    start_run(window, ids["K-002"])
    instrument = get_instrument(instrument_id)
    assert isinstance(screen(window), InstructionsScreen)
    assert instrument.instructions["en"] in texts(screen(window))
    tap(next_button(window))
    response_id = window.runner.flow.response_ids[0]
    given = {}
    for index, item in enumerate(instrument.asked_items):
        page = screen(window)
        assert isinstance(page, QuestionScreen)
        assert page.item == item  # original order, one item per screen
        assert item.text["en"].split("\n")[-1] in texts(page)  # original wording
        assert not any(choice.isChecked() for choice in page.choices.values())  # nothing pre-selected
        assert not next_button(window).isEnabled()  # no moving on without an answer
        value = item.kiosk_values()[(index + 1) % len(item.kiosk_values())]
        tap(page.choices[value])
        if item.alternative is not None:  # a value on the relief scale says "not worse than before surgery"
            given[item.alternative.item] = 0
        given[item.code] = value
        assert as_system(kiosk_clinic).collection.response(response_id).answers == given  # committed on the tap
        assert screen(window) is page  # and no auto-advance
        tap(next_button(window))
    assert isinstance(screen(window), ReviewScreen)
    tap(next_button(window))  # Send
    completed = as_system(kiosk_clinic).collection.response(response_id)
    assert completed.status == "complete" and completed.answers == given
    assert {score.instrument for score in completed.scores} == {instrument_id}
    assert all(score.value is not None for score in completed.scores)  # scored with every answer
    assert isinstance(screen(window), ThanksScreen)
    assert window.runner.header.isHidden()
    tap(next_button(window))  # Done
    assert window.mode is Mode.LOCKED and window.runner is None


def test_the_whole_visit_is_one_run_counted_across_instruments(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk()
    start_run(window, ids["K-002"])
    tap(next_button(window))
    assert window.runner.progress_label.text() == "Question 1 of 27 · Pain (NRS)"
    answer(window, 3)
    answer(window, 3)
    tap(next_button(window))  # ODI instructions
    assert window.runner.progress_label.text() == "Question 3 of 27 · Oswestry (ODI)"
    assert window.runner.progress_bar.value() == 2
    answer_until_review(window)
    flow = window.runner.flow
    tap(next_button(window))
    statuses = [as_system(kiosk_clinic).collection.response(rid).status for rid in flow.response_ids]
    assert statuses == ["complete"] * 5
    visit = as_system(kiosk_clinic).schedule.visit(flow.planned[0].visit_id)
    assert visit.status == "completed"
    outcome = as_system(kiosk_clinic).outcomes.patient(ids["K-002"]).at("m3")
    assert outcome.scores["odi.odi"] == 100.0 and outcome.scores["relief.percent"] == 100


def test_back_keeps_answers_and_review_edits_return_to_the_review(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk()
    start_run(window, ids["K-002"])
    answer_until_review(window, choose=lambda item: item.kiosk_values()[1])
    review = screen(window)
    tap(review.back)  # Back from the review: the last question, still answered
    assert current_item(window) == "percent"
    assert screen(window).choices[5].isChecked()  # the second button: 5 %
    tap(screen(window).back)
    tap(screen(window).back)
    assert current_item(window) == "would_repeat"
    tap(next_button(window))
    tap(next_button(window))
    tap(next_button(window))
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    tap(review.rows[1])  # question 2: leg pain
    assert current_item(window) == "radicular"
    assert not screen(window).back.isVisible()  # one way out: back to the review
    tap(screen(window).choices[9])
    tap(next_button(window))
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    assert review.rows[1].full_text() == "2. Leg pain\nYour answer: 9"
    assert review.rows[1].isVisible()  # back on the page of the edited answer
    assert stored(kiosk_clinic, window)[0] == {"lumbar": 1, "radicular": 9}
    last = review.rows[-1]
    while not last.isVisible():
        tap(review.next_page)
    tap(last)
    tap(screen(window).choices[70])
    key(window, Qt.Key.Key_Backspace)  # Back while changing an answer also returns to the review
    review = screen(window)
    assert isinstance(review, ReviewScreen) and review.rows[-1].isVisible()
    assert review.rows[-1].full_text().endswith("Your answer: 70%")
    flow = window.runner.flow
    tap(review.primary)
    assert as_system(kiosk_clinic).collection.response(flow.response_ids[-1]).answers == {"percent": 70, "worse": 0}


def test_review_marks_a_skipped_section_and_pages_hold_every_answer(make_kiosk, ids) -> None:
    window = make_kiosk()
    start_run(window, ids["K-002"])
    answer_until_review(window, choose=lambda item: None if item.optional else item.kiosk_values()[0])
    review = screen(window)
    skipped = [row for row in review.rows if row.property("skipped") == "true"]
    assert len(skipped) == 1 and skipped[0].full_text().startswith("10. Section 8")
    assert "preferred not to answer" in skipped[0].full_text()
    assert review.page_count > 1
    seen = []
    for _ in range(review.page_count):
        visible = [row for row in review.rows if row.isVisible()]
        assert visible and all(row.geometry().bottom() < review.height() for row in visible)
        seen += visible
        if review.next_page.isEnabled():
            tap(review.next_page)
    assert seen == review.rows  # every answer once, in order


def test_prefer_not_to_answer_is_offered_only_for_odi_section_8(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk()
    start_run(window, ids["K-002"])
    offered = []
    for _ in range(40):
        page = screen(window)
        if isinstance(page, ReviewScreen):
            break
        if isinstance(page, QuestionScreen) and page.skip is not None:
            offered.append(page.item.code)
            tap(page.skip)
            assert page.skip.isChecked() and next_button(window).isEnabled()
            tap(next_button(window))
        elif isinstance(page, QuestionScreen):
            answer(window, page.item.kiosk_values()[0])
        else:
            tap(next_button(window))
    assert offered == ["odi8"]
    odi = stored(kiosk_clinic, window)[1]
    assert "odi8" in odi and odi["odi8"] is None  # recorded as an explicit skip, not as unanswered


def test_language_is_asked_remembered_and_applied(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk("nrs", default_language="en")
    unlock(window)
    hand_over(window, ids["K-002"])
    welcome = screen(window)
    assert isinstance(welcome, WelcomeScreen)
    assert "Hello, John" in texts(welcome)
    assert {b.text() for b in welcome.language_buttons.values()} == {"English", "Français"}
    choose_language(window, "fr")
    assert language() == "fr"
    assert as_system(kiosk_clinic).patients.get(ids["K-002"]).language == "fr"  # remembered for next time
    assert as_system(kiosk_clinic).collection.response(window.runner.flow.response_ids[0]).language == "fr"
    assert next_button(window).text() == "Commencer"
    tap(next_button(window))
    assert get_instrument("nrs").item("lumbar").text["fr"] in texts(screen(window))
    assert next_button(window).text() == "Suivant"
    assert window.runner.progress_label.text().startswith("Question 1 sur 2")
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(type(next_button(window)))[-1])  # "Arrêter"
    assert window.mode is Mode.LOCKED
    assert language() == "en"  # the next person starts in the clinic's language
    assert window.locked_screen.message.text() == "Please hand the tablet to a nurse."
    unlock(window)
    hand_over(window, ids["K-002"])
    assert "Bonjour John" in texts(screen(window))  # greeted in the language chosen last time


def test_keyboard_alone_answers_goes_back_and_submits(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk("nrs")
    unlock(window)
    hand_over(window, ids["K-002"])
    key(window, Qt.Key.Key_1)  # English
    key(window, Qt.Key.Key_Return)  # start
    assert current_item(window) == "lumbar"
    key(window, Qt.Key.Key_Return)  # no answer yet: stays
    assert current_item(window) == "lumbar"
    key(window, Qt.Key.Key_1)
    key(window, Qt.Key.Key_0)  # "10" typed quickly is ten
    assert screen(window).choices[10].isChecked()
    key(window, Qt.Key.Key_Enter)
    key(window, Qt.Key.Key_7)
    key(window, Qt.Key.Key_Backspace)
    assert current_item(window) == "lumbar"
    key(window, Qt.Key.Key_Return)
    key(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert current_item(window) == "lumbar"
    key(window, Qt.Key.Key_Return)
    key(window, Qt.Key.Key_Return)
    assert isinstance(screen(window), ReviewScreen)
    flow = window.runner.flow
    key(window, Qt.Key.Key_Return)  # Enter never sends: the patient moves to Send and presses it
    assert as_system(kiosk_clinic).collection.response(flow.response_ids[0]).status == "in-progress"
    for _ in range(6):
        if QApplication.focusWidget() is screen(window).primary:
            break
        key(window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is screen(window).primary
    key(window, Qt.Key.Key_Space)
    record = as_system(kiosk_clinic).collection.response(flow.response_ids[0])
    assert record.status == "complete" and record.answers == {"lumbar": 10, "radicular": 7}


def test_digits_on_a_list_and_on_a_scale_in_tens(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk("satisfaction")
    start_run(window, ids["K-002"])
    key(window, Qt.Key.Key_Return)
    key(window, Qt.Key.Key_2)  # the second statement
    assert screen(window).choices[2].isChecked()
    key(window, Qt.Key.Key_9)  # there is no ninth: nothing changes
    assert screen(window).choices[2].isChecked()
    window = make_kiosk("relief")
    start_run(window, ids["K-003"])
    key(window, Qt.Key.Key_Return)
    key(window, Qt.Key.Key_7)  # a lone 7 on a 0-100 % scale: 70 %
    assert screen(window).choices[70].isChecked()
    key(window, Qt.Key.Key_5)  # 7 then 5 typed quickly: 75 %
    assert screen(window).choices[75].isChecked()


def test_tab_reaches_every_answer_and_space_selects(make_kiosk, kiosk_clinic, ids) -> None:
    window = make_kiosk("satisfaction")
    start_run(window, ids["K-002"])
    tap(next_button(window))
    page = screen(window)
    reached = set()
    for _ in range(30):
        key(window, Qt.Key.Key_Tab)
        reached.add(page.focusWidget())
    assert set(page.choices.values()) <= reached
    page.choices[3].setFocus()
    key(window, Qt.Key.Key_Space)
    assert stored(kiosk_clinic, window)[0] == {"overall": 3}


def test_text_size_grows_in_three_steps_and_comes_back_with_the_patient_only(make_kiosk, ids) -> None:
    window = make_kiosk("nrs")
    start_run(window, ids["K-002"])
    tap(next_button(window))

    def question_px() -> int:
        labels = [w for w in screen(window).findChildren(QLabel) if w.property("role") == "question"]
        return labels[0].fontInfo().pixelSize()

    sizes = [question_px()]
    for step in (1, 2):
        tap(window.runner.text_buttons.button(step))
        sizes.append(question_px())
    assert sizes[0] < sizes[1] < sizes[2]
    answer(window, 4)
    assert question_px() == sizes[2]  # kept on the next screen
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(type(next_button(window)))[-1])
    unlock(window)
    hand_over(window, ids["K-003"])
    assert window.runner.text_step == 0  # the next patient starts at the normal size
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(QPushButton)[-1])
    unlock(window)
    hand_over(window, ids["K-002"])  # the first patient resumes: at the size they chose
    assert window.runner.text_step == 2 and window.runner.text_buttons.button(2).isChecked()
    choose_language(window, "en")
    assert current_item(window) == "radicular" and question_px() == sizes[2]


def test_an_answer_that_cannot_be_saved_is_not_shown_as_given(make_kiosk, kiosk_clinic, ids, monkeypatch) -> None:
    window = make_kiosk("nrs")
    start_run(window, ids["K-002"])
    tap(next_button(window))
    page = screen(window)
    response_id = window.runner.flow.response_ids[0]
    with monkeypatch.context() as broken:
        def unplugged():
            raise OSError("disk unplugged")

        broken.setattr(kiosk_clinic.database, "writing", unplugged)  # the next write fails
        tap(page.choices[6])
        assert page.error.isVisible() and "could not be saved" in page.error.text()
        assert not page.choices[6].isChecked() and not next_button(window).isEnabled()
    tap(page.choices[6])
    assert not page.error.isVisible() and next_button(window).isEnabled()
    assert as_system(kiosk_clinic).collection.response(response_id).answers == {"lumbar": 6}


def test_choices_have_accessible_names(make_kiosk, ids) -> None:
    window = make_kiosk()
    start_run(window, ids["K-002"])
    tap(next_button(window))
    page = screen(window)
    assert page.choices[0].accessibleName() == "0: No pain"
    assert page.choices[10].accessibleName() == "10: Worst pain imaginable"
    assert page.choices[5].accessibleName() == "5"
    answer(window, 0)
    answer(window, 0)
    tap(next_button(window))
    page = screen(window)
    option = get_instrument("odi").item("odi1").options[2]
    assert page.choices[2].accessibleName() == option.text["en"]
    for widget in window.findChildren(type(next_button(window))):
        if widget.isVisible():
            assert widget.accessibleName(), widget.text()


def test_a_full_disk_tells_the_patient_to_fetch_the_nurse(make_kiosk, kiosk_clinic, ids) -> None:
    """SQLite refuses the answer's write with its own 'database or disk is full' error (raised here by the
    driver hook every statement goes through, as a disk with no room left makes SQLite do); the patient
    is told why, in words that do not promise that tapping again will help, and nothing is half-written."""
    import sqlite3

    from sqlalchemy import event

    window = make_kiosk("nrs")
    start_run(window, ids["K-002"])
    tap(next_button(window))
    page = screen(window)
    response_id = window.runner.flow.response_ids[0]
    engine = kiosk_clinic.database.engine

    def no_room(cursor, statement, parameters, context) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(engine, "do_execute", no_room)
    try:
        tap(page.choices[6])
        assert page.error.isVisible() and "no storage space left" in page.error.text()
        assert not page.choices[6].isChecked() and not next_button(window).isEnabled()
    finally:
        event.remove(engine, "do_execute", no_room)
    assert as_system(kiosk_clinic).collection.response(response_id).answers == {}
    tap(page.choices[6])
    assert not page.error.isVisible()
    assert as_system(kiosk_clinic).collection.response(response_id).answers == {"lumbar": 6}
