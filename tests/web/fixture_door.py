"""A door into the web app for its tests: links held in memory, the visit entered through a nurse's
session, with the same refusals the web app shows (wrong birth date with tries left, locked, closed).

It lets the pages, the flow and the browser be tested on their own; the invitations' own door is tested
with them in ``tests/web/test_web_invited.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sijpro.records import ProcedureDraft
from sijpro.services.clinic import Clinic
from sijpro.services.session import Session
from tests.factories import patient_draft
from ui.web.door import Closed, Entry, LinkState, Pass, WrongBirthDate

TRIES = 5


@dataclass
class Link:
    patient_id: int
    visit_id: int
    birth_date: str
    language: str
    status: str = "needs_birth_date"
    tries_left: int = TRIES


class NoDeadline:
    """The fixture's database is in the process: nothing to cut."""

    def cancel(self) -> None:
        return None


class FixtureDoor:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.links: dict[str, Link] = {}
        self.passes: dict[str, str] = {}

    def deadline(self) -> NoDeadline:
        return NoDeadline()

    def look(self, secret: str, *, address: str = "") -> LinkState:
        link = self.links.get(secret)
        if link is None:
            return LinkState("unknown")
        if link.status == "needs_birth_date" and self._finished(link):
            return LinkState("finished", link.language)
        return LinkState(link.status, link.language)  # type: ignore[arg-type]

    def _finished(self, link: Link) -> bool:
        return not [v for v, _ in self.session.collection.pending(link.patient_id) if v.id == link.visit_id]

    def allow(self, address: str, secret: str) -> None:
        return None

    def confirm(self, secret: str, birth_date: dt.date, *, address: str) -> Pass:
        state = self.look(secret)
        if state.status != "needs_birth_date":
            raise Closed(state.status)
        link = self.links[secret]
        if birth_date.isoformat() != link.birth_date:
            link.tries_left -= 1
            if link.tries_left == 0:
                link.status = "locked"
                raise Closed("locked")
            raise WrongBirthDate(link.tries_left)
        token = secrets.token_urlsafe(32)
        self.passes[token] = secret
        return Pass(token, link.language)

    def enter(self, pass_token: str, *, address: str = "") -> Entry:
        secret = self.passes.get(pass_token)
        if secret is None:
            raise Closed("no_pass")
        state = self.look(secret)
        if state.status != "needs_birth_date":
            raise Closed(state.status)
        link = self.links[secret]
        return Entry(self.session, link.patient_id, link.visit_id)


def invited_patient(session: Session, door: FixtureDoor, today: dt.date, *, mrn: str = "WEB001",
                    language: str = "en", secret: str = "LINK-TOKEN") -> Link:
    """A patient six weeks after surgery (nrs, odi, satisfaction and relief due) with a link into the door."""
    patient = session.patients.register(patient_draft(mrn, language=language), confirm_duplicate=True)
    session.procedures.record(patient.id, ProcedureDraft(today - dt.timedelta(days=42), side="left",
                                                         approach="lateral"))
    visit, _ = session.collection.pending(patient.id)[0]
    link = Link(patient.id, visit.id, patient.birth_date.isoformat(), language)
    door.links[secret] = link
    return link


__all__ = ["Clinic", "FixtureDoor", "Link", "invited_patient"]
