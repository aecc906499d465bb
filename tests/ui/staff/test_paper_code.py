"""A paper pack sent back by post: the code on its pages, typed or scanned into paper entry (a USB scanner
types the characters and Enter), opens its visit with "a paper pack sent back" chosen; the answers are
stored in mode post on the date written on the form; a mistyped, unknown or already entered code is
refused at the field."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sijpro.contact import ContactDraft
from sijpro.visit_codes import ALPHABET, shown, visit_code
from tests.factories import ANSWERS
from tests.trusted import as_system
from tests.ui.staff.clicks import click
from tests.ui.staff.setup import TODAY
from tests.ui.staff.test_paper_entry import FORM_DAY, NRS_ODI, type_answers

pytestmark = pytest.mark.gui


@pytest.fixture
def lettered(staff_clinic, ids, tmp_path) -> tuple[str, int]:
    """K-002's m3 letter written (on its window's 14th day) and recorded: (its code, the visit id)."""
    system = as_system(staff_clinic)
    system.contacts.save(ids["K-002"], ContactDraft(address="4 rue Vaubecour\n69002 Lyon", channel="post",
                                                    consent=True), expected_version=0, reason="")
    visit = next(v for v in system.schedule.timeline(ids["K-002"]) if v.timepoint == "m3")
    report = system.letters.write(tmp_path / "post", visit.window_start + dt.timedelta(days=14))
    assert [(letter.patient.mrn, letter.visit.id) for letter in report.new] == [("K-002", visit.id)]
    return report.new[0].code, visit.id


@pytest.fixture
def paper(signed_in, qtbot):
    window = signed_in("nina")
    qtbot.waitActive(window)
    return window.workspace.open_page("paper")


def scan(page, text: str) -> None:
    page.code.setFocus()
    QTest.keyClicks(page.code, text)
    QTest.keyClick(page.code, Qt.Key.Key_Return)


def test_a_scanned_code_opens_its_visit_in_mode_post_and_stores_the_forms_date(paper, lettered, staff_clinic,
                                                                               ids) -> None:
    code, visit_id = lettered
    scan(paper, shown(code))
    assert paper.patient is not None and paper.patient.mrn == "K-002"
    assert {visit.id for visit, _ in paper.forms} == {visit_id}
    assert [form.instrument.id for _, form in paper.forms] == ["nrs", "odi", "sf12", "satisfaction", "relief"]
    assert paper.mode.value() == "post" and not paper.code_problem.isVisible()
    assert QApplication.focusWidget() is paper.form_date
    QTest.keyClicks(paper.form_date, FORM_DAY.isoformat())
    QTest.keyClick(paper.form_date, Qt.Key.Key_Tab)
    type_answers(NRS_ODI)
    click(paper.complete_button)
    assert paper.status.text() == "2 questionnaires completed and scored."
    assert QApplication.focusWidget() is paper.code  # ready for the next pack
    entered = {e.entity_id for e in as_system(staff_clinic).audit.events(entity="response") if e.actor == "nina"}
    responses = [as_system(staff_clinic).collection.response(response_id) for response_id in entered]
    assert {r.instrument for r in responses} == {"nrs", "odi"}
    for response in responses:
        assert (response.mode, response.status, response.visit_id) == ("post", "complete", visit_id)
        assert response.completed_at.date() == FORM_DAY
    assert [form.instrument.id for _, form in paper.forms] == ["sf12", "satisfaction", "relief"]


def test_a_wrong_code_is_refused_at_the_field(paper, lettered, staff_clinic) -> None:
    code, visit_id = lettered
    typo = code[:4] + ALPHABET[(ALPHABET.index(code[4]) + 1) % 32] + code[5:]
    scan(paper, shown(typo))
    assert paper.patient is None and paper.code_problem.isVisible()
    assert paper.code_problem.text() == (f"'{shown(typo)}' has a mistyped character: check the code on the page "
                                         "and type it again.")
    assert QApplication.focusWidget() is paper.code and paper.code.selectedText() == shown(typo)
    unknown = visit_code(as_system(staff_clinic).database.audit_key, visit_id + 1000)
    scan(paper, unknown)
    assert paper.code_problem.text() == f"No letter was sent with the code '{unknown}'."
    QTest.keyClick(paper.code, Qt.Key.Key_A)
    assert not paper.code_problem.isVisible()  # typing again clears the message


def test_the_code_of_a_visit_already_entered_is_refused(paper, lettered, staff_clinic) -> None:
    code, visit_id = lettered
    visit = as_system(staff_clinic).letters.lookup(code).visit
    as_system(staff_clinic).collection.enter_paper(visit_id, {name: dict(ANSWERS[name]) for name in visit.instruments},
                                                   TODAY, mode="post")
    scan(paper, code.lower())
    assert paper.patient is None
    assert paper.code_problem.text() == "The m3 questionnaires of this code were already entered."
