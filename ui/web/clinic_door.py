"""``ui.web.door.Door`` over the invitations' ``WebDoor``: the only module of the web app that knows it.

It turns the door's refusals into the web's own (each has its page) and the hand-over session into the
visit it answers, as ``ui.kiosk.clinic_backend`` does for the kiosk over ``Clinic``.
"""

from __future__ import annotations

import datetime as dt

from sijpro.services.invitations import (
    IdentityRefused,
    LinkClosed,
    LinkLocked,
    TooManyTries,
    VisitInUse,
    WebDoor,
)
from ui.web.door import Busy, Cancellable, Closed, Entry, HeldElsewhere, LinkState, Pass, WrongBirthDate


class ClinicDoor:
    def __init__(self, door: WebDoor) -> None:
        self.door = door

    def deadline(self) -> Cancellable:
        return self.door.deadline()

    def look(self, secret: str, *, address: str) -> LinkState:
        state = self.door.look(secret, address=address)
        return LinkState(state.status, state.language, state.timepoint)

    def allow(self, address: str, secret: str) -> None:
        try:
            self.door.allow(address, secret)
        except TooManyTries as busy:
            raise Busy(busy.retry_after) from None

    def confirm(self, secret: str, birth_date: dt.date, *, address: str) -> Pass:
        try:
            granted = self.door.confirm(secret, birth_date, address=address)
        except IdentityRefused as wrong:
            raise WrongBirthDate(wrong.tries_left) from None
        except LinkLocked:
            raise Closed("locked") from None
        except LinkClosed as closed:
            raise Closed(closed.status) from None
        return Pass(granted.pass_token, granted.language)

    def enter(self, pass_token: str, *, address: str) -> Entry:
        try:
            session = self.door.enter(pass_token, address=address)
        except LinkLocked:
            raise Closed("locked") from None
        except LinkClosed as closed:
            raise Closed(closed.status) from None
        except VisitInUse:
            raise HeldElsewhere from None
        principal = session.principal
        assert principal.patient_id is not None and len(principal.visit_ids) == 1
        return Entry(session, principal.patient_id, next(iter(principal.visit_ids)))
