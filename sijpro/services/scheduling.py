"""The follow-up schedule: visits planned from a protocol, the nurse's worklist, a patient's timeline.

A visit is *due* inside its window, *overdue* for ``overdue_days`` after the window closed (still worth
collecting, flagged late), *missed* after that, and *upcoming* when its window opens within
``upcoming_days``. The worklist is a couple of set-based queries whatever the size of the cohort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

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

OVERDUE_DAYS = 30
"""Days after a window closes during which a visit is still chased (overdue) rather than missed."""
UPCOMING_DAYS = 14
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


def is_past_collecting(window_end: dt.date, day: dt.date, overdue_days: int = OVERDUE_DAYS) -> bool:
    """True once a visit's window closed more than ``overdue_days`` before ``day``: it is missed."""
    return (day - window_end).days > overdue_days


@dataclass(frozen=True, slots=True)
class WorklistEntry:
    visit: VisitRecord
    patient: PatientRecord
    pending: tuple[str, ...]
    """Instruments of the visit not yet completed, in protocol order."""
    in_progress: bool = False
    """A questionnaire of this visit was started and left unfinished."""
    days_late: int = 0
    """Days since the window closed (0 while it is open or not yet open)."""


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
        states = (select(func.aggregate_strings(Response.instrument + STATE_SEPARATOR + Response.status, ","))
                  .where(Response.visit_id == VISITS.c.id).scalar_subquery().label("response_states"))
        query = (select(*WORKLIST_COLUMNS, states).join(PATIENTS, PATIENTS.c.id == VISITS.c.patient_id)
                 .where(relevant).order_by(VISITS.c.window_end, VISITS.c.id))
        with self.context.database.connection() as connection, paused_garbage_collection():
            rows = connection.execute(query).all()
            return _worklist(day, rows, overdue_days)

    def timeline(self, patient_id: int) -> list[VisitRecord]:
        """Every visit of a patient in protocol order."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.seq)).all()
            if not rows and session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            return [visit_record(row) for row in rows]

    def visit(self, visit_id: int) -> VisitRecord:
        with self.context.database.reading() as session:
            row = session.get(Visit, visit_id)
            if row is None:
                raise UserError(f"no visit with id {visit_id}")
            return visit_record(row)


def _worklist(day: dt.date, rows: Sequence[Any], overdue_days: int) -> Worklist:
    sections: dict[str, list[WorklistEntry]] = {"due": [], "overdue": [], "upcoming": [], "missed": []}
    for row in rows:
        visit = visit_from_values(row[:PATIENT_START])
        section = _classify(visit.status, visit.window_start, visit.window_end, day, overdue_days)
        if section is None:
            continue
        states_of = _states(row[-1])
        pending = visit.instruments
        if states_of:
            pending = tuple([i for i in pending if states_of.get(i) not in FINISHED_RESPONSE])
        entry = WorklistEntry(
            visit=visit, patient=patient_from_values(row[PATIENT_START:-1]), pending=pending,
            in_progress="in-progress" in states_of.values(), days_late=max(0, (day - visit.window_end).days),
        )
        sections[section].append(entry)
    sections["upcoming"].sort(key=lambda entry: (entry.visit.window_start, entry.visit.id))
    sections["missed"].reverse()
    return Worklist(day=day, **{name: tuple(entries) for name, entries in sections.items()})


def _classify(status: str, start: dt.date, end: dt.date, day: dt.date, overdue_days: int) -> str | None:
    if status == "missed" or is_past_collecting(end, day, overdue_days):
        return "missed"
    if start <= day <= end:
        return "due"
    if day > end:
        return "overdue"
    return "upcoming" if start > day else None


def _states(text: str | None) -> dict[str, str]:
    """instrument -> response status, from the aggregated ``instrument|status`` pairs of one visit."""
    if not text:
        return {}
    return dict(pair.split(STATE_SEPARATOR, 1) for pair in text.split(","))  # type: ignore[misc]


def visits_in_flight(session: Session, patient_id: int) -> list[Visit]:
    """A patient's visits that are not completed, which a change of surgery date moves."""
    return list(session.scalars(
        select(Visit).where(Visit.patient_id == patient_id, Visit.status != "completed").order_by(Visit.seq)
    ))

