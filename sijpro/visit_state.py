"""A visit's state on a day: the one definition every view uses (DESIGN.md "Visit state").

The worklist, a patient's timeline, the dashboard, the trajectory PDF, the exports, ``sijpro due``, the
kiosk hand-over and the cohort's completeness counts all ask this module; none of them works a state out
again from dates, so a visit that one screen calls overdue is never "missing" on another.

- ``completed`` (all its questionnaires finished) and ``cancelled`` are what was recorded; every other
  state is worked out from the dates alone, never read back from a stored status (a visit "missed" when
  a database was loaded was due on a day in its window, and ``sijpro due --date`` of that day says so);
- otherwise by date: ``upcoming`` when the window opens within ``UPCOMING_DAYS``, ``due`` inside the
  window, ``overdue`` for a follow-up whose window closed at most ``OVERDUE_DAYS`` ago, ``missed`` past
  that; ``scheduled`` when the window opens later than the upcoming horizon;
- a baseline is ``missed`` once the index surgery has happened (it is never collected after surgery);
- an unfinished visit is ``missed`` once the next timepoint's window has opened, so one timepoint is
  handed over at a time and the tablet never stacks two timepoints' questionnaires.

A completed visit is *late* when it was completed after its window closed; ``days_late`` counts the days
from the window's end (for an overdue visit, the days since the window closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

BASELINE = "baseline"
UPCOMING_DAYS = 14
"""A visit whose window opens within this many days is upcoming (on the worklist, ahead of time)."""
OVERDUE_DAYS = 30
"""Days after a follow-up's window closes during which it is still collected (overdue), then missed."""

StateCode = Literal["completed", "cancelled", "scheduled", "upcoming", "due", "overdue", "missed"]
STATE_CODES: tuple[StateCode, ...] = ("completed", "cancelled", "scheduled", "upcoming", "due", "overdue", "missed")
COLLECTABLE: frozenset[StateCode] = frozenset({"due", "overdue"})
"""States in which a visit's questionnaires are handed over and chased."""


class VisitDates(Protocol):
    """What the state depends on; visit records and timepoint outcomes both have it."""

    @property
    def timepoint(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def due_date(self) -> dt.date: ...
    @property
    def window_start(self) -> dt.date: ...
    @property
    def window_end(self) -> dt.date: ...
    @property
    def completed_on(self) -> dt.date | None: ...


@dataclass(frozen=True, slots=True)
class VisitState:
    code: StateCode
    days_late: int = 0
    """Completed: days from the window's end to completion (0 inside the window). Overdue: days since
    the window closed. Otherwise 0."""
    early: bool = False
    """Completed before its window opened."""

    @property
    def late(self) -> bool:
        return self.code == "completed" and self.days_late > 0

    @property
    def collectable(self) -> bool:
        return self.code in COLLECTABLE


def is_finished(instruments: Iterable[str], finished: Iterable[str]) -> bool:
    """True when every questionnaire of a visit (its ``instruments``) is among the ``finished`` ones: only
    then is the visit ``completed``; a visit with some of them answered is still collected (or missed)."""
    return set(instruments) <= set(finished)


def is_past_collecting(window_end: dt.date, day: dt.date, overdue_days: int = OVERDUE_DAYS) -> bool:
    """True once a window closed more than ``overdue_days`` before ``day``: the follow-up is missed."""
    return (day - window_end).days > overdue_days


def last_collecting_day(visit: VisitDates, next_window_start: dt.date | None = None, *,
                        overdue_days: int = OVERDUE_DAYS) -> dt.date:
    """The last day ``visit`` can be collected, by the rules of ``visit_state``: a baseline up to the
    surgery day, a follow-up up to ``overdue_days`` after its window closed, and neither once the next
    timepoint's window has opened (an invitation to answer at home is valid until then)."""
    last = min(visit.window_end, visit.due_date) if visit.timepoint == BASELINE else \
        visit.window_end + dt.timedelta(days=overdue_days)
    if next_window_start is not None:
        last = min(last, next_window_start - dt.timedelta(days=1))
    return last


def visit_state(visit: VisitDates, day: dt.date, next_window_start: dt.date | None = None, *,
                upcoming_days: int = UPCOMING_DAYS, overdue_days: int = OVERDUE_DAYS) -> VisitState:
    """The state of ``visit`` on ``day``; ``next_window_start`` is when the next timepoint's window opens
    (None for the last timepoint). A baseline's due date is the index surgery day."""
    if visit.status == "completed":
        completed = visit.completed_on or day
        return VisitState("completed", days_late=max(0, (completed - visit.window_end).days),
                          early=completed < visit.window_start)
    if visit.status == "cancelled":
        return VisitState("cancelled")
    if visit.timepoint == BASELINE and day > visit.due_date:
        return VisitState("missed")
    if next_window_start is not None and day >= next_window_start:
        return VisitState("missed")
    if is_past_collecting(visit.window_end, day, overdue_days):
        return VisitState("missed")
    if day > visit.window_end:
        return VisitState("overdue", days_late=(day - visit.window_end).days)
    if day >= visit.window_start:
        return VisitState("due")
    if (visit.window_start - day).days <= upcoming_days:
        return VisitState("upcoming")
    return VisitState("scheduled")


def next_window_starts(visits: Sequence[VisitDates]) -> list[dt.date | None]:
    """For a patient's visits in protocol order: when the next timepoint that will be collected opens.

    A cancelled timepoint is not collected, so it does not end the one before it.
    """
    starts: list[dt.date | None] = []
    following: dt.date | None = None
    for visit in reversed(visits):
        starts.append(following)
        if visit.status != "cancelled":
            following = visit.window_start if following is None else min(following, visit.window_start)
    return starts[::-1]


def course_states(visits: Sequence[VisitDates], day: dt.date, **limits: int) -> list[VisitState]:
    """The state of each of a patient's visits (given in protocol order) on ``day``."""
    return [visit_state(visit, day, following, **limits)
            for visit, following in zip(visits, next_window_starts(visits), strict=True)]
