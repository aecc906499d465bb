"""One visit, one device (DESIGN rule 11): handing a visit over claims it for the device it goes to.

A second tablet that tries to open or resume a claimed visit is refused with the name of the device
that holds it, until that device finishes, locks (both release the claim) or goes silent long enough
for the claim to expire. A nurse may take a visit over on purpose (the tablet that held it died, or the
patient moved to another one); that is audited, and the device that lost the claim has its next answer
refused rather than written over the new device's.

Collection writes (open, save_answer, complete) check the claim in their own transaction, so the rule
holds for every caller, not only for kiosks that remember to ask.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sijpro.access import Capability, requires
from sijpro.errors import ConflictError, UserError
from sijpro.services.audit import Change, record
from sijpro.services.context import ServiceContext
from sijpro.storage.models import Visit, VisitClaim

CLAIM_MINUTES = 15
"""How long a claim lasts after the device last saved an answer or claimed the visit. Longer than the
kiosk's idle lock (3 min, then a 1-minute prompt), which releases the claim itself when it locks."""
RENEW_AFTER = dt.timedelta(minutes=1)
"""How long a claim runs before its holder's next write renews it."""

DEVICE_VARIABLE = "SIJPRO_DEVICE_NAME"
WEB_DEVICE_PREFIX = "web:"
"""Devices named ``web:<invitation id>:<pass number>`` are a patient's own phone or computer answering
through an at-home link (``services.invitations``); each birth-date confirmation is a new device."""
TAKE_OVER_REASON = "taken over from {device}"

log = logging.getLogger(__name__)


def device_name() -> str:
    """This machine's name as other tablets are told it: ``$SIJPRO_DEVICE_NAME``, else the host name."""
    return (os.environ.get(DEVICE_VARIABLE) or socket.gethostname() or "this device").strip()[:100]


@dataclass(frozen=True)
class ClaimRecord:
    visit_id: int
    device: str
    claimed_by: str
    claimed_at: dt.datetime
    """Naive UTC, as stored."""
    expires_at: dt.datetime

    @property
    def local_time(self) -> str:
        """When the visit was claimed, as the clock on the clinic's wall says it (HH:MM)."""
        return self.claimed_at.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")


class VisitClaimed(UserError):
    """The visit is being answered on another device; ``holder`` says which, since when."""

    def __init__(self, holder: ClaimRecord, timepoint: str = "") -> None:
        self.holder = holder
        visit = f"the {timepoint} visit" if timepoint else "this visit"
        super().__init__(f"{visit} is being answered on {device_label(holder.device)} (since {holder.local_time}); "
                         "finish or lock it there, or take it over")


def web_device(invitation_id: int, pass_seq: int) -> str:
    """The device name of the ``pass_seq``-th browser let in through invitation ``invitation_id``."""
    return f"{WEB_DEVICE_PREFIX}{invitation_id}:{pass_seq}"


def is_web_device(device: str, invitation_id: int | None = None) -> bool:
    """Whether ``device`` is a browser at home (let in through ``invitation_id``, when given)."""
    if invitation_id is None:
        return device.startswith(WEB_DEVICE_PREFIX)
    return device.startswith(f"{WEB_DEVICE_PREFIX}{invitation_id}:")


def device_label(device: str) -> str:
    """A device as people are told it: a tablet by its name, a browser as the patient's own device."""
    return "the patient's own phone or computer (at-home link)" if is_web_device(device) else device


def _record(row: VisitClaim) -> ClaimRecord:
    return ClaimRecord(row.visit_id, row.device, row.claimed_by, row.claimed_at, row.expires_at)


class Claims:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.HAND_OVER, Capability.ANSWER)
    def claim(self, visit_ids: Sequence[int], device: str, *, take_over: bool = False) -> list[ClaimRecord]:
        """Claim every visit for ``device`` in one transaction (all of them or none).

        Refused with ``VisitClaimed`` when another device holds one of them and its claim has not
        expired, unless ``take_over``. Claiming again from the holding device renews the claim. A kiosk
        session claims the visits it was handed over for, and no other.
        """
        for visit_id in visit_ids:
            self.context.principal.require_visit(visit_id)
        device = _device(device)
        try:
            return self._claim(visit_ids, device, take_over)
        except ConflictError:  # another device inserted its claim at the same instant: theirs stands
            return self._claim(visit_ids, device, take_over)

    def _claim(self, visit_ids: Sequence[int], device: str, take_over: bool) -> list[ClaimRecord]:
        now = self.context.now()
        expires = now + dt.timedelta(minutes=CLAIM_MINUTES)
        with self.context.database.writing() as session:
            changes: list[Change] = []
            claims = []
            for visit_id in dict.fromkeys(visit_ids):
                visit = session.get(Visit, visit_id)
                if visit is None:
                    raise UserError(f"no visit with id {visit_id}")
                row = session.get(VisitClaim, visit_id)
                if row is None:
                    row = VisitClaim(visit_id=visit_id, device=device, claimed_by=self.context.actor,
                                     claimed_at=now, expires_at=expires)
                    session.add(row)
                    changes.append(Change("visit", visit_id, "claimed_on", None, device))
                elif row.device == device:
                    if needs_renewal(row.expires_at, now):
                        row.expires_at = expires
                else:
                    if row.expires_at > now and not take_over:
                        raise VisitClaimed(_record(row), visit.timepoint)
                    reason = TAKE_OVER_REASON.format(device=row.device) if row.expires_at > now else (
                        f"the claim of {row.device} had expired")
                    changes.append(Change("visit", visit_id, "claimed_on", row.device, device, reason))
                    row.device, row.claimed_by, row.claimed_at, row.expires_at = (
                        device, self.context.actor, now, expires)
                session.flush()
                claims.append(_record(row))
            if changes:
                record(session, self.context, changes)
            log.info("visits %s held by tablet %s", ", ".join(map(str, visit_ids)), device)
            return claims

    @requires(Capability.HAND_OVER, Capability.ANSWER)
    def release(self, visit_ids: Iterable[int], device: str) -> None:
        """Give the visits back (the patient finished, or the tablet locked); another device's claim stays.
        A kiosk gives back only the visits it was handed over for."""
        ids = list(dict.fromkeys(visit_ids))
        for visit_id in ids:
            self.context.principal.require_visit(visit_id)
        if not ids:
            return
        with self.context.database.writing() as session:
            released = session.scalars(select(VisitClaim.visit_id).where(
                VisitClaim.visit_id.in_(ids), VisitClaim.device == _device(device))).all()
            if not released:
                return
            session.execute(delete(VisitClaim).where(VisitClaim.visit_id.in_(released),
                                                     VisitClaim.device == _device(device)))
            record(session, self.context, [Change("visit", visit_id, "claimed_on", _device(device), None)
                                           for visit_id in released])

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def holder(self, visit_id: int) -> ClaimRecord | None:
        """The device answering the visit now (an expired claim counts as none)."""
        with self.context.database.reading() as session:
            row = session.get(VisitClaim, visit_id)
            return _record(row) if row is not None and row.expires_at > self.context.now() else None

    @requires(Capability.PATIENTS)
    def active(self) -> list[ClaimRecord]:
        """Every live claim, for the nurse's list ("on tablet 2")."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(VisitClaim).where(VisitClaim.expires_at > self.context.now())
                                   .order_by(VisitClaim.visit_id)).all()
            return [_record(row) for row in rows]


def needs_renewal(expires_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether the holder's write should move its claim on: once it has run for ``RENEW_AFTER``, not on
    every answer (a claim renewed a minute late still has most of its quarter of an hour left)."""
    return expires_at - now < dt.timedelta(minutes=CLAIM_MINUTES) - RENEW_AFTER


def check_claim(session: Session, context: ServiceContext, visit_id: int, device: str | None) -> None:
    """Refuse a write to a visit another device holds; the holder's own write moves its claim on.

    ``device`` None (the desk typing in a paper form, an import) writes only where no live claim is.
    """
    row = session.get(VisitClaim, visit_id)
    if row is None:
        return
    now = context.now()
    if row.device == device:
        if needs_renewal(row.expires_at, now):
            session.execute(update(VisitClaim).where(VisitClaim.visit_id == visit_id, VisitClaim.device == device)
                            .values(expires_at=now + dt.timedelta(minutes=CLAIM_MINUTES)))
        return
    if row.expires_at > now:
        visit = session.get_one(Visit, visit_id)
        raise VisitClaimed(_record(row), visit.timepoint)


def _device(device: str) -> str:
    name = device.strip()[:100]
    if not name:
        raise UserError("a claim needs the device's name")
    return name
