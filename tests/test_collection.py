"""Collection: what is pending, autosave with validation naming the item, completion with versioned scores,
amendments with a reason, and the resume point of an unfinished questionnaire."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sijpro.errors import InputErrors, UserError
from sijpro.scoring import score_answers
from sijpro.services.clinic import Clinic
from sijpro.services.collection import Collection
from sijpro.services.context import FixedClock
from tests.factories import ANSWERS, answer_all, operated_patient
from tests.trusted import trusted

SURGERY = dt.date(2024, 4, 22)  # conftest's today (3 June 2024) is w6's due date


@pytest.fixture
def w6(clinic: Clinic) -> int:
    patient = operated_patient(clinic, surgery=SURGERY)
    return clinic.schedule.timeline(patient.id)[1].id


def test_pending_lists_due_and_overdue_questionnaires_in_protocol_order(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    pending = clinic.collection.pending(patient.id)
    assert [(visit.timepoint, instrument) for visit, instrument in pending] == [
        ("w6", "nrs"), ("w6", "odi"), ("w6", "satisfaction"), ("w6", "relief")]
    before_surgery = clinic.collection.pending(patient.id, dt.date(2024, 4, 1))
    assert [(v.timepoint, i) for v, i in before_surgery] == [("baseline", "nrs"), ("baseline", "odi"),
                                                            ("baseline", "sf12")]
    baseline = before_surgery[0][0]
    answer_all(clinic, baseline.id, ("nrs",))
    assert [i for _, i in clinic.collection.pending(patient.id, dt.date(2024, 4, 1))] == ["odi", "sf12"]
    later = clinic.collection.pending(patient.id, dt.date(2024, 8, 1))  # w6 is past its grace period
    assert {visit.timepoint for visit, _ in later} == {"m3"}


def test_every_answer_is_committed_at_once(clinic: Clinic, database_url: str, w6: int) -> None:
    response = clinic.collection.open(w6, "nrs", mode="kiosk", language="fr")
    clinic.collection.save_answer(response.id, "lumbar", 6)
    with trusted(database_url) as elsewhere:  # another connection, another process would see the same
        seen = elsewhere.collection.response(response.id)
    assert seen.answers == {"lumbar": 6} and seen.status == "in-progress" and seen.language == "fr"
    assert clinic.schedule.visit(w6).status == "open"
    changed = clinic.collection.save_answer(response.id, "lumbar", 5)
    assert changed.answers == {"lumbar": 5}
    events = [(e.field, e.old, e.new) for e in clinic.audit.events(entity="response", entity_id=response.id)]
    assert events[1:] == [("lumbar", None, 6), ("lumbar", 6, 5)]


def test_invalid_answers_are_refused_naming_the_item(clinic: Clinic, w6: int) -> None:
    nrs = clinic.collection.open(w6, "nrs")
    with pytest.raises(UserError, match="nrs item 'lumbar': 11 is outside 0-10"):
        clinic.collection.save_answer(nrs.id, "lumbar", 11)
    with pytest.raises(UserError, match="nrs has no item 'neck'"):
        clinic.collection.save_answer(nrs.id, "neck", 1)
    with pytest.raises(UserError, match="nrs item 'lumbar': an answer is required"):
        clinic.collection.save_answer(nrs.id, "lumbar", None)
    with pytest.raises(UserError, match="nrs item 'lumbar': expected a whole number"):
        clinic.collection.save_answer(nrs.id, "lumbar", True)  # type: ignore[arg-type]
    satisfaction = clinic.collection.open(w6, "satisfaction")
    with pytest.raises(UserError, match="satisfaction item 'overall': 7 is not one of 1, 2, 3, 4"):
        clinic.collection.save_answer(satisfaction.id, "overall", 7)
    assert clinic.collection.response(nrs.id).answers == {}
    odi = clinic.collection.open(w6, "odi")
    assert clinic.collection.save_answer(odi.id, "odi8", None).answers == {"odi8": None}  # optional: skip


def test_open_refusals(clinic: Clinic, w6: int) -> None:
    with pytest.raises(UserError, match="sf12 is not collected at w6"):
        clinic.collection.open(w6, "sf12")
    with pytest.raises(UserError, match="not available in language 'de'"):
        clinic.collection.open(w6, "nrs", language="de")
    with pytest.raises(UserError, match="unknown instrument"):
        clinic.collection.open(w6, "phq9")
    with pytest.raises(UserError, match="no visit with id 999"):
        clinic.collection.open(999, "nrs")


def test_open_resumes_and_reports_where_to_start(clinic: Clinic, w6: int) -> None:
    first = clinic.collection.open(w6, "odi")
    for item in ("odi1", "odi2", "odi3"):
        clinic.collection.save_answer(first.id, item, 1)
    assert clinic.collection.resume_item(first.id) == "odi4"
    again = clinic.collection.open(w6, "odi")
    assert again.id == first.id and set(again.answers) == {"odi1", "odi2", "odi3"}
    assert [r.id for r in clinic.collection.in_progress()] == [first.id]
    for number in range(4, 11):
        clinic.collection.save_answer(first.id, f"odi{number}", None if number == 8 else 1)
    assert clinic.collection.resume_item(first.id) is None


def test_complete_scores_with_versions_and_closes_the_visit(clinic: Clinic, clock: FixedClock, w6: int) -> None:
    nrs = clinic.collection.open(w6, "nrs")
    clinic.collection.save_answer(nrs.id, "lumbar", 7)
    with pytest.raises(UserError, match="nrs: not answered yet: radicular"):
        clinic.collection.complete(nrs.id)
    clinic.collection.save_answer(nrs.id, "radicular", 2)
    clock.set(dt.datetime(2024, 6, 3, 9, 30, tzinfo=dt.UTC))
    done = clinic.collection.complete(nrs.id)
    assert done.status == "complete" and done.completed_at == dt.datetime(2024, 6, 3, 9, 30)
    assert [(s.key, s.value, s.version) for s in done.scores] == [("nrs.lumbar", 7.0, "nrs-1"),
                                                                   ("nrs.radicular", 2.0, "nrs-1")]
    with pytest.raises(UserError, match="completed; correct it with amend"):
        clinic.collection.save_answer(nrs.id, "lumbar", 1)
    with pytest.raises(UserError, match="already completed"):
        clinic.collection.open(w6, "nrs")
    assert clinic.schedule.visit(w6).status == "open"
    answer_all(clinic, w6, ("odi", "satisfaction", "relief"))
    visit = clinic.schedule.visit(w6)
    assert (visit.status, visit.completed_on, visit.late) == ("completed", dt.date(2024, 6, 3), False)
    outcome = clinic.outcomes.patient(visit.patient_id).at("w6")
    assert outcome is not None
    assert outcome.scores["odi.odi"] == pytest.approx(score_answers("odi", ANSWERS["odi"]).values["odi"])
    assert outcome.versions["satisfaction"] == "satisfaction-1"
    assert clinic.collection.in_progress() == []


def test_paper_forms_may_come_back_with_blanks(clinic: Clinic, w6: int) -> None:
    odi = clinic.collection.open(w6, "odi", mode="paper")
    for number in range(1, 9):
        clinic.collection.save_answer(odi.id, f"odi{number}", 2)
    clinic.collection.save_answer(odi.id, "odi9", None)
    done = clinic.collection.complete(odi.id)  # odi10 never written: two sections missing
    assert done.mode == "paper" and [s.value for s in done.scores] == [None]


def test_amend_needs_a_reason_and_rescores(clinic: Clinic, w6: int) -> None:
    [nrs] = answer_all(clinic, w6, ("nrs",))
    nrs_id = nrs.id
    with pytest.raises(UserError, match="reason is required"):
        clinic.collection.amend(nrs_id, "lumbar", 3, reason=" ")
    with pytest.raises(UserError, match="nrs item 'lumbar': 12 is outside"):
        clinic.collection.amend(nrs_id, "lumbar", 12, reason="typo")
    amended = clinic.collection.amend(nrs_id, "lumbar", 3, reason="patient misread the scale")
    assert amended.status == "amended" and amended.answers["lumbar"] == 3
    assert amended.scores[0].value == 3.0
    outcome = clinic.outcomes.patient(clinic.schedule.visit(w6).patient_id).at("w6")
    assert outcome is not None and outcome.scores["nrs.lumbar"] == 3.0
    events = clinic.audit.events(entity="response", entity_id=nrs_id)
    lumbar = [e for e in events if e.field == "lumbar"]
    assert (lumbar[-1].old, lumbar[-1].new, lumbar[-1].reason) == (7, 3, "patient misread the scale")
    rescored = [e for e in events if e.field == "scores"][-1]
    assert rescored.old == {"lumbar": 7.0, "radicular": 4.0} and rescored.new["lumbar"] == 3.0
    second = clinic.collection.amend(nrs_id, "radicular", 5, reason="second look")
    assert second.status == "amended"
    open_one = clinic.collection.open(w6, "relief")
    with pytest.raises(UserError, match="still in progress"):
        clinic.collection.amend(open_one.id, "percent", 10, reason="x")


def test_scoring_follows_the_protocol_of_the_visit(clinic: Clinic) -> None:
    protocol = clinic.protocols.current()
    strict = dataclasses.replace(protocol, scoring={"odi": {"max_missing": 0}})
    clinic.protocols.save_new_version(strict)
    patient = operated_patient(clinic, "STRICT", surgery=SURGERY)
    w6 = clinic.schedule.timeline(patient.id)[1].id
    odi = clinic.collection.open(w6, "odi")
    for item, value in ANSWERS["odi"].items():
        clinic.collection.save_answer(odi.id, item, None if item == "odi8" else value)
    assert [s.value for s in clinic.collection.complete(odi.id).scores] == [None]


def test_paper_questionnaires_are_entered_whole_on_the_forms_date(clinic: Clinic, w6: int) -> None:
    form_day = dt.date(2024, 5, 30)
    entered = clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 6, "radicular": 2},
                                                 "odi": {f"odi{n}": 1 for n in range(1, 10)}}, form_day)
    assert [(r.instrument, r.mode, r.status, r.completed_at.date()) for r in entered] == [
        ("nrs", "paper", "complete", form_day), ("odi", "paper", "complete", form_day)]
    assert {s.name: s.value for s in entered[1].scores}["odi"] == pytest.approx(9 / 45 * 100)
    clinic.collection.enter_paper(w6, {"satisfaction": {"overall": 1, "would_repeat": 1},
                                       "relief": {"percent": 80}}, form_day)
    visit = clinic.schedule.visit(w6)
    assert visit.status == "completed" and visit.completed_on == form_day


def test_paper_entry_with_any_problem_writes_nothing(clinic: Clinic, w6: int) -> None:
    before = len(clinic.audit.events())
    with pytest.raises(InputErrors) as refused:
        clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 11, "radicular": 2}, "odi": {"odi1": 2}},
                                      dt.date(2024, 6, 4))
    assert list(map(str, refused.value.problems)) == [
        "field 'nrs.lumbar': nrs item 'lumbar': 11 is outside 0-10",
        "field 'form_date': 2024-06-04 is in the future"]
    with pytest.raises(InputErrors, match="field 'form_date': a follow-up form is filled in after the surgery"):
        clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 1}}, SURGERY)
    with pytest.raises(InputErrors, match="field 'form_date': required"):
        clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 1}}, None)
    after = len(clinic.audit.events())
    assert after == before and clinic.collection.in_progress() == []


def test_paper_entry_is_one_transaction(clinic: Clinic, w6: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while storing the second questionnaire leaves the first unsaved too."""
    rescore = Collection._rescore

    def failing(self, session, row, answers):
        if row.instrument == "odi":
            raise RuntimeError("disk full")
        return rescore(self, session, row, answers)

    monkeypatch.setattr(Collection, "_rescore", failing)
    with pytest.raises(RuntimeError):
        clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 6, "radicular": 2}, "odi": {"odi1": 2}},
                                      dt.date(2024, 5, 30))
    monkeypatch.undo()
    assert clinic.collection.in_progress() == []
    assert clinic.schedule.visit(w6).status == "scheduled"
    assert [i for _, i in clinic.collection.pending(clinic.schedule.visit(w6).patient_id)] == [
        "nrs", "odi", "satisfaction", "relief"]


def test_a_baseline_form_is_dated_before_the_surgery(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    baseline = clinic.schedule.timeline(patient.id)[0].id
    with pytest.raises(InputErrors, match="a baseline form is filled in before the surgery"):
        clinic.collection.enter_paper(baseline, {"nrs": {"lumbar": 5, "radicular": 5}},
                                      SURGERY + dt.timedelta(days=1))
    [nrs] = clinic.collection.enter_paper(baseline, {"nrs": {"lumbar": 5, "radicular": 5}}, SURGERY)
    assert nrs.completed_at.date() == SURGERY


def test_paper_entry_is_refused_while_a_tablet_holds_the_visit(clinic: Clinic, w6: int) -> None:
    clinic.claims.claim([w6], "tablet-2")
    with pytest.raises(UserError, match="tablet-2"):
        clinic.collection.enter_paper(w6, {"nrs": {"lumbar": 6, "radicular": 2}}, dt.date(2024, 5, 30))
    assert clinic.collection.in_progress() == []


def test_complete_all_completes_every_questionnaire_or_none(clinic: Clinic, w6: int) -> None:
    from tests.factories import ANSWERS

    opened = []
    for instrument in ("nrs", "odi", "satisfaction", "relief"):
        response = clinic.collection.open(w6, instrument)
        for item, value in ANSWERS[instrument].items():
            if (instrument, item) != ("relief", "percent"):
                clinic.collection.save_answer(response.id, item, value)
        opened.append(response.id)
    events_before = len(clinic.audit.events())
    with pytest.raises(UserError, match="relief: not answered yet: percent"):
        clinic.collection.complete_all(opened)
    assert [clinic.collection.response(rid).status for rid in opened] == ["in-progress"] * 4
    assert clinic.schedule.visit(w6).status == "open" and clinic.outcomes.patient(
        clinic.schedule.visit(w6).patient_id).at("w6").scores == {}
    assert len(clinic.audit.events()) == events_before  # nothing recorded either
    clinic.collection.save_answer(opened[-1], "percent", ANSWERS["relief"]["percent"])
    done = clinic.collection.complete_all(opened)
    assert [r.status for r in done] == ["complete"] * 4
    assert clinic.schedule.visit(w6).status == "completed"
