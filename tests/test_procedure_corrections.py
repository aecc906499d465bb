"""Procedures recorded by mistake are corrected or withdrawn with a reason (audited, the schedule follows);
a second procedure on the index surgery's side soon after it asks for confirmation; the staged second side
of a bilateral fusion is recorded on the index surgery."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.errors import UserError
from sijpro.records import ProcedureDraft
from sijpro.services.clinic import Clinic
from sijpro.services.procedures import SameSideWarning
from tests.factories import answer_all, operated_patient

SURGERY = dt.date(2024, 1, 15)


def test_a_second_procedure_on_the_same_side_soon_after_asks_for_confirmation(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)  # left side
    second = ProcedureDraft(dt.date(2024, 3, 1), side="left", approach="lateral")
    with pytest.raises(SameSideWarning, match="staged second side") as warned:
        clinic.procedures.record(patient.id, second)
    assert warned.value.index.surgery_date == SURGERY and warned.value.days == 46
    assert len(clinic.procedures.for_patient(patient.id)) == 1  # nothing recorded
    recorded = clinic.procedures.record(patient.id, second, confirm_same_side=True)
    assert not recorded.is_index
    other_side = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 3, 2), side="right"))
    years_later = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2026, 3, 2), side="left"))
    assert not other_side.is_index and not years_later.is_index


def test_the_staged_second_side_is_recorded_on_the_index_surgery(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [index] = clinic.procedures.for_patient(patient.id)
    staged = clinic.procedures.record_second_side(index.id, dt.date(2024, 3, 1), expected_version=index.row_version)
    assert (staged.side, staged.second_side_date, staged.is_index) == ("bilateral", dt.date(2024, 3, 1), True)
    events = [e for e in clinic.audit.events(entity="procedure", entity_id=index.id) if e.field == "side"]
    assert events[-1].reason == "staged second side operated on 2024-03-01"
    assert len(clinic.schedule.timeline(patient.id)) == 6  # the schedule stays on the first side's date


def test_withdrawing_the_index_surgery_removes_its_schedule_and_the_next_one_takes_over(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [mistake] = clinic.procedures.for_patient(patient.id)
    real = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 2, 5), side="right"))
    with pytest.raises(UserError, match="a reason is required"):
        clinic.procedures.withdraw(mistake.id, " ", expected_version=mistake.row_version)
    withdrawn = clinic.procedures.withdraw(mistake.id, "recorded on the wrong patient",
                                           expected_version=mistake.row_version)
    assert withdrawn.withdrawn_reason == "recorded on the wrong patient" and not withdrawn.is_index
    procedures = {p.id: p for p in clinic.procedures.for_patient(patient.id)}
    assert procedures[real.id].is_index and procedures[mistake.id].withdrawn_reason
    timeline = clinic.schedule.timeline(patient.id)
    assert len(timeline) == 6 and timeline[0].due_date == dt.date(2024, 2, 5)
    events = clinic.audit.events(entity="visit")
    assert sum(1 for e in events if e.reason == "recorded on the wrong patient" and e.new is None) == 6
    assert clinic.outcomes.patient(patient.id).index_procedure.id == real.id
    with pytest.raises(UserError, match="already withdrawn"):
        clinic.procedures.withdraw(mistake.id, "again", expected_version=withdrawn.row_version)
    with pytest.raises(UserError, match="was withdrawn"):
        clinic.procedures.update(mistake.id, {"device": "x"}, expected_version=withdrawn.row_version, reason="x")


def test_withdrawing_the_only_surgery_leaves_no_schedule(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [mistake] = clinic.procedures.for_patient(patient.id)
    clinic.procedures.withdraw(mistake.id, "surgery cancelled", expected_version=mistake.row_version)
    assert clinic.schedule.timeline(patient.id) == []
    assert clinic.outcomes.patient(patient.id).index_procedure is None
    again = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 5, 2), side="left"))
    assert again.is_index and len(clinic.schedule.timeline(patient.id)) == 6


def test_a_surgery_with_answers_cannot_be_withdrawn(clinic: Clinic, clock) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [index] = clinic.procedures.for_patient(patient.id)
    baseline = clinic.schedule.timeline(patient.id)[0]
    clock.set(SURGERY)
    answer_all(clinic, baseline.id, ("nrs",))
    with pytest.raises(UserError, match=r"questionnaires were answered on this surgery's schedule \(baseline\)"):
        clinic.procedures.withdraw(index.id, "mistake", expected_version=index.row_version)
    assert clinic.procedures.for_patient(patient.id)[0].withdrawn_reason is None


def test_a_correction_needs_a_reason_and_moves_the_schedule(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    [index] = clinic.procedures.for_patient(patient.id)
    corrected = clinic.procedures.update(index.id, {"surgery_date": dt.date(2024, 1, 22), "side": "right"},
                                         expected_version=index.row_version, reason="typed from the wrong chart")
    assert corrected.side == "right"
    assert clinic.schedule.timeline(patient.id)[1].due_date == dt.date(2024, 3, 4)


def test_verify_finds_nothing_after_corrections_withdrawals_and_paper_entry(clinic: Clinic) -> None:
    """Every row these write is sealed in the audit trail: the database verifies clean afterwards."""
    from sijpro.services.maintenance import verify

    patient = operated_patient(clinic, surgery=dt.date(2024, 4, 22))
    [mistake] = clinic.procedures.for_patient(patient.id)
    real = clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 4, 23), side="left"),
                                    confirm_same_side=True)
    clinic.procedures.withdraw(mistake.id, "entered twice", expected_version=mistake.row_version)
    real = next(p for p in clinic.procedures.for_patient(patient.id) if p.id == real.id)
    clinic.procedures.record_second_side(real.id, dt.date(2024, 5, 7), expected_version=real.row_version)
    w6 = clinic.schedule.timeline(patient.id)[1]
    clinic.collection.enter_paper(w6.id, {"nrs": {"lumbar": 3, "radicular": 1}}, dt.date(2024, 6, 1))
    clinic.protocols.restore(1)
    assert verify(clinic) == []
