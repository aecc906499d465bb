"""The follow-up schedule: visits planned from a protocol, the nurse's worklist, a patient's timeline.

Whether a visit is due, overdue, upcoming or missed is ``sijpro.visit_state``'s to say; this module only
gathers what it needs (each visit with the opening of the next timepoint's window) and sorts the answer
into the worklist's sections. The worklist is one set-based query whatever the size of the cohort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from sijpro.access import Capability, requires
from sijpro.errors import UserError
from sijpro.protocol import Protocol
from sijpro.records import PatientRecord, VisitRecord
from sijpro.services.context import ServiceContext
from sijpro.storage.bulk import paused_garbage_collection
from sijpro.storage.convert import (
    PATIENT_COLUMNS,
    VISIT_COLUMNS,
    patient_from_values,
    visit_from_values,
    visit_record,
)
from sijpro.storage.models import Patient, Response, Visit
from sijpro.visit_state import OVERDUE_DAYS, UPCOMING_DAYS, VisitState, course_states, is_past_collecting, visit_state

__all__ = ["MISSED_DAYS", "OVERDUE_DAYS", "UPCOMING_DAYS", "Schedule", "TimelineEntry", "Worklist", "WorklistEntry",
           "is_past_collecting", "plan_visits"]

MISSED_DAYS = 30
"""How far back the worklist lists visits that became missed (older ones are history, not work)."""

ACTIVE = ("scheduled", "open")
VISITS = Visit.__table__
PATIENTS = Patient.__table__
WORKLIST_COLUMNS = (*(VISITS.c[name] for name in VISIT_COLUMNS), *(PATIENTS.c[name] for name in PATIENT_COLUMNS))
PATIENT_START = len(VISIT_COLUMNS)
FINISHED_RESPONSE = ("complete", "amended")
STATE_SEPARATOR = "|"


def plan_visits(protocol: Protocol, surgery_date: dt.date) -> list[dict[str, Any]]:
    """Column values of the visits ``protocol`` schedules around an index surgery on ``surgery_date``."""
    visits = []
    for seq, timepoint in enumerate(protocol.timepoints):
        start, end = timepoint.window(surgery_date)
        visits.append({
            "timepoint": timepoint.code, "seq": seq, "due_date": timepoint.due_date(surgery_date),
            "window_start": start, "window_end": end, "status": "scheduled",
            "instruments": ",".join(timepoint.instruments),
        })
    return visits


def audited_visits(visits: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """How planned visits appear in the audit event of the procedure that scheduled them."""
    return {visit["timepoint"]: {"due_date": visit["due_date"], "status": visit["status"]} for visit in visits}


@dataclass(frozen=True, slots=True)
class WorklistEntry:
    visit: VisitRecord
    patient: PatientRecord
    pending: tuple[str, ...]
    """Instruments of the visit not yet completed, in protocol order."""
    state: VisitState
    """The visit's state on the worklist's day (``sijpro.visit_state``); its code names the section."""
    in_progress: bool = False
    """A questionnaire of this visit was started and left unfinished."""
    days_late: int = 0
    """Days since the window closed (0 while it is open or not yet open)."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One visit of a patient's course with its state on the day asked."""

    visit: VisitRecord
    state: VisitState


@dataclass(frozen=True)
class Worklist:
    day: dt.date
    due: tuple[WorklistEntry, ...]
    overdue: tuple[WorklistEntry, ...]
    upcoming: tuple[WorklistEntry, ...]
    missed: tuple[WorklistEntry, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {"due": len(self.due), "overdue": len(self.overdue), "upcoming": len(self.upcoming),
                "missed": len(self.missed)}


class Schedule:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.WORKLIST)
    def worklist(self, day: dt.date | None = None, *, overdue_days: int = OVERDUE_DAYS,
                 upcoming_days: int = UPCOMING_DAYS, missed_days: int = MISSED_DAYS) -> Worklist:
        day = day or self.context.today()
        if min(overdue_days, upcoming_days, missed_days) < 0:
            raise UserError("worklist: the numbers of days cannot be negative")
        oldest_end = day - dt.timedelta(days=overdue_days + missed_days)
        latest_start = day + dt.timedelta(days=upcoming_days)
        relevant = and_(
            VISITS.c.window_end >= oldest_end, VISITS.c.window_start <= latest_start,
            VISITS.c.status.in_((*ACTIVE, "missed")),
        )
        later = aliased(Visit)
        next_start = (select(func.min(later.window_start)).where(
            later.patient_id == VISITS.c.patient_id, later.seq > VISITS.c.seq, later.status != "cancelled")
            .scalar_subquery().label("next_window_start"))
        states = (select(func.aggregate_strings(Response.instrument + STATE_SEPARATOR + Response.status, ","))
                  .where(Response.visit_id == VISITS.c.id).scalar_subquery().label("response_states"))
        query = (select(*WORKLIST_COLUMNS, next_start, states).join(PATIENTS, PATIENTS.c.id == VISITS.c.patient_id)
                 .where(relevant).order_by(VISITS.c.window_end, VISITS.c.id))
        with self.context.database.connection() as connection, paused_garbage_collection():
            rows = connection.execute(query).all()
            return _worklist(day, rows, upcoming_days=upcoming_days, overdue_days=overdue_days)

    @requires(Capability.PATIENTS)
    def course(self, patient_id: int, day: dt.date | None = None) -> list[TimelineEntry]:
        """Every visit of a patient in protocol order, each with its state on ``day`` (default today)."""
        visits = self.timeline(patient_id)
        states = course_states(visits, day or self.context.today())
        return [TimelineEntry(visit, state) for visit, state in zip(visits, states, strict=True)]

    @requires(Capability.PATIENTS)
    def timeline(self, patient_id: int) -> list[VisitRecord]:
        """Every visit of a patient in protocol order."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.seq)).all()
            if not rows and session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            return [visit_record(row) for row in rows]

    @requires(Capability.PATIENTS)
    def visit(self, visit_id: int) -> VisitRecord:
        with self.context.database.reading() as session:
            row = session.get(Visit, visit_id)
            if row is None:
                raise UserError(f"no visit with id {visit_id}")
            return visit_record(row)


def _worklist(day: dt.date, rows: Sequence[Any], **limits: int) -> Worklist:
    sections: dict[str, list[WorklistEntry]] = {"due": [], "overdue": [], "upcoming": [], "missed": []}
    for row in rows:
        visit = visit_from_values(row[:PATIENT_START])
        state = visit_state(visit, day, row[-2], **limits)
        if state.code not in sections:
            continue
        states_of = _states(row[-1])
        pending = visit.instruments
        if states_of:
            pending = tuple([i for i in pending if states_of.get(i) not in FINISHED_RESPONSE])
        entry = WorklistEntry(
            visit=visit, patient=patient_from_values(row[PATIENT_START:-2]), pending=pending, state=state,
            in_progress="in-progress" in states_of.values(), days_late=max(0, (day - visit.window_end).days),
        )
        sections[state.code].append(entry)
    sections["upcoming"].sort(key=lambda entry: (entry.visit.window_start, entry.visit.id))
    sections["missed"].reverse()
    return Worklist(day=day, **{name: tuple(entries) for name, entries in sections.items()})


def _states(text: str | None) -> dict[str, str]:
    """instrument -> response status, from the aggregated ``instrument|status`` pairs of one visit."""
    if not text:
        return {}
    return dict(pair.split(STATE_SEPARATOR, 1) for pair in text.split(","))


def visits_in_flight(session: Session, patient_id: int) -> list[Visit]:
    """A patient's visits that are not completed, which a change of surgery date moves."""
    return list(session.scalars(
        select(Visit).where(Visit.patient_id == patient_id, Visit.status != "completed").order_by(Visit.seq)
    ))

