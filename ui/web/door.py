"""What the web app asks of the way in: a link or short code, the birth date, then the visit's session.

The pages depend on this protocol, as the kiosk's screens depend on ``ui.kiosk.backend``, so that the
calls the web app makes are listed in one place and its tests can enter a visit through a nurse's
hand-over. Refusals are the web's own few kinds, each shown on its own page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from sijpro.services.session import Session

LinkStatus = Literal["needs_birth_date", "expired", "revoked", "locked", "finished", "unknown"]


@dataclass(frozen=True)
class LinkState:
    status: LinkStatus
    language: str = "en"
    timepoint: str | None = None


@dataclass(frozen=True)
class Pass:
    """What a confirmed birth date gives the browser: a secret kept in its cookie, and the language."""

    token: str
    language: str


@dataclass(frozen=True)
class Entry:
    """The invited visit, and the session that answers it (mode ``web``)."""

    session: Session
    patient_id: int
    visit_id: int


class Refused(Exception):
    """The door said no; ``page`` names the page that says why."""

    page: str = "unknown"


class WrongBirthDate(Refused):
    page = "wrong_birth_date"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"{tries_left} tries left")
        self.tries_left = tries_left


class Closed(Refused):
    """The link is expired, revoked, locked, finished or unknown, or its pass moved to another device
    (``page`` is that status)."""

    def __init__(self, page: str) -> None:
        super().__init__(page)
        self.page = page


class HeldElsewhere(Refused):
    """A clinic tablet answers this visit now (rule 11): the web may not at the same time."""

    page = "claimed"


class Busy(Refused):
    """Too many tries from this address or on this link: come back in ``retry_after`` seconds."""

    page = "busy"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Door(Protocol):
    def deadline(self) -> Cancellable:
        """Started as a request begins and cancelled as it ends: past it, the request's waits on the
        database are cut short, and the page says to try again."""
        ...

    def look(self, secret: str, *, address: str) -> LinkState: ...

    def allow(self, address: str, secret: str) -> None:
        """Raise ``Busy`` when this address or link has tried too often."""
        ...

    def confirm(self, secret: str, birth_date: dt.date, *, address: str) -> Pass:
        """The birth date matches: a pass; else ``WrongBirthDate`` or ``Closed``."""
        ...

    def enter(self, pass_token: str, *, address: str) -> Entry:
        """The session answering the invited visit; ``Closed`` or ``HeldElsewhere`` when it may not."""
        ...
