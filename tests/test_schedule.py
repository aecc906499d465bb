"""Procedures and the schedule: the index surgery plans the protocol's visits; moving it moves what is not
completed; the worklist sorts visits into due, overdue, upcoming and missed on any chosen day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sijpro.errors import ConflictError, InputErrors, UserError
from sijpro.protocol import default_protocol
from sijpro.records import ProcedureDraft
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.factories import answer_all, operated_patient, patient_draft

SURGERY = dt.date(2024, 1, 15)


def test_index_surgery_plans_every_visit_of_the_protocol(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    timeline = clinic.schedule.timeline(patient.id)
    protocol = default_protocol()
    assert [v.timepoint for v in timeline] == list(protocol.codes)
    for visit, timepoint in zip(timeline, protocol.timepoints, strict=True):
        assert visit.due_date == timepoint.due_date(SURGERY)
        assert (visit.window_start, visit.window_end) == timepoint.window(SURGERY)
        assert visit.instruments == timepoint.instruments
        assert visit.status == "scheduled"
    m3 = timeline[2]
    assert (m3.due_date, m3.window_start, m3.window_end) == (dt.date(2024, 4, 15), dt.date(2024, 4, 1),
                                                             dt.date(2024, 5, 13))


def test_later_procedures_are_not_index_and_plan_nothing(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    revision = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 5, 1), side="left",
                                                                   approach="posterior"))
    assert not revision.is_index
    assert len(clinic.schedule.timeline(patient.id)) == len(default_protocol().timepoints)
    assert [p.is_index for p in clinic.procedures.for_patient(patient.id)] == [True, False]


def test_staged_bilateral_and_procedure_validation(clinic: Clinic) -> None:
    patient = clinic.patients.register(patient_draft())
    with pytest.raises(InputErrors) as errors:
        clinic.procedures.record(patient.id, ProcedureDraft(SURGERY, side="left", approach="sideways",
                                                            second_side_date=dt.date(2024, 1, 1)))
    assert "field 'approach'" in str(errors.value) and "field 'second_side_date'" in str(errors.value)
    staged = clinic.procedures.record(patient.id, ProcedureDraft(SURGERY, side="bilateral", approach="lateral",
                                                                 second_side_date=dt.date(2024, 2, 20)))
    assert staged.second_side_date == dt.date(2024, 2, 20) and staged.is_index
    with pytest.raises(UserError, match="no patient with id 404"):
        clinic.procedures.record(404, ProcedureDraft(SURGERY))


def test_new_surgery_date_moves_only_visits_not_completed(clinic: Clinic, clock: FixedClock) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [procedure] = clinic.procedures.for_patient(patient.id)
    before = {v.timepoint: v for v in clinic.schedule.timeline(patient.id)}
    clock.set(dt.date(2024, 2, 27))
    answer_all(clinic, before["w6"].id, before["w6"].instruments)
    moved = clinic.procedures.update(procedure.id, {"surgery_date": dt.date(2024, 1, 29)},
                                     expected_version=procedure.row_version, reason="date entered wrongly")
    assert moved.surgery_date == dt.date(2024, 1, 29) and moved.row_version == 2
    after = {v.timepoint: v for v in clinic.schedule.timeline(patient.id)}
    assert after["w6"] == dataclasses.replace(before["w6"], status="completed", completed_on=dt.date(2024, 2, 27))
    for code in ("baseline", "m3", "m6", "m12", "m24"):
        assert after[code].due_date == before[code].due_date + dt.timedelta(days=14), code
        assert after[code].window_end == before[code].window_end + dt.timedelta(days=14)
    moves = [e for e in clinic.audit.events(entity="visit") if e.field == "due_date"]
    assert len(moves) == 5 and {e.reason for e in moves} == {"date entered wrongly"}
    with pytest.raises(ConflictError):
        clinic.procedures.update(procedure.id, {"device": "iFuse"}, expected_version=1, reason="x")


def _worklist_cohort(clinic: Clinic) -> dict[str, int]:
    """Three patients operated on different days."""
    return {
        "early": operated_patient(clinic, "EARLY", dt.date(2023, 12, 1), family_name="Early").id,
        "mid": operated_patient(clinic, "MID", SURGERY, family_name="Mid").id,
        "late": operated_patient(clinic, "LATE", dt.date(2024, 4, 10), family_name="Late").id,
    }


def _entries(section: tuple) -> list[tuple[str, str]]:
    return [(entry.patient.mrn, entry.visit.timepoint) for entry in section]


def test_worklist_classifies_visits_on_chosen_days(clinic: Clinic) -> None:
    _worklist_cohort(clinic)
    day = dt.date(2024, 3, 20)
    worklist = clinic.schedule.worklist(day, overdue_days=30, upcoming_days=14)
    # MID: baseline closed 15 Jan (older than overdue + missed horizon: history, not listed), w6 window
    # 12 Feb - 11 Mar (closed 9 days ago), m3 opens 1 Apr. EARLY: w6 window closed 26 Jan (54 days: missed,
    # within the horizon), m3 window 16 Feb - 29 Mar. LATE: baseline window 11 Jan - 10 Apr.
    assert _entries(worklist.due) == [("EARLY", "m3"), ("LATE", "baseline")]
    assert _entries(worklist.overdue) == [("MID", "w6")]
    assert worklist.overdue[0].days_late == 9
    assert worklist.overdue[0].pending == ("nrs", "odi", "satisfaction", "relief")
    assert _entries(worklist.upcoming) == [("MID", "m3")]
    assert _entries(worklist.missed) == [("EARLY", "w6")]
    assert worklist.counts == {"due": 2, "overdue": 1, "upcoming": 1, "missed": 1}
    later = clinic.schedule.worklist(dt.date(2024, 4, 20))
    assert ("MID", "w6") in _entries(later.missed)
    assert ("MID", "m3") in _entries(later.due)
    # a baseline is never collected after surgery: missed the day after, not overdue
    assert ("LATE", "baseline") in _entries(later.missed) and _entries(later.overdue) == [("EARLY", "m3")]


def test_worklist_pending_instruments_and_completed_visits(clinic: Clinic, clock: FixedClock) -> None:
    ids = _worklist_cohort(clinic)
    day = dt.date(2024, 3, 20)
    clock.set(day)
    w6 = clinic.schedule.timeline(ids["mid"])[1]
    answer_all(clinic, w6.id, ("nrs", "odi"))
    response = clinic.collection.open(w6.id, "relief")
    clinic.collection.save_answer(response.id, "percent", 40)
    [entry] = clinic.schedule.worklist(day).overdue
    assert entry.pending == ("satisfaction", "relief") and entry.in_progress
    assert entry.visit.status == "open"
    clinic.collection.complete(response.id)
    answer_all(clinic, w6.id, ("satisfaction",))
    worklist = clinic.schedule.worklist(day)
    assert worklist.overdue == ()
    assert clinic.schedule.visit(w6.id).status == "completed"
    assert clinic.schedule.visit(w6.id).late


def test_new_protocol_version_applies_to_new_patients_only(clinic: Clinic) -> None:
    first = operated_patient(clinic, "P1", SURGERY)
    protocol = clinic.protocols.current()
    shorter = dataclasses.replace(protocol, timepoints=protocol.timepoints[:3])
    saved = clinic.protocols.save_new_version(shorter)
    assert saved.version == 2 and clinic.protocols.current().codes == ("baseline", "w6", "m3")
    second = operated_patient(clinic, "P2", SURGERY, family_name="Other")
    assert len(clinic.schedule.timeline(first.id)) == 6
    assert len(clinic.schedule.timeline(second.id)) == 3
    assert clinic.outcomes.patient(second.id).protocol_version == 2
    assert clinic.outcomes.patient(first.id).protocol_version == 1


def test_timeline_of_unknown_patient(clinic: Clinic) -> None:
    with pytest.raises(UserError, match="no patient with id 77"):
        clinic.schedule.timeline(77)
    patient = clinic.patients.register(patient_draft())
    assert clinic.schedule.timeline(patient.id) == []
