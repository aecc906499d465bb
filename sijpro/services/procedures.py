"""Procedures: the first one recorded for a patient is the index surgery and anchors the schedule."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sijpro.errors import InputErrors, UserError
from sijpro.records import ProcedureDraft, ProcedureRecord
from sijpro.services.audit import Change, field_changes, record, refuse_stale
from sijpro.services.checks import edit_reason, procedure_problems
from sijpro.services.context import ServiceContext
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import audited_visits, is_past_collecting, plan_visits, visits_in_flight
from sijpro.storage.convert import PROCEDURE_FIELDS, procedure_columns, procedure_record
from sijpro.storage.models import Patient, Procedure, Visit


class Procedures:
    def __init__(self, context: ServiceContext, protocols: Protocols) -> None:
        self.context = context
        self.protocols = protocols

    def record(self, patient_id: int, draft: ProcedureDraft) -> ProcedureRecord:
        """Record a procedure; the patient's first one is the index surgery and schedules their visits."""
        problems = procedure_problems(procedure_columns(draft))
        if problems:
            raise InputErrors(problems)
        with self.context.database.writing() as session:
            if session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            is_index = session.scalar(
                select(Procedure.id).where(Procedure.patient_id == patient_id, Procedure.is_index)
            ) is None
            row = Procedure(patient_id=patient_id, is_index=is_index, created_at=self.context.now(),
                            **procedure_columns(draft))
            session.add(row)
            session.flush()
            created = procedure_record(row)
            audited: dict[str, Any] = {**_audited(created), "is_index": is_index}
            if is_index:
                protocol_id, protocol = self.protocols.current_in(session)
                visits = plan_visits(protocol, draft.surgery_date)
                session.execute(insert(Visit), [
                    {**visit, "patient_id": patient_id, "procedure_id": row.id, "protocol_id": protocol_id}
                    for visit in visits
                ])
                audited["visits"] = audited_visits(visits)
                audited["protocol_version"] = protocol.version
            record(session, self.context, [Change("procedure", row.id, new=audited)])
        return created

    def update(self, procedure_id: int, changes: dict[str, Any], *, expected_version: int,
               reason: str) -> ProcedureRecord:
        """Edit a procedure; a new index surgery date moves every visit not yet completed."""
        reason = edit_reason("procedure", changes, PROCEDURE_FIELDS, reason)
        with self.context.database.writing() as session:
            row = session.get(Procedure, procedure_id)
            if row is None:
                raise UserError(f"no procedure with id {procedure_id}")
            refuse_stale(session, "procedure", row.id, row.row_version, expected_version)
            before = procedure_record(row)
            after = dataclasses.replace(_draft_of(before), **changes)
            problems = procedure_problems(procedure_columns(after))
            if problems:
                raise InputErrors(problems)
            for name, value in procedure_columns(after).items():
                setattr(row, name, value)
            session.flush()
            updated = procedure_record(row)
            audit = field_changes("procedure", row.id, _audited(before), _audited(updated), reason)
            if row.is_index and before.surgery_date != updated.surgery_date:
                audit += self._move_visits(session, row, reason)
            record(session, self.context, audit)
        return updated

    def for_patient(self, patient_id: int) -> list[ProcedureRecord]:
        with self.context.database.reading() as session:
            rows = session.scalars(select(Procedure).where(Procedure.patient_id == patient_id)
                                   .order_by(Procedure.surgery_date, Procedure.id))
            return [procedure_record(row) for row in rows]

    def _move_visits(self, session: Session, procedure: Procedure, reason: str) -> list[Change]:
        """Re-anchor the visits not yet completed; a missed visit whose new window is still open revives."""
        changes: list[Change] = []
        today = self.context.today()
        for visit in visits_in_flight(session, procedure.patient_id):
            timepoint = self.protocols.by_id(session, visit.protocol_id).timepoint(visit.timepoint)
            start, end = timepoint.window(procedure.surgery_date)
            before = {"due_date": visit.due_date, "window_start": visit.window_start,
                      "window_end": visit.window_end, "status": visit.status}
            visit.due_date = timepoint.due_date(procedure.surgery_date)
            visit.window_start, visit.window_end = start, end
            if visit.status == "missed" and not is_past_collecting(end, today):
                visit.status = "scheduled"
            after = {name: getattr(visit, name) for name in before}
            changes += field_changes("visit", visit.id, before, after, reason)
        session.flush()
        return changes


def _audited(procedure: ProcedureRecord) -> dict[str, Any]:
    return {name: getattr(procedure, name) for name in PROCEDURE_FIELDS}


def _draft_of(procedure: ProcedureRecord) -> ProcedureDraft:
    return ProcedureDraft(**_audited(procedure))
