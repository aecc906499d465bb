"""What every service shares: the open database, who is acting (and may do what), and what time it is.

The clock is injectable so that tests, the demo generator and an import of old files can say what
'today' is; services never call ``datetime.now()`` themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sijpro.access import Principal
from sijpro.storage.database import Database


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...

    def today(self) -> dt.date:
        """The local calendar date, which is what due dates and windows count in."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return dt.date.today()


class FixedClock:
    """A clock that says what it is told (tests, the demo generator, replays)."""

    def __init__(self, instant: dt.datetime | dt.date) -> None:
        self.set(instant)

    def set(self, instant: dt.datetime | dt.date) -> None:
        """A date means noon UTC of that day, and that day as today."""
        if isinstance(instant, dt.datetime):
            if instant.tzinfo is None:
                raise ValueError("FixedClock needs a timezone-aware datetime")
            self.instant, self.day = instant, instant.astimezone().date()
        else:
            self.instant, self.day = dt.datetime.combine(instant, dt.time(12, 0), tzinfo=dt.UTC), instant

    def now(self) -> dt.datetime:
        return self.instant

    def today(self) -> dt.date:
        return self.day


@dataclass(frozen=True)
class ServiceContext:
    """Fixed for the life of a session: who acts cannot change under a service's feet (a new session is
    made instead, when someone else signs in)."""

    database: Database
    principal: Principal
    clock: Clock
    device: str | None = None
    """The tablet or desk these calls come from, when it answers visits (see ``services.claims``)."""

    @property
    def actor(self) -> str:
        """The name the audit trail writes for what this session does."""
        return self.principal.actor

    def now(self) -> dt.datetime:
        """Naive UTC, the form every stored timestamp takes."""
        return self.clock.now().astimezone(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        return self.clock.today()
