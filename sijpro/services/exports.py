"""Exports: read the whole clinic in a few set-based queries, then write CSV, REDCap or FHIR files.

Reading is seven queries (patients, their contact details, index procedures, visits, finished responses,
their answers, their scores), never one per patient, inside one read transaction so an export is a consistent snapshot
even while nurses keep working. Writing is ``sijpro.exchange``'s job; this module only hands it the
patient courses and the current protocol.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, select

from sijpro.access import Capability, requires
from sijpro.contact import ContactDraft
from sijpro.errors import UserError
from sijpro.exchange.export_csv import write_csv_export
from sijpro.exchange.fhir import write_fhir_export
from sijpro.exchange.output import EXCEL
from sijpro.exchange.redcap import write_redcap_export
from sijpro.exchange.stats_files import write_stats_export
from sijpro.exchange.subjects import AnsweredQuestionnaire, ExportSet, PatientCourse, prepare_export
from sijpro.progress import Progress, no_progress
from sijpro.records import ResponseRecord, ScoreValue, VisitRecord
from sijpro.services.context import ServiceContext
from sijpro.services.outcomes import standing_complications
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import FINISHED_RESPONSE
from sijpro.storage.bulk import paused_garbage_collection
from sijpro.storage.convert import patient_record, procedure_record, visit_record
from sijpro.storage.models import Answer, Patient, PatientContact, Procedure, Response, Score, Visit

ExportKind = Literal["csv", "redcap", "fhir", "spss", "stata"]
WRITERS: dict[ExportKind, Callable[[ExportSet, Path, Progress], object]] = {
    "csv": write_csv_export,
    "redcap": write_redcap_export,
    "fhir": write_fhir_export,
    "spss": lambda export, target, progress: write_stats_export(export, target, "spss", progress),
    "stata": lambda export, target, progress: write_stats_export(export, target, "stata", progress),
}
READ_SHARE = 0.3
"""Part of the progress bar given to reading the database; the rest is writing."""


class Exports:
    def __init__(self, context: ServiceContext, protocols: Protocols) -> None:
        self.context = context
        self.protocols = protocols

    @requires(Capability.EXPORT)
    def courses(self) -> list[PatientCourse]:
        """Every patient with the index procedure and every finished questionnaire, in MRN order."""
        with self.context.database.connection() as connection, paused_garbage_collection():
            return read_courses(connection)

    @requires(Capability.EXPORT)
    def write(self, kind: ExportKind, target: Path, *, deidentify: bool = False,
              progress: Progress = no_progress, excel: str | None = None) -> ExportSet:
        """Write one export (a folder for csv, redcap, spss and stata, a file for fhir); returns what was written.

        ``excel`` (csv only): the language whose Excel opens the files ('en', or 'fr': ';' and decimal
        commas), all with a byte-order mark."""
        if excel is not None and (kind != "csv" or excel not in EXCEL):
            raise UserError(f"--excel {excel}: only for csv exports, in {' or '.join(EXCEL)}")
        reported = [0]

        def report(percent: int) -> None:
            if percent > reported[0] or percent == 0:
                reported[0] = percent
                progress(percent, 100)

        report(0)
        export = prepare_export(self.courses(), self.protocols.current(), self.context.now(), deidentify=deidentify)
        report(int(READ_SHARE * 100))

        def writing(done: int, total: int) -> None:
            share = done / total if total else 1.0
            report(int((READ_SHARE + (1 - READ_SHARE) * share) * 100))

        if kind == "csv" and excel is not None:
            write_csv_export(export, Path(target), writing, EXCEL[excel])
        else:
            WRITERS[kind](export, Path(target), writing)
        report(100)
        return export


def read_courses(connection: Connection) -> list[PatientCourse]:
    procedures = {row.patient_id: procedure_record(row) for row in connection.execute(
        select(Procedure.__table__).where(Procedure.is_index))}
    visits: dict[int, list[VisitRecord]] = defaultdict(list)
    timepoint_of: dict[int, str] = {}
    patient_of_visit: dict[int, int] = {}
    for row in connection.execute(select(Visit.__table__).order_by(Visit.patient_id, Visit.due_date, Visit.id)):
        visits[row.patient_id].append(visit_record(row))
        timepoint_of[row.id], patient_of_visit[row.id] = row.timepoint, row.patient_id
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    finished = Response.status.in_(FINISHED_RESPONSE)
    for response_id, item, value in connection.execute(
            select(Answer.response_id, Answer.item, Answer.value).join(Response, Response.id == Answer.response_id)
            .where(finished)):
        answers[response_id][item] = value
    scores: dict[int, list[ScoreValue]] = defaultdict(list)
    for response_id, instrument, name, number, version in connection.execute(
            select(Score.response_id, Response.instrument, Score.name, Score.value, Score.version)
            .join(Response, Response.id == Score.response_id).where(finished)
            .order_by(Score.response_id, Score.name)):
        scores[response_id].append(ScoreValue(instrument, name, number, version))
    answered: dict[int, list[AnsweredQuestionnaire]] = defaultdict(list)
    for row in connection.execute(select(Response.__table__).where(finished).order_by(Response.id)):
        record = ResponseRecord(
            id=row.id, visit_id=row.visit_id, instrument=row.instrument, mode=row.mode, language=row.language,
            status=row.status, started_at=row.started_at, completed_at=row.completed_at,
            answers=answers.get(row.id, {}), scores=tuple(scores.get(row.id, ())),
        )
        answered[patient_of_visit[row.visit_id]].append(AnsweredQuestionnaire(timepoint_of[row.visit_id], record))
    complications = standing_complications(connection, None)
    contacts = {row.id: ContactDraft(row.phone, row.email, row.address, row.channel, row.consent)
                for row in connection.execute(select(PatientContact.__table__))}
    return [
        PatientCourse(patient_record(row), procedures.get(row.id), tuple(answered.get(row.id, ())),
                      tuple(visits.get(row.id, ())), tuple(complications[row.id]),
                      contacts.get(row.id, ContactDraft()))
        for row in connection.execute(select(Patient.__table__).order_by(Patient.mrn))
    ]
