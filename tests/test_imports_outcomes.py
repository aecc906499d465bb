"""Loading an ImportBatch (all or nothing, every problem listed) and reading outcomes back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from sijpro.errors import InputErrors
from sijpro.progress import Cancelled
from sijpro.records import ImportBatch, ProcedureDraft
from sijpro.scoring import score_answers
from sijpro.services.clinic import Clinic
from sijpro.storage.models import Answer, AuditEvent, Patient
from tests.factories import ANSWERS, operated_patient, patient_draft, questionnaire

# conftest's clock says today is 3 June 2024.
A_SURGERY = dt.date(2023, 9, 4)   # baseline, w6, m3 windows long closed; m6 window 6 Feb - 15 Apr 2024
B_SURGERY = dt.date(2024, 4, 22)  # w6 due 3 June 2024


def _batch() -> ImportBatch:
    return ImportBatch(
        patients=(
            (patient_draft("A", family_name="Alpha", bmi=29.0, fbss=True, prior_interventions=frozenset({"RFA"})),
             ProcedureDraft(A_SURGERY, side="bilateral", approach="lateral", second_side_date=dt.date(2023, 10, 2))),
            (patient_draft("B", family_name="Beta", birth_date=dt.date(1950, 1, 1), sex="M"),
             ProcedureDraft(B_SURGERY, side="right", approach="posterior")),
        ),
        questionnaires=(
            questionnaire("A", "baseline", "nrs", dt.date(2023, 8, 20)),
            questionnaire("A", "baseline", "odi", dt.date(2023, 8, 21), odi8=None),
            questionnaire("A", "baseline", "sf12", dt.date(2023, 8, 21)),
            questionnaire("A", "w6", "nrs", dt.date(2023, 10, 17), lumbar=3),  # w6 answered in part
            *(questionnaire("A", "m6", instrument, dt.date(2024, 5, 1))
              for instrument in ("nrs", "odi", "sf12", "satisfaction")),
            questionnaire("A", "m6", "relief", dt.date(2024, 5, 1), percent=80),
            questionnaire("B", "baseline", "sf12", dt.date(2024, 4, 1)),
            questionnaire("B", "baseline", "nrs", dt.date(2024, 4, 1)),
            questionnaire("B", "baseline", "odi", dt.date(2024, 4, 1)),
        ),
        cancelled_visits=(("A", "m3"),),
    )


def _count(clinic: Clinic, model: type) -> int:
    with clinic.database.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_creates_patients_visits_and_scored_questionnaires(clinic: Clinic) -> None:
    events_before = len(clinic.audit.events())
    seen: list[tuple[int, int]] = []
    batch = _batch()
    summary = clinic.imports.load(batch, progress=lambda done, total: seen.append((done, total)))
    assert (summary.patients, summary.procedures, summary.visits, summary.questionnaires) == (2, 2, 12, 12)
    assert summary.answers == sum(len(q.answers) for q in batch.questionnaires)
    assert seen[-1] == (14, 14)
    assert summary.audit_events == len(clinic.audit.events()) - events_before == 2 + 2 + 12
    assert len(clinic.audit.events(entity="state")) == 2  # init's, and the import's one seal
    a = clinic.patients.by_mrn("A")
    assert a is not None and a.prior_interventions == frozenset({"RFA"})
    visits = {v.timepoint: v for v in clinic.schedule.timeline(a.id)}
    assert (visits["baseline"].status, visits["baseline"].completed_on) == ("completed", dt.date(2023, 8, 21))
    assert visits["w6"].status == "scheduled"  # one questionnaire of four: the dates make it missed
    assert {e.visit.timepoint: e.state.code for e in clinic.schedule.course(a.id)}["w6"] == "missed"
    assert visits["m3"].status == "cancelled"
    assert visits["m6"].status == "completed"
    assert visits["m12"].status == "scheduled"
    assert (summary.completed_visits, summary.cancelled_visits, summary.missed_visits) == (3, 1, 1)
    b_visits = {v.timepoint: v.status for v in clinic.schedule.timeline(clinic.patients.by_mrn("B").id)}
    assert b_visits == {code: "completed" if code == "baseline" else "scheduled" for code in b_visits}
    assert clinic.audit.verify_chain().ok


def test_visits_whose_window_passed_without_questionnaires_are_missed(clinic: Clinic) -> None:
    batch = ImportBatch(patients=((patient_draft("OLD"), ProcedureDraft(dt.date(2022, 1, 10))),))
    summary = clinic.imports.load(batch)
    course = clinic.schedule.course(clinic.patients.by_mrn("OLD").id)
    # Even the m24 window closed on 3 April 2024, more than 30 days before "today" (3 June 2024); the state
    # comes from the dates, never from a stored status.
    assert [e.state.code for e in course] == ["missed"] * 6 and summary.missed_visits == 6
    assert {e.visit.status for e in course} == {"scheduled"}


def test_outcomes_carry_scores_versions_and_late_flags(clinic: Clinic) -> None:
    clinic.imports.load(_batch())
    a = clinic.outcomes.patient(clinic.patients.by_mrn("A").id)
    assert a.index_procedure is not None and a.index_procedure.side == "bilateral"
    assert a.protocol_name and a.protocol_version == 1
    baseline = a.at("baseline")
    assert baseline is not None and baseline.scores["nrs.lumbar"] == 7
    expected_odi = score_answers("odi", {**ANSWERS["odi"], "odi8": None}).values["odi"]
    assert baseline.scores["odi.odi"] == pytest.approx(expected_odi)
    assert baseline.versions == {"nrs": "nrs-1", "odi": "odi-2.1a-1", "sf12": "sf12v1-us1990-1"}
    assert not baseline.late
    m6 = a.at("m6")
    assert m6 is not None and m6.late  # window closed 15 April
    assert {"relief.percent": 80.0, "relief.worse": 0.0}.items() <= m6.scores.items()
    assert a.last_follow_up() == m6
    cohort = clinic.outcomes.cohort()
    assert [o.patient.mrn for o in cohort] == ["A", "B"]
    assert cohort[0] == a


def test_questionnaires_for_patients_already_in_the_database(clinic: Clinic) -> None:
    patient = operated_patient(clinic, "OLD1", surgery=dt.date(2024, 4, 22))
    batch = ImportBatch(questionnaires=(questionnaire("OLD1", "baseline", "nrs", dt.date(2024, 4, 2)),
                                        questionnaire("OLD1", "baseline", "odi", dt.date(2024, 4, 3)),
                                        questionnaire("OLD1", "baseline", "sf12", dt.date(2024, 4, 2))))
    summary = clinic.imports.load(batch)
    assert summary.patients == 0 and summary.questionnaires == 3 and summary.completed_visits == 1
    baseline = clinic.schedule.timeline(patient.id)[0]
    assert (baseline.status, baseline.completed_on) == ("completed", dt.date(2024, 4, 3))
    status_events = [e for e in clinic.audit.events(entity="visit", entity_id=baseline.id)]
    assert [(e.field, e.old, e.new) for e in status_events] == [
        ("status", "scheduled", "completed"), ("completed_on", None, "2024-04-03")]
    with pytest.raises(InputErrors, match="already recorded"):
        again = questionnaire("OLD1", "baseline", "nrs", dt.date(2024, 4, 2))
        clinic.imports.load(ImportBatch(questionnaires=(again,)))


def test_any_problem_lists_all_and_writes_nothing(clinic: Clinic) -> None:
    operated_patient(clinic, "TAKEN")
    before = (_count(clinic, Patient), _count(clinic, Answer), _count(clinic, AuditEvent))
    batch = ImportBatch(
        patients=(
            (patient_draft("NEW"), ProcedureDraft(dt.date(2024, 1, 8))),
            (patient_draft("NEW", family_name="Twice"), ProcedureDraft(dt.date(2024, 1, 8))),
            (patient_draft("TAKEN", family_name="Again"), ProcedureDraft(dt.date(2024, 1, 8))),
            (patient_draft("BADSEX", sex="?"), ProcedureDraft(dt.date(2024, 1, 8), side="up")),
        ),
        questionnaires=(
            questionnaire("NEW", "baseline", "nrs", dt.date(2024, 1, 2)),
            questionnaire("NEW", "baseline", "nrs", dt.date(2024, 1, 2)),
            questionnaire("NEW", "w6", "nrs", dt.date(2024, 2, 20), lumbar=11),
            questionnaire("NEW", "w6", "sf12", dt.date(2024, 2, 20)),
            questionnaire("NEW", "m36", "nrs", dt.date(2024, 2, 20)),
            questionnaire("GHOST", "baseline", "nrs", dt.date(2024, 1, 2)),
            questionnaire("NEW", "m3", "nrs", dt.date(2030, 1, 1)),
            questionnaire("NEW", "m6", "odi", dt.date(2024, 5, 1), odi99=1),
        ),
        cancelled_visits=(("NEW", "nowhere"),),
    )
    with pytest.raises(InputErrors) as errors:
        clinic.imports.load(batch)
    problems = errors.value.problems
    expected = [
        "patient NEW: listed twice",
        "patient TAKEN: MRN already registered",
        "patient BADSEX: field 'sex'",
        "patient BADSEX: field 'side'",
        "questionnaire NEW w6 nrs: nrs item 'lumbar': 11 is outside 0-10",
        "questionnaire NEW baseline nrs: this questionnaire is already recorded",
        "questionnaire NEW w6 sf12: sf12 is not collected at w6",
        "questionnaire NEW m36 nrs: no timepoint 'm36' for this patient",
        "questionnaire GHOST baseline nrs: no patient with this MRN",
        "questionnaire NEW m3 nrs: completed_on",
        "questionnaire NEW m6 odi: odi has no item 'odi99'",
        "cancelled visit NEW nowhere: no such visit",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert (_count(clinic, Patient), _count(clinic, Answer), _count(clinic, AuditEvent)) == before


def test_cancelling_from_the_progress_callback_rolls_everything_back(clinic: Clinic) -> None:
    def cancel(done: int, total: int) -> None:
        if done >= 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        clinic.imports.load(_batch(), progress=cancel)
    assert _count(clinic, Patient) == 0
    assert clinic.audit.verify_chain().ok
    assert clinic.imports.load(_batch()).patients == 2
