"""A whole kiosk visit, with an answer the database refuses on the way, leaves the program's log saying
what happened to which questionnaire and why the save failed, and nothing of the patient: no name, MRN,
birth date or answer (the refused INSERT's parameters hold the answer, and the old crash log wrote them)."""

from __future__ import annotations

import sqlite3

import pytest

from sijpro import logs
from tests.ui.clinic_setup import PATIENTS
from tests.ui.driver import answer, answer_until_review, choose_language, hand_over, screen, tap, unlock
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.screens import ThanksScreen

pytestmark = pytest.mark.gui

REFUSE_ANSWERS = """
CREATE TRIGGER refuse_insert BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'refused'); END;
CREATE TRIGGER refuse_update BEFORE UPDATE ON answers BEGIN SELECT RAISE(ABORT, 'refused'); END;
"""


def test_a_kiosk_visit_and_a_failing_save_leave_no_patient_data_in_the_log(make_kiosk, kiosk_db, tmp_path,
                                                                           monkeypatch) -> None:
    folder = tmp_path / "log"
    monkeypatch.setenv("SIJPRO_LOG_DIR", str(folder))
    database, ids = kiosk_db
    mrn, family, given, _language, born = next(p for p in PATIENTS if p[0] == "K-002")
    try:
        logs.setup_logging()  # as ui.app.main does before the first window
        window = make_kiosk(instrument="nrs")
        unlock(window)
        hand_over(window, ids[mrn])
        choose_language(window, "en")
        tap(screen(window).primary)  # the first questionnaire's instructions
        answer(window, 7)  # committed
        with sqlite3.connect(database) as connection:
            connection.executescript(REFUSE_ANSWERS)
        page = screen(window)
        assert isinstance(page, QuestionScreen)
        tap(page.choices[6])  # this one the database refuses
        assert page.error.text() == "Your answer could not be saved. Please ask a nurse for help."
        with sqlite3.connect(database) as connection:
            connection.executescript("DROP TRIGGER refuse_insert; DROP TRIGGER refuse_update;")
        tap(page.choices[6])  # again, and kept this time
        tap(page.primary)
        answer_until_review(window)
        tap(screen(window).primary)  # send
        assert isinstance(screen(window), ThanksScreen)
    finally:
        logs.stop_logging()

    text = (folder / "sijpro.log").read_text(encoding="utf-8")
    assert "visits " in text and "held by tablet" in text  # the hand-over
    assert text.count("started for visit") == 1 and "completed by kiosk" in text
    assert "unexpected error" in text and "IntegrityError" in text and "SQLITE_CONSTRAINT_TRIGGER" in text
    for secret in (mrn, family, family.upper(), given, born.isoformat(), born.strftime("%d/%m/%Y"),
                   f"{born.day} November {born.year}", "[parameters", "INSERT INTO", "refused"):
        assert secret not in text, secret
