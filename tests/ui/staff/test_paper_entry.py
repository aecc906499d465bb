"""Paper entry saves exactly what the nurse typed: digits and Tab, every code's meaning on screen, a
keystroke that is not an answer kept and explained (never a different valid value left behind), the date
written on the form stored as the completion date in mode "paper", and each visit's questionnaires
entered whole in one transaction when the nurse completes them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sijpro.instruments import Item
from tests.trusted import as_system
from tests.ui.staff.clicks import click
from tests.ui.staff.setup import TODAY
from ui.i18n import set_language
from ui.staff.paper_form import AnswerEdit

pytestmark = pytest.mark.gui

FORM_DAY = TODAY - dt.timedelta(days=2)
NRS_ODI = ["7", "4", "3", "2", "1", "0", "2", "3", "1", "", "2", "0"]  # ODI section 8 left blank


def type_answers(answers: list[str]) -> None:
    """Type into whichever field has the focus, each answer followed by Tab, as a nurse does."""
    for answer in answers:
        field = QApplication.focusWidget()
        QTest.keyClicks(field, answer)
        QTest.keyClick(field, Qt.Key.Key_Tab)


@pytest.fixture
def paper(signed_in, qtbot, ids):
    window = signed_in("nina")
    qtbot.waitActive(window)
    page = window.workspace.open_page("paper")
    QTest.keyClicks(page.search, "K-002")
    QTest.keyClick(page.search, Qt.Key.Key_Return)
    assert page.patient is not None and page.patient.mrn == "K-002"
    return page


def test_the_forms_show_what_every_code_means(paper) -> None:
    assert [form.instrument.id for _, form in paper.forms] == ["nrs", "odi", "sf12", "satisfaction", "relief"]
    assert QApplication.focusWidget() is paper.form_date  # the date on the form comes first
    sf12 = paper.forms[2][1]
    codes = sf12.findChild(type(paper.intro), "codes_GH1").text().splitlines()
    assert codes == ["1 = Excellent", "2 = Very good", "3 = Good", "4 = Fair", "5 = Poor"]
    odi = paper.forms[1][1]
    assert len(odi.findChild(type(paper.intro), "codes_odi1").text().splitlines()) == 6
    nrs = paper.forms[0][1]
    nrs_codes = nrs.findChild(type(paper.intro), "codes_lumbar").text().splitlines()
    assert nrs_codes[0] == "0 to 10" and nrs_codes[1].startswith("0 = ") and nrs_codes[2].startswith("10 = ")
    QTest.keyClicks(sf12.fields["GH1"], "3")
    assert sf12.meanings["GH1"].text() == "= Good"  # what was typed, in words, beside the field


def test_the_codes_are_worded_in_french_too(paper) -> None:
    QTest.keyClicks(paper.forms[0][1].fields["lumbar"], "6")
    set_language("fr")
    sf12 = paper.forms[2][1]
    assert sf12.findChild(type(paper.intro), "codes_GH1").text().splitlines()[0] == "1 = Excellente"
    assert paper.forms[0][1].fields["lumbar"].text() == "6"  # rebuilt in French, nothing typed lost
    assert paper.form_date_label.text() == "Date sur le formulaire :"


def test_eleven_on_a_0_to_10_scale_stays_eleven_and_is_never_saved_as_one(paper, staff_clinic, ids) -> None:
    QTest.keyClicks(paper.form_date, FORM_DAY.isoformat())
    QTest.keyClick(paper.form_date, Qt.Key.Key_Tab)
    nrs = paper.forms[0][1]
    field = nrs.fields["lumbar"]
    assert QApplication.focusWidget() is field
    QTest.keyClicks(field, "11")
    assert field.text() == "11" and not field.hasAcceptableInput()
    assert nrs.problem("lumbar") == "11 is not an answer here: allowed 0–10."
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is field  # Tab stays until it is fixed
    before = len(as_system(staff_clinic).audit.events(entity="response"))
    click(paper.complete_button)
    assert len(as_system(staff_clinic).audit.events(entity="response")) == before  # nothing saved, not a "1"
    assert nrs.problem("lumbar") and QApplication.focusWidget() is field
    QTest.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == "1" and nrs.problem("lumbar") == ""
    # a one-digit field: the second digit is kept too, not dropped leaving the first as the answer
    sf12 = paper.forms[2][1]
    QTest.keyClicks(sf12.fields["GH1"], "33")
    assert sf12.fields["GH1"].text() == "33" and sf12.problem("GH1") and sf12.fields["GH1"].value() is None


def test_a_letter_is_refused_with_its_reason(qtbot) -> None:
    field = AnswerEdit(Item(code="q", kind="scale", text={"en": "q"}, minimum=0, maximum=5))
    qtbot.addWidget(field)
    messages: list[str] = []
    field.problem.connect(messages.append)
    QTest.keyClicks(field, "x")
    assert field.text() == "" and messages[-1] == "x is not an answer here: allowed 0–5."
    QTest.keyClicks(field, "7")
    assert field.text() == "7" and messages[-1] == "7 is not an answer here: allowed 0–5."
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert messages[-1] == "'7' is not an answer yet: allowed 0–5."


def test_the_form_date_is_the_completion_date_in_one_transaction(paper, staff_clinic, ids) -> None:
    QTest.keyClicks(paper.form_date, FORM_DAY.isoformat())
    QTest.keyClick(paper.form_date, Qt.Key.Key_Tab)
    type_answers(NRS_ODI)
    assert as_system(staff_clinic).collection.in_progress() == []  # nothing written while typing
    click(paper.complete_button)
    assert paper.status.text() == "2 questionnaires completed and scored."
    assert [form.instrument.id for _, form in paper.forms] == ["sf12", "satisfaction", "relief"]  # still due
    visit = next(v for v in as_system(staff_clinic).schedule.timeline(ids["K-002"]) if v.timepoint == "m3")
    entered = {e.entity_id for e in as_system(staff_clinic).audit.events(entity="response") if e.actor == "nina"}
    responses = [as_system(staff_clinic).collection.response(response_id) for response_id in entered]
    assert {r.instrument for r in responses} == {"nrs", "odi"}
    for response in responses:
        assert response.mode == "paper" and response.status == "complete" and response.visit_id == visit.id
        assert response.completed_at.date() == FORM_DAY
    nrs = next(r for r in responses if r.instrument == "nrs")
    odi = next(r for r in responses if r.instrument == "odi")
    assert nrs.answers == {"lumbar": 7, "radicular": 4}
    assert "odi8" not in odi.answers and odi.answers["odi10"] == 0
    assert {s.name: s.value for s in odi.scores}["odi"] == pytest.approx(14 / 45 * 100)


def test_the_last_questionnaires_complete_the_visit_on_the_forms_date(paper, staff_clinic, ids) -> None:
    QTest.keyClicks(paper.form_date, FORM_DAY.isoformat())
    QTest.keyClick(paper.form_date, Qt.Key.Key_Tab)
    sf12 = ["3", "2", "2", "1", "2", "2", "2", "3", "3", "3", "4", "3"]
    type_answers([*NRS_ODI, *sf12, "2", "1", "60", ""])
    click(paper.complete_button)
    assert paper.status.text() == "5 questionnaires completed and scored."
    visit = next(v for v in as_system(staff_clinic).schedule.timeline(ids["K-002"]) if v.timepoint == "m3")
    assert visit.status == "completed" and visit.completed_on == FORM_DAY


@pytest.mark.parametrize(("typed", "shown"), [
    ("", "Required."),
    ((TODAY + dt.timedelta(days=1)).isoformat(), f"{TODAY + dt.timedelta(days=1)} is in the future."),
    ("2024-13-01", "'2024-13-01' is not a date: type it as YYYY-MM-DD, e.g. 1956-03-21."),
])
def test_a_wrong_form_date_saves_nothing(paper, staff_clinic, typed: str, shown: str) -> None:
    QTest.keyClicks(paper.form_date, typed)
    paper.forms[0][1].fields["lumbar"].setFocus()
    type_answers(["5", "5"])
    before = len(as_system(staff_clinic).audit.events())
    click(paper.complete_button)
    assert paper.form_date_problem.text() == shown and paper.form_date_problem.isVisible()
    assert QApplication.focusWidget() is paper.form_date
    records = as_system(staff_clinic)
    assert len(records.audit.events()) == before and records.collection.in_progress() == []


def test_a_follow_up_dated_before_the_surgery_is_refused_at_the_date(paper, staff_clinic, ids) -> None:
    surgery = as_system(staff_clinic).procedures.for_patient(ids["K-002"])[0].surgery_date
    QTest.keyClicks(paper.form_date, (surgery - dt.timedelta(days=3)).isoformat())
    paper.forms[0][1].fields["lumbar"].setFocus()
    type_answers(["5", "5"])
    click(paper.complete_button)
    assert paper.form_date_problem.text() == (f"A follow-up form is filled in after the surgery ({surgery}): "
                                              "check the date.")
    assert as_system(staff_clinic).collection.in_progress() == []


def test_an_answer_started_on_the_kiosk_is_shown_and_can_be_finished_on_paper(signed_in, staff_clinic, ids):
    visit = as_system(staff_clinic).collection.pending(ids["K-003"])[0][0]
    response = as_system(staff_clinic).collection.open(visit.id, "nrs", mode="kiosk", language="en")
    as_system(staff_clinic).collection.save_answer(response.id, "lumbar", 5)
    window = signed_in("nina")
    page = window.workspace.open_page("paper")
    page.start_for(ids["K-003"])
    QTest.keyClicks(page.form_date, FORM_DAY.isoformat())
    nrs = page.forms[0][1]
    assert nrs.fields["lumbar"].text() == "5"
    QTest.keyClicks(nrs.fields["radicular"], "2")
    click(page.complete_button)
    finished = as_system(staff_clinic).collection.response(response.id)
    assert finished.status == "complete" and finished.answers == {"lumbar": 5, "radicular": 2}
