"""Procedures: the first one recorded for a patient is the index surgery and anchors the schedule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from sijpro.access import Capability, requires
from sijpro.errors import InputErrors, UserError
from sijpro.problems import Problem
from sijpro.records import ProcedureDraft, ProcedureRecord
from sijpro.services.audit import NOTHING, Change, field_changes, record, refuse_stale
from sijpro.services.checks import edit_reason, procedure_problems, required_reason
from sijpro.services.context import ServiceContext
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import audited_visits, plan_visits, visits_in_flight
from sijpro.storage.convert import PROCEDURE_FIELDS, procedure_columns, procedure_record
from sijpro.storage.models import Patient, Procedure, Response, Visit, VisitClaim

SAME_SIDE_DAYS = 90
"""A second procedure on the index surgery's side within this many days of it asks for confirmation: the
second side of a staged bilateral fusion usually follows within weeks, a true revision rarely that soon."""


class SameSideWarning(UserError):
    """A second procedure on the same side soon after the index one: confirm it, or record the staged
    second side of the index surgery instead (``record(..., confirm_same_side=True)`` confirms)."""

    def __init__(self, index: ProcedureRecord, draft: ProcedureDraft) -> None:
        self.index = index
        self.draft = draft
        self.days = (draft.surgery_date - index.surgery_date).days
        super().__init__(
            f"the index surgery on {index.surgery_date.isoformat()} was on the {index.side} side too "
            f"({abs(self.days)} days apart): if this is the other side of a staged bilateral fusion, record it "
            "as the index surgery's staged second side; confirm to record a second procedure on the same side")


class Procedures:
    def __init__(self, context: ServiceContext, protocols: Protocols) -> None:
        self.context = context
        self.protocols = protocols

    @requires(Capability.PROCEDURES)
    def record(self, patient_id: int, draft: ProcedureDraft, *, confirm_same_side: bool = False) -> ProcedureRecord:
        """Record a procedure; the patient's first one is the index surgery and schedules their visits.

        A second procedure on the index surgery's side within ``SAME_SIDE_DAYS`` of it is refused with a
        ``SameSideWarning`` until confirmed: more often the other side of a staged bilateral fusion (or a
        side picked wrongly) than a true early revision.
        """
        problems = procedure_problems(procedure_columns(draft))
        if problems:
            raise InputErrors(problems)
        with self.context.database.writing() as session:
            if session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            index = session.scalar(select(Procedure).where(Procedure.patient_id == patient_id, Procedure.is_index))
            if index is not None and not confirm_same_side and _same_side_soon(index, draft):
                raise SameSideWarning(procedure_record(index), draft)
            row = Procedure(patient_id=patient_id, is_index=index is None, created_at=self.context.now(),
                            **procedure_columns(draft))
            session.add(row)
            session.flush()
            created = procedure_record(row)
            audited: dict[str, Any] = {**_audited(created), "is_index": row.is_index}
            if row.is_index:
                audited.update(self._plan(session, row))
            record(session, self.context, [Change("procedure", row.id, new=audited)])
        return created

    def _plan(self, session: Session, index: Procedure) -> dict[str, Any]:
        """Schedule the current protocol's visits around a new index surgery; what the audit records."""
        protocol_id, protocol = self.protocols.current_in(session)
        visits = plan_visits(protocol, index.surgery_date)
        session.execute(insert(Visit), [
            {**visit, "patient_id": index.patient_id, "procedure_id": index.id, "protocol_id": protocol_id}
            for visit in visits
        ])
        return {"visits": audited_visits(visits), "protocol_version": protocol.version}

    @requires(Capability.PROCEDURES)
    def record_second_side(self, procedure_id: int, day: dt.date, *, expected_version: int) -> ProcedureRecord:
        """The staged second side of a fusion, operated on ``day``: the procedure becomes bilateral."""
        return self.update(procedure_id, {"side": "bilateral", "second_side_date": day},
                           expected_version=expected_version,
                           reason=f"staged second side operated on {day.isoformat()}")

    @requires(Capability.PROCEDURES)
    def withdraw(self, procedure_id: int, reason: str, *, expected_version: int) -> ProcedureRecord:
        """Withdraw a procedure recorded by mistake, with a reason (audited; the row stays, marked).

        Withdrawing the index surgery removes the visits it scheduled, which must have no questionnaire
        (correct the surgery's date instead when some were answered), and the patient's next procedure,
        if any, becomes the index surgery with a schedule of its own.
        """
        reason = required_reason(reason, "withdraw a procedure")
        with self.context.database.writing() as session:
            row = session.get(Procedure, procedure_id)
            if row is None:
                raise UserError(f"no procedure with id {procedure_id}")
            refuse_stale(session, "procedure", row.id, row.row_version, expected_version)
            if row.withdrawn_reason is not None:
                raise UserError(f"this procedure was already withdrawn ({row.withdrawn_reason})")
            changes = [Change("procedure", row.id, "withdrawn_reason", None, reason, reason)]
            if row.is_index:
                changes += self._unschedule(session, row, reason)
                changes.append(Change("procedure", row.id, "is_index", True, False, reason))
                row.is_index = False
            row.withdrawn_reason = reason
            session.flush()
            if changes[-1].field == "is_index":
                changes += self._promote_next(session, row.patient_id, reason)
            withdrawn = procedure_record(row)
            record(session, self.context, changes)
        return withdrawn

    def _unschedule(self, session: Session, index: Procedure, reason: str) -> list[Change]:
        """Remove the visits an index surgery recorded by mistake scheduled; refused once any was answered."""
        visits = list(session.scalars(select(Visit).where(Visit.procedure_id == index.id).order_by(Visit.seq)))
        answered = sorted({visit.timepoint for visit in visits if session.scalar(
            select(Response.id).where(Response.visit_id == visit.id).limit(1)) is not None},
            key=[v.timepoint for v in visits].index)
        if answered:
            raise UserError(Problem(None, "withdraw_answered", {"timepoints": ", ".join(answered)}))
        changes = [Change("visit", visit.id, old={"timepoint": visit.timepoint, "due_date": visit.due_date,
                                                  "status": visit.status}, reason=reason) for visit in visits]
        ids = [visit.id for visit in visits]
        session.execute(delete(VisitClaim).where(VisitClaim.visit_id.in_(ids)))
        session.execute(delete(Visit).where(Visit.id.in_(ids)))
        return changes

    def _promote_next(self, session: Session, patient_id: int, reason: str) -> list[Change]:
        """The patient's earliest procedure still standing becomes the index surgery and is scheduled."""
        following = session.scalar(select(Procedure).where(
            Procedure.patient_id == patient_id, Procedure.withdrawn_reason.is_(None))
            .order_by(Procedure.surgery_date, Procedure.id).limit(1))
        if following is None:
            return []
        following.is_index = True
        session.flush()
        planned = self._plan(session, following)
        return [Change("procedure", following.id, "is_index", False, True, reason),
                Change("procedure", following.id, "visits", NOTHING, planned, reason)]

    @requires(Capability.PROCEDURES)
    def update(self, procedure_id: int, changes: dict[str, Any], *, expected_version: int,
               reason: str) -> ProcedureRecord:
        """Edit a procedure; a new index surgery date moves every visit not yet completed."""
        reason = edit_reason("procedure", changes, PROCEDURE_FIELDS, reason)
        with self.context.database.writing() as session:
            row = session.get(Procedure, procedure_id)
            if row is None:
                raise UserError(f"no procedure with id {procedure_id}")
            refuse_stale(session, "procedure", row.id, row.row_version, expected_version)
            if row.withdrawn_reason is not None:
                raise UserError(f"this procedure was withdrawn ({row.withdrawn_reason}): it cannot be changed")
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

    @requires(Capability.PATIENTS)
    def for_patient(self, patient_id: int) -> list[ProcedureRecord]:
        with self.context.database.reading() as session:
            rows = session.scalars(select(Procedure).where(Procedure.patient_id == patient_id)
                                   .order_by(Procedure.surgery_date, Procedure.id))
            return [procedure_record(row) for row in rows]

    def _move_visits(self, session: Session, procedure: Procedure, reason: str) -> list[Change]:
        """Re-anchor the visits not yet completed (their state follows the new dates; a ``missed`` status a
        database of an earlier version stored is dropped with the old dates)."""
        changes: list[Change] = []
        for visit in visits_in_flight(session, procedure.patient_id):
            timepoint = self.protocols.by_id(session, visit.protocol_id).timepoint(visit.timepoint)
            start, end = timepoint.window(procedure.surgery_date)
            before = {"due_date": visit.due_date, "window_start": visit.window_start,
                      "window_end": visit.window_end, "status": visit.status}
            visit.due_date = timepoint.due_date(procedure.surgery_date)
            visit.window_start, visit.window_end = start, end
            if visit.status == "missed":
                visit.status = "scheduled"
            after = {name: getattr(visit, name) for name in before}
            changes += field_changes("visit", visit.id, before, after, reason)
        session.flush()
        return changes


def _same_side_soon(index: Procedure, draft: ProcedureDraft) -> bool:
    """A left or right procedure on the index surgery's side, within ``SAME_SIDE_DAYS`` of it."""
    return (draft.side in ("left", "right") and draft.side == index.side
            and abs((draft.surgery_date - index.surgery_date).days) <= SAME_SIDE_DAYS)


def _audited(procedure: ProcedureRecord) -> dict[str, Any]:
    return {name: getattr(procedure, name) for name in PROCEDURE_FIELDS}


def _draft_of(procedure: ProcedureRecord) -> ProcedureDraft:
    return ProcedureDraft(**_audited(procedure))
