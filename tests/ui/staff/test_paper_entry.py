"""Paper entry: digits and Tab, out-of-range refused at the field, saved as typed in mode "paper" with the
entering nurse in the audit trail, completed and scored on request."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sijpro.instruments import Item
from ui.staff.paper_form import AnswerEdit

pytestmark = pytest.mark.gui


def type_answers(qtbot, answers: list[str]) -> None:
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
    page.search.setText("K-002")
    QTest.keyClick(page.search, Qt.Key.Key_Return)
    assert page.patient is not None and page.patient.mrn == "K-002"
    return page


def test_the_forms_are_the_instruments_due_today_with_their_allowed_values(paper) -> None:
    assert [form.instrument.id for _, form in paper.forms] == ["nrs", "odi", "sf12", "satisfaction", "relief"]
    nrs = paper.forms[0][1]
    assert list(nrs.fields) == ["lumbar", "radicular"]
    assert QApplication.focusWidget() is nrs.fields["lumbar"]
    sf12 = paper.forms[2][1]
    assert sf12.fields["PF02"].toolTip().startswith("1 = ")


def test_digits_and_tab_save_each_answer_as_paper_by_the_nurse(paper, staff_clinic, ids) -> None:
    odi = paper.forms[1][1]
    type_answers(None, ["7", "4"])
    assert QApplication.focusWidget() is odi.fields["odi1"]  # Tab went on to the next questionnaire
    type_answers(None, ["3", "2", "1", "0", "2", "3", "1", "", "2", "0"])  # section 8 left blank
    started = {r.instrument: r for r in staff_clinic.collection.in_progress()}
    assert started["nrs"].answers == {"lumbar": 7, "radicular": 4}
    assert started["nrs"].mode == "paper"
    assert "odi8" not in started["odi"].answers and started["odi"].answers["odi10"] == 0
    actors = {e.actor for e in staff_clinic.audit.events(entity="response", entity_id=started["nrs"].id)}
    assert actors == {"nina"}
    paper.complete_button.click()
    assert paper.status.text() == "2 questionnaire(s) completed and scored."
    assert [form.instrument.id for _, form in paper.forms] == ["sf12", "satisfaction", "relief"]  # still due
    odi_scores = {s.name: s.value for s in staff_clinic.collection.response(started["odi"].id).scores}
    assert odi_scores["odi"] == pytest.approx(14 / 45 * 100)


def test_an_out_of_range_keystroke_is_refused_at_the_field_with_a_message(paper) -> None:
    odi = paper.forms[1][1]
    field = odi.fields["odi1"]
    field.setFocus()
    QTest.keyClicks(field, "7")
    assert field.text() == ""
    assert odi.problem("odi1") == "7 is not an answer here: allowed 0–5."
    QTest.keyClicks(field, "4")
    assert field.text() == "4" and odi.problem("odi1") == ""
    nrs = paper.forms[0][1]
    QTest.keyClicks(nrs.fields["radicular"], "10")
    QTest.keyClicks(nrs.fields["radicular"], "0")
    assert nrs.fields["radicular"].text() == "10"
    assert nrs.problem("radicular") == "100 is not an answer here: allowed 0–10."


def test_tab_does_not_leave_a_field_whose_value_is_not_yet_an_answer(qtbot) -> None:
    field = AnswerEdit(Item(code="q", kind="scale", text={"en": "q"}, minimum=10, maximum=20))
    qtbot.addWidget(field)
    messages: list[str] = []
    field.problem.connect(messages.append)
    QTest.keyClicks(field, "1")
    assert field.text() == "1" and not field.hasAcceptableInput()
    QTest.keyClick(field, Qt.Key.Key_Tab)
    assert messages == ["'1' is not an answer yet: allowed 10–20."]
    QTest.keyClicks(field, "5")
    assert field.value() == 15


def test_an_answer_started_on_the_kiosk_is_shown_and_can_be_finished_on_paper(signed_in, staff_clinic, ids):
    visit = staff_clinic.collection.pending(ids["K-003"])[0][0]
    response = staff_clinic.collection.open(visit.id, "nrs", mode="kiosk", language="en")
    staff_clinic.collection.save_answer(response.id, "lumbar", 5)
    window = signed_in("nina")
    page = window.workspace.open_page("paper")
    page.start_for(ids["K-003"])
    nrs = page.forms[0][1]
    assert nrs.fields["lumbar"].text() == "5"
    nrs.fields["radicular"].setText("2")
    nrs.fields["radicular"].editingFinished.emit()
    page.complete()
    finished = staff_clinic.collection.response(response.id)
    assert finished.status == "complete" and finished.answers == {"lumbar": 5, "radicular": 2}
