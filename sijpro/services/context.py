"""What every service shares: the open database, who is acting, and what time it is.

The clock is injectable so that tests, the demo generator and an import of old files can say what
'today' is; services never call ``datetime.now()`` themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sijpro.storage.database import Database

KIOSK_ACTOR = "kiosk"
"""Who the audit trail names for a kiosk nobody has unlocked (failed unlock attempts, for instance)."""


def kiosk_actor(nurse: str | None) -> str:
    """The audit trail's actor for what a patient answers on a tablet a nurse unlocked or handed over:
    the kiosk, and the nurse answerable for who was given it ("kiosk (anne)")."""
    return f"{KIOSK_ACTOR} ({nurse})" if nurse else KIOSK_ACTOR


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


@dataclass
class ServiceContext:
    database: Database
    actor: str
    clock: Clock
    device: str | None = None
    """The tablet or desk these calls come from, when it answers visits (see ``services.claims``)."""

    def now(self) -> dt.datetime:
        """Naive UTC, the form every stored timestamp takes."""
        return self.clock.now().astimezone(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        return self.clock.today()
