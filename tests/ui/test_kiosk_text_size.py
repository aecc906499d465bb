"""The text size a patient chooses is never silently reduced. What does not fit scrolls: a finger-wide
scroll bar (a tap on it below its handle turns a page), the wheel, and a key that chooses an answer brings
it into view. A 0-10 scale too wide for the tablet breaks onto two rows at that size instead of shrinking;
what is asked over the screen (the idle prompt) is at that size too. Every size is chosen by tapping the
header's text-size buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget

from tests.trusted import as_system
from tests.ui.driver import answer, choose_language, hand_over, key, next_button, screen, tap, unlock
from tests.ui.layout_check import font_problems, layout_problems
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.style import MIN_TOUCH, metrics_for

pytestmark = pytest.mark.gui

LARGEST = 2


def start_odi_at_the_largest_text(window, patient_id: int) -> QuestionScreen:
    """From the locked tablet to ODI section 3 (the longest statements) at the largest text size."""
    unlock(window)
    hand_over(window, patient_id)
    choose_language(window, "en")
    tap(window.runner.text_buttons.button(LARGEST))
    tap(next_button(window))
    answer(window, 1)
    answer(window, 1)
    page = screen(window)
    assert isinstance(page, QuestionScreen) and page.item.code == "odi3"
    return page


def scroll_area(page: QWidget) -> QScrollArea:
    area = page.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)
    return area


def in_view(area: QScrollArea, widget: QWidget) -> bool:
    """The whole widget is inside the part of the page the scroll area shows."""
    top_left = widget.mapTo(area.viewport(), QPoint(0, 0))
    return area.viewport().rect().contains(widget.rect().translated(top_left))


def stored(clinic, window) -> dict[str, int | None]:
    return as_system(clinic).collection.response(window.runner.flow.response_ids[0]).answers


def wheel(area: QScrollArea, notches: int) -> None:
    """Mouse-wheel notches over the middle of the page (negative: towards the end)."""
    viewport = area.viewport()
    middle = QPointF(viewport.width() / 2, viewport.height() / 2)
    for _ in range(abs(notches)):
        event = QWheelEvent(middle, QPointF(viewport.mapToGlobal(middle.toPoint())), QPoint(0, 0),
                            QPoint(0, -120 if notches < 0 else 120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(viewport, event)
        QApplication.processEvents()


def test_the_last_statement_at_the_largest_text_is_reached_with_the_wheel_and_recorded(
        make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("odi", size=(1280, 800))
    page = start_odi_at_the_largest_text(window, kiosk_db[1]["K-002"])
    sizes = metrics_for(window.size(), LARGEST)
    assert {choice.fontInfo().pixelSize() for choice in page.choices.values()} == {sizes.option}
    assert font_problems(window, window.runner, sizes) == []
    area = scroll_area(page)
    bar = area.verticalScrollBar()
    assert bar.isVisible() and bar.maximum() > 0  # too tall at that size: it scrolls, it is not shrunk
    assert bar.width() >= MIN_TOUCH  # a finger-wide scroll bar
    last = page.choices[5]
    assert not in_view(area, last)
    wheel(area, -10)
    assert in_view(area, last)
    tap(last)
    assert stored(kiosk_clinic, window)["odi3"] == 5
    assert last.isChecked()


def test_a_tap_on_the_scroll_bar_brings_next_into_reach_on_a_laptop(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("odi", size=(1366, 768))
    page = start_odi_at_the_largest_text(window, kiosk_db[1]["K-002"])
    area = scroll_area(page)
    bar = area.verticalScrollBar()
    assert not in_view(area, page.primary) and not in_view(area, page.choices[5])
    tap_at = QPoint(bar.width() // 2, bar.height() - 12)  # a finger on the bar, below its handle
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tap_at)
    QApplication.processEvents()
    assert bar.value() == bar.maximum()
    assert in_view(area, page.choices[5]) and in_view(area, page.primary)
    tap(page.choices[5])
    tap(page.primary)
    assert stored(kiosk_clinic, window)["odi3"] == 5
    assert screen(window).item.code == "odi4"


def test_a_key_that_chooses_an_answer_scrolls_it_into_view(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("odi", size=(1366, 768))
    page = start_odi_at_the_largest_text(window, kiosk_db[1]["K-002"])
    area = scroll_area(page)
    assert not in_view(area, page.choices[5])
    key(window, Qt.Key.Key_6)  # the sixth statement
    QApplication.processEvents()
    assert page.choices[5].isChecked() and page.choices[5].hasFocus()
    assert in_view(area, page.choices[5])
    assert stored(kiosk_clinic, window)["odi3"] == 5


def test_a_scale_too_wide_breaks_onto_rows_at_the_chosen_size(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("nrs", size=(800, 1280))
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "fr")
    tap(window.runner.text_buttons.button(LARGEST))
    tap(next_button(window))
    page = screen(window)
    sizes = metrics_for(window.size(), LARGEST)
    assert page.scale is not None and page.scale.rows_at(page.scale.width()) == 1  # 0-10 on one row
    assert {choice.fontInfo().pixelSize() for choice in page.choices.values()} == {sizes.question}
    assert layout_problems(window, window.runner, may_scroll=True) == []
    assert font_problems(window, window.runner, sizes) == []
    window.resize(600, 960)  # a smaller tablet, held upright
    QApplication.processEvents()
    page = screen(window)
    sizes = metrics_for(window.size(), LARGEST)
    assert page.scale.rows_at(page.scale.width()) == 2  # 0-5 over 6-10, at the size chosen
    assert {choice.fontInfo().pixelSize() for choice in page.choices.values()} == {sizes.question}
    assert min(choice.width() for choice in page.choices.values()) >= MIN_TOUCH
    assert layout_problems(window, window.runner, may_scroll=True) == []
    assert font_problems(window, window.runner, sizes) == []
    zero, ten = page.choices[0], page.choices[10]
    assert ten.mapTo(page, QPoint(0, 0)).y() > zero.mapTo(page, QPoint(0, 0)).y()  # 10 on the second row
    tap(ten)
    assert stored(kiosk_clinic, window)["lumbar"] == 10


def test_the_idle_prompt_reads_at_the_size_the_patient_chose(make_kiosk, kiosk_db, qtbot) -> None:
    window = make_kiosk("nrs", size=(800, 1280), idle_seconds=1.0, prompt_seconds=30)
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "fr")
    tap(window.runner.text_buttons.button(LARGEST))
    qtbot.waitUntil(window.overlay.isVisible, timeout=5000)  # nobody touches the tablet for a while
    QApplication.processEvents()
    sizes = metrics_for(window.size(), LARGEST)
    assert window.overlay.title.fontInfo().pixelSize() == sizes.title
    assert font_problems(window, window.overlay, sizes) == []
    assert layout_problems(window, window.overlay) == []
    still_here = next(b for b in window.overlay.findChildren(QPushButton) if b.isVisible())
    tap(still_here)
    assert not window.overlay.isVisible() and window.runner.text_step == LARGEST
