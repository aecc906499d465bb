"""Outcomes: each patient's course (visits and scores) for trajectories and the cohort summary.

The whole cohort is six set-based queries (protocols, patients, index procedures, visits with their score
summary, the follow-up contacts made or tried, complications that stand), never one query per patient,
so a 10,000-patient cohort loads in well under two seconds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from sijpro.access import Capability, requires
from sijpro.errors import UserError
from sijpro.records import ComplicationRecord, PatientOutcomes, TimepointOutcome
from sijpro.services.context import ServiceContext
from sijpro.storage.bulk import paused_garbage_collection
from sijpro.storage.convert import complication_record, patient_record, procedure_record
from sijpro.storage.models import Complication, ContactAttempt, Patient, Procedure, ProtocolVersion, Visit

PATIENTS = Patient.__table__
PROCEDURES = Procedure.__table__
VISITS = Visit.__table__
ATTEMPTS = ContactAttempt.__table__
COMPLICATIONS = Complication.__table__


class Outcomes:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.DASHBOARD)
    def patient(self, patient_id: int) -> PatientOutcomes:
        outcomes = self._load(patient_id)
        if outcomes:
            return outcomes[0]
        with self.context.database.reading() as session:
            row = session.get(Patient, patient_id)
            if row is None:
                raise UserError(f"no patient with id {patient_id}")
            complications = standing_complications(session.connection(), patient_id)
            return PatientOutcomes(patient=patient_record(row), index_procedure=None, timepoints=(),
                                   complications=tuple(complications[patient_id]))

    @requires(Capability.COHORT)
    def cohort(self) -> list[PatientOutcomes]:
        """Every patient with an index procedure, in MRN order."""
        return self._load(None)

    def _load(self, patient_id: int | None) -> list[PatientOutcomes]:
        with self.context.database.connection() as connection, paused_garbage_collection():
            return _assemble(connection, patient_id)


def _assemble(connection: Connection, patient_id: int | None) -> list[PatientOutcomes]:
    def only(query: Any, column: Any) -> Any:
        return query if patient_id is None else query.where(column == patient_id)

    procedures = {row.patient_id: procedure_record(row) for row in connection.execute(
        only(select(PROCEDURES).where(PROCEDURES.c.is_index), PROCEDURES.c.patient_id)).all()}
    protocols = {row.id: (row.name, row.version) for row in connection.execute(
        select(ProtocolVersion.id, ProtocolVersion.name, ProtocolVersion.version))}
    timepoints: dict[int, list[TimepointOutcome]] = defaultdict(list)
    protocol_of: dict[int, int] = {}
    contacts: dict[int, list[str]] = defaultdict(list)
    for attempt in connection.execute(only(select(ATTEMPTS.c.visit_id, ATTEMPTS.c.channel), ATTEMPTS.c.patient_id)
                                      .order_by(ATTEMPTS.c.id)).all():
        contacts[attempt.visit_id].append(attempt.channel)
    columns = [VISITS.c[name] for name in (
        "id", "patient_id", "protocol_id", "timepoint", "due_date", "window_start", "window_end", "status",
        "completed_on", "outcome")]
    for visit in connection.execute(only(select(*columns), VISITS.c.patient_id).order_by(
            VISITS.c.patient_id, VISITS.c.seq)).all():
        outcome = visit.outcome or {}
        timepoints[visit.patient_id].append(TimepointOutcome(
            timepoint=visit.timepoint, due_date=visit.due_date, window_start=visit.window_start,
            window_end=visit.window_end, status=visit.status, completed_on=visit.completed_on,
            scores=outcome.get("scores", {}), versions=outcome.get("versions", {}),
            contacts=tuple(contacts.get(visit.id, ())),
        ))
        protocol_of.setdefault(visit.patient_id, visit.protocol_id)
    complications = standing_complications(connection, patient_id)
    result = []
    for row in connection.execute(only(select(PATIENTS), PATIENTS.c.id).order_by(PATIENTS.c.mrn)).all():
        procedure = procedures.get(row.id)
        if procedure is None:
            continue
        name, version = protocols.get(protocol_of.get(row.id, -1), ("", 0))
        result.append(PatientOutcomes(
            patient=patient_record(row), index_procedure=procedure, timepoints=tuple(timepoints[row.id]),
            protocol_name=name, protocol_version=version, complications=tuple(complications[row.id]),
        ))
    return result


def standing_complications(connection: Connection, patient_id: int | None) -> dict[int, list[ComplicationRecord]]:
    """The complications that stand (withdrawn ones are kept in the table, not counted), by date."""
    query = select(COMPLICATIONS).where(COMPLICATIONS.c.withdrawn_reason.is_(None))
    if patient_id is not None:
        query = query.where(COMPLICATIONS.c.patient_id == patient_id)
    grouped: dict[int, list[ComplicationRecord]] = defaultdict(list)
    for row in connection.execute(query.order_by(COMPLICATIONS.c.occurred_on, COMPLICATIONS.c.id)):
        grouped[row.patient_id].append(complication_record(row))
    return grouped
