"""Complications and reoperations after surgery: recorded, corrected or withdrawn with a reason, audited.

A complication belongs to the patient (not to one procedure): it is dated on or after their first
standing surgery and never in the future. A withdrawn complication stays in the table, marked with its
reason, so the record shows what was entered and why it no longer counts; reports skip it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sijpro.access import Capability, requires
from sijpro.errors import InputErrors, UserError
from sijpro.records import ComplicationDraft, ComplicationRecord
from sijpro.services.audit import Change, field_changes, record, refuse_stale
from sijpro.services.checks import complication_problems, edit_reason, required_reason
from sijpro.services.context import ServiceContext
from sijpro.storage.convert import COMPLICATION_FIELDS, complication_record
from sijpro.storage.models import Complication, Patient, Procedure

ENTITY = "complication"


class Complications:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.PROCEDURES)
    def record(self, patient_id: int, draft: ComplicationDraft) -> ComplicationRecord:
        """Record a complication of an operated patient; every problem with it is listed at once."""
        values = _values(draft)
        with self.context.database.writing() as session:
            if session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            self._check(session, patient_id, values)
            row = Complication(patient_id=patient_id, created_at=self.context.now(), **values)
            session.add(row)
            session.flush()
            created = complication_record(row)
            record(session, self.context, [Change(ENTITY, row.id, new=_audited(created))])
        return created

    @requires(Capability.PROCEDURES)
    def update(self, complication_id: int, changes: dict[str, Any], *, expected_version: int,
               reason: str) -> ComplicationRecord:
        """Correct a complication (its date, kind, side, revision or notes), with a reason."""
        reason = edit_reason(ENTITY, changes, COMPLICATION_FIELDS, reason)
        with self.context.database.writing() as session:
            row = self._standing(session, complication_id, expected_version, "changed")
            before = complication_record(row)
            after = _values(dataclasses.replace(_draft_of(before), **changes))
            self._check(session, row.patient_id, after)
            for name, value in after.items():
                setattr(row, name, value)
            session.flush()
            updated = complication_record(row)
            record(session, self.context, field_changes(ENTITY, row.id, _audited(before), _audited(updated), reason))
        return updated

    @requires(Capability.PROCEDURES)
    def withdraw(self, complication_id: int, reason: str, *, expected_version: int) -> ComplicationRecord:
        """Withdraw a complication recorded by mistake, with a reason (audited; the row stays, marked)."""
        reason = required_reason(reason, "withdraw a complication")
        with self.context.database.writing() as session:
            row = self._standing(session, complication_id, expected_version, "withdrawn again")
            row.withdrawn_reason = reason
            session.flush()
            withdrawn = complication_record(row)
            record(session, self.context, [Change(ENTITY, row.id, "withdrawn_reason", None, reason, reason)])
        return withdrawn

    @requires(Capability.PATIENTS)
    def for_patient(self, patient_id: int, *, withdrawn: bool = True) -> list[ComplicationRecord]:
        """The patient's complications by date; with ``withdrawn=False`` only those that stand."""
        query = select(Complication).where(Complication.patient_id == patient_id)
        if not withdrawn:
            query = query.where(Complication.withdrawn_reason.is_(None))
        with self.context.database.reading() as session:
            rows = session.scalars(query.order_by(Complication.occurred_on, Complication.id))
            return [complication_record(row) for row in rows]

    def _standing(self, session: Session, complication_id: int, expected_version: int, action: str) -> Complication:
        row = session.get(Complication, complication_id)
        if row is None:
            raise UserError(f"no complication with id {complication_id}")
        refuse_stale(session, ENTITY, row.id, row.row_version, expected_version)
        if row.withdrawn_reason is not None:
            raise UserError(f"this complication was withdrawn ({row.withdrawn_reason}): it cannot be {action}")
        return row

    def _check(self, session: Session, patient_id: int, values: dict[str, Any]) -> None:
        surgery = session.scalar(select(func.min(Procedure.surgery_date)).where(
            Procedure.patient_id == patient_id, Procedure.withdrawn_reason.is_(None)))
        problems = complication_problems(values, self.context.today(), surgery)
        if problems:
            raise InputErrors(problems)


def _values(draft: ComplicationDraft) -> dict[str, Any]:
    values = {name: getattr(draft, name) for name in COMPLICATION_FIELDS}
    if isinstance(values["notes"], str):
        values["notes"] = values["notes"].strip()
    return values


def _audited(complication: ComplicationRecord) -> dict[str, Any]:
    return {name: getattr(complication, name) for name in COMPLICATION_FIELDS}


def _draft_of(complication: ComplicationRecord) -> ComplicationDraft:
    return ComplicationDraft(**_audited(complication))
