"""For the patient: a nurse called from any screen (seen on the desk and the locked tablet), a real
high-contrast theme, relief in steps of 5 % or "worse than before surgery", a welcome that thanks
nobody yet, a "prefer not to answer" that looks like an answer, and no "(EN)" that reads as a language."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from sijpro.instruments import bundled_instruments
from sijpro.services.clinic import Clinic
from tests.trusted import as_system
from tests.ui.driver import choose_language, hand_over, next_button, screen, tap, unlock
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import IdentityScreen, WelcomeScreen
from ui.kiosk.style import HIGH_CONTRAST
from ui.kiosk.window import Mode
from ui.staff.nurse_calls import NurseCallNotice

pytestmark = pytest.mark.gui


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stop(window) -> None:
    tap(window.runner.stop_button)
    tap(window.overlay.findChildren(QPushButton)[-1])


def test_a_nurse_is_called_from_any_screen_and_the_desk_and_the_locked_tablet_say_so(
        make_kiosk, kiosk_clinic, kiosk_db, qtbot) -> None:
    window = make_kiosk("nrs")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"], confirm=False)
    assert isinstance(screen(window), IdentityScreen) and window.runner.call_button.isVisible()
    tap(window.runner.call_button)  # even before saying who they are
    assert window.runner.call_button.text() == "Nurse called ✓"
    with Clinic.open(str(kiosk_db[0])) as desk_clinic:
        desk = NurseCallNotice()
        qtbot.addWidget(desk)
        with qtbot.waitSignal(desk.refreshed, timeout=5000):
            desk.attach(desk_clinic)
        assert not desk.isHidden()
        device = window.backend.device
        assert desk.text.text().startswith(f"{device} asks for a nurse (since ")
        assert "Smith" not in desk.text.text() and "K-002" not in desk.text.text()  # the tablet, not who
        stop(window)
        assert window.mode is Mode.LOCKED
        assert window.locked_screen.call.isVisible()
        assert "asked for a nurse at" in window.locked_screen.call.text()
        unlock(window)  # the nurse came to the tablet: the call is answered everywhere
        with qtbot.waitSignal(desk.refreshed, timeout=5000):
            desk.refresh()
        assert desk.isHidden()
        assert as_system(kiosk_clinic).calls.pending() == []
        tap(window.nurse_screen.back)
        assert not window.locked_screen.call.isVisible()

        hand_over_and_call(window, kiosk_db[1]["K-002"])
        with qtbot.waitSignal(desk.refreshed, timeout=5000):
            desk.refresh()
        assert not desk.isHidden()
        with qtbot.waitSignal(desk.refreshed, timeout=5000):
            tap(desk.answer_button)  # "On my way", from the desk
        assert desk.isHidden() and as_system(kiosk_clinic).calls.pending() == []


def hand_over_and_call(window, patient_id: int) -> None:
    unlock(window)
    hand_over(window, patient_id)
    tap(window.runner.call_button)


def test_the_high_contrast_theme_is_light_on_dark_and_comes_back_on_resume(make_kiosk, kiosk_clinic,
                                                                          kiosk_db) -> None:
    pairs = [("#ffffff", "#000000"), ("#0b3d91", "#ffffff"), ("#ffffff", "#0b3d91"), ("#1a1a1a", "#ffffff"),
             ("#8b0000", "#fff0f0"), ("#000000", "#f2f2f2"), ("#000000", "#fff3c4"), ("#000000", "#d6e4ff")]
    for foreground, background in pairs:  # every text colour on the background it is drawn on
        assert contrast(HIGH_CONTRAST[foreground], HIGH_CONTRAST[background]) >= 7, (foreground, background)
    window = make_kiosk("nrs")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    tap(next_button(window))
    tap(window.runner.contrast_button)
    page = screen(window)
    QApplication.processEvents()
    picture = page.grab().toImage()
    assert QColor(picture.pixel(4, picture.height() - 4)).name() == "#000000"  # dark paper
    question = next(label for label in page.findChildren(QLabel) if label.property("role") == "question")
    assert question.palette().color(question.foregroundRole()).name() == "#ffffff"  # light text
    tap(page.choices[4])
    response_id = window.runner.flow.response_ids[0]
    assert as_system(kiosk_clinic).collection.response(response_id).contrast == "high"
    stop(window)
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    assert window.runner.contrast == "high" and window.runner.contrast_button.isChecked()


def test_relief_in_steps_of_five_or_worse_than_before_surgery(make_kiosk, kiosk_clinic, kiosk_db) -> None:
    window = make_kiosk("relief")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    choose_language(window, "en")
    tap(next_button(window))
    page = screen(window)
    assert isinstance(page, QuestionScreen) and sorted(page.choices) == list(range(0, 101, 5))
    response_id = window.runner.flow.response_ids[0]
    tap(page.choices[35])
    assert as_system(kiosk_clinic).collection.response(response_id).answers == {"percent": 35, "worse": 0}
    tap(page.alternative)  # "My pain is worse than before surgery"
    assert page.alternative.isChecked() and not any(c.isChecked() for c in page.choices.values())
    assert as_system(kiosk_clinic).collection.response(response_id).answers == {"percent": None, "worse": 1}
    tap(next_button(window))
    review = screen(window)
    assert isinstance(review, ReviewScreen)
    assert "Your answer: My pain is worse than before surgery" in review.rows[0].full_text()
    assert review.rows[0].property("skipped") == "false"  # an answer, not a skip
    tap(review.primary)
    scores = {score.key: score.value for score in as_system(kiosk_clinic).collection.response(response_id).scores}
    assert scores == {"relief.percent": 0.0, "relief.worse": 1.0}


def test_welcome_prefer_not_to_answer_and_labels(make_kiosk, kiosk_db) -> None:
    window = make_kiosk("odi")
    unlock(window)
    hand_over(window, kiosk_db[1]["K-002"])
    welcome = screen(window)
    assert isinstance(welcome, WelcomeScreen)
    assert not any(w in label.text() for label in welcome.findChildren(QLabel) for w in ("Thank", "Merci"))
    choose_language(window, "en")
    tap(next_button(window))
    for _ in range(7):
        page = screen(window)
        tap(page.choices[0])
        tap(next_button(window))
    page = screen(window)
    assert page.item.code == "odi8" and page.skip is not None and page.skip.isEnabled()
    QApplication.processEvents()
    picture = page.skip.grab().toImage()
    top = [QColor(picture.pixel(x, 1)).lightness() for x in range(16, picture.width() - 16)]
    assert max(top) < 60  # a solid dark border all along, not the dashed one of a disabled button
    disabled = page.primary.grab().toImage()  # Next, disabled until an answer is given
    assert max(QColor(disabled.pixel(x, 1)).lightness() for x in range(16, disabled.width() - 16)) > 60
    spelled = re.compile(r"\((EN|FR)\)")
    for instrument in bundled_instruments().values():
        for text in (instrument.short_title, *(score.label for score in instrument.scores)):
            assert not spelled.search(text["fr"]) and not spelled.search(text["en"]), text
