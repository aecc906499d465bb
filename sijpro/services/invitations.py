"""Invitations to answer a visit at home, and the door a patient comes in through (no staff account).

Staff side (``session.invitations``, capability ``invite``): ``issue`` gives the patient's open visit (due
or overdue, by ``sijpro.visit_state``) a one-time link and a short code for letters, valid from then to
the last day the visit can be collected (``visit_state.last_collecting_day``: the window's end plus the
overdue grace, never past the next timepoint's opening); a new one for the same visit revokes the old.

Patient side (``WebDoor``, built once by the web app): ``look`` says what a link or code opens onto
(asks for the birth date, or why not), ``confirm`` checks the birth date and hands the browser a pass,
``enter`` turns a pass into a hand-over ``Session`` for that one visit, answering in mode ``web`` from the
device ``web:<invitation>:<pass number>`` and holding the visit's claim (DESIGN rule 11). Five wrong
birth dates lock the link (the clinic issues a new one). A second device that confirms the birth date
gets a new pass and takes the visit over: the first device's pass stops opening (``LinkClosed`` with
status ``moved``) and its next answer is refused by the claim, nothing written over; a tablet holding the
visit is never taken over from the web (``VisitInUse``), and a tablet is refused while the web holds it.

Secrets: the database never holds a link token, code or pass in clear, only digests. Every failure at the
door, every confirmation, issue and revocation is an audit event (actor ``patient (web)`` with the address
for the door); no token, code, pass or birth date is ever put in an event, a message or a log.

The link's token and the code are derived from a random 256-bit seed kept in the row, under the clinic
key (HMAC-SHA-256; the key lives outside the database, ``sijpro.storage.clinic_key``): so the reminder
ladder can put the same link in each of its e-mails (one invitation per visit, not one per e-mail) while a
copy of the database alone gives nobody a link. Lookups go by digest: SHA-256 of the token (256 bits of
entropy: no salt or slow hash is needed, nothing can be guessed from the digest), HMAC under the clinic key
of the code (only 45 bits: a plain digest of it could be searched exhaustively by whoever read the table).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from sijpro import invite_codes
from sijpro.access import WEB_ACTOR, Capability, Principal, requires
from sijpro.errors import ConflictError, UserError
from sijpro.problems import Problem
from sijpro.services.audit import Change, record
from sijpro.services.checks import required_reason
from sijpro.services.claims import Claims, VisitClaimed, is_web_device, needs_renewal, web_device
from sijpro.services.clinic_settings import LOCAL_WEB_URL, web_url
from sijpro.services.context import Clock, ServiceContext, SystemClock
from sijpro.storage.convert import visit_record
from sijpro.storage.database import Database
from sijpro.storage.deadline import Deadline
from sijpro.storage.models import DoorThrottle, Invitation, Patient, Visit, VisitClaim
from sijpro.visit_state import course_states, last_collecting_day, next_window_starts

if TYPE_CHECKING:
    from sijpro.services.session import Session

REQUEST_SECONDS: Final = 15.0
"""The longest a web request may wait on the database before its connections are cut: far above a
request's worst time under load (under 2 s for 200 patients at once), far below a patient's patience."""
MAX_TRIES: Final = 5
"""Wrong birth dates after which a link locks."""
SEED_BYTES: Final = 32
TOKEN_LABEL: Final = b"sijpro invitation token\0"
CODE_LABEL: Final = b"sijpro invitation code\0"
CODE_DIGEST_LABEL: Final = b"sijpro invitation code digest\0"
THROTTLE_WINDOW: Final = dt.timedelta(minutes=10)
ADDRESS_LIMIT: Final = 60
"""Tries at the door (looks, birth dates) one address may make per window: patients behind one carrier's
shared address are several, a guessing robot is many more."""
LINK_LIMIT: Final = 20
"""Tries one link or code may be given per window, from all addresses together."""

InvitationState = Literal["issued", "used", "finished", "expired", "revoked", "locked"]
DoorStatus = Literal["needs_birth_date", "expired", "revoked", "locked", "finished", "unknown"]


class DoorRefused(UserError):
    """The door did not open; ``status`` says why in a word the web app turns into its own page."""

    status: str = "unknown"

    def __init__(self, message: str, status: str | None = None) -> None:
        if status is not None:
            self.status = status
        super().__init__(message)


class IdentityRefused(DoorRefused):
    """The birth date given is not the patient's; ``tries_left`` before the link locks."""

    status = "needs_birth_date"

    def __init__(self, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(f"that date of birth does not match; {tries_left} tries left")


class LinkLocked(DoorRefused):
    """Too many wrong birth dates: the link no longer opens; the clinic can send a new one."""

    status = "locked"

    def __init__(self) -> None:
        super().__init__("this link is locked after too many wrong dates of birth; please call the clinic "
                         "for a new one")


class LinkClosed(DoorRefused):
    """The link or pass does not open (any more): ``status`` is expired, revoked, finished, unknown, or
    moved (the questionnaire was opened on another device since)."""

    MESSAGES: Final = {
        "expired": "this link has expired: the time to answer this visit is over",
        "revoked": "this link was withdrawn by the clinic",
        "finished": "these questionnaires are already answered: thank you",
        "unknown": "this link or code is not known; check it, or call the clinic",
        "moved": "these questionnaires were opened on another device since; continue there, or open your "
                 "link again here",
        "locked": "this link is locked; please call the clinic for a new one",
    }

    def __init__(self, status: str) -> None:
        super().__init__(self.MESSAGES.get(status, self.MESSAGES["unknown"]), status)


class VisitInUse(ConflictError):
    """The visit is being answered on a clinic tablet: the web waits until it is finished or locked there."""

    status = "in_use"

    def __init__(self) -> None:
        super().__init__("your questionnaires are open on a tablet at the clinic right now; finish them there, "
                         "or try again later")


class TooManyTries(DoorRefused):
    """Too many tries from this address or at this link; ``retry_after`` seconds until the next."""

    status = "too_many"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many tries; please wait {max(1, math.ceil(retry_after / 60))} minute(s) and try again")


@dataclass(frozen=True)
class IssuedInvitation:
    """What the desk, the command line and the reminder e-mail give the patient. Holds the secrets: shown
    or sent, never logged."""

    invitation_id: int
    visit_id: int
    mrn: str
    timepoint: str
    token: str
    code: str
    """Normalised (``invite_codes.display`` prints it in two groups)."""
    link: str
    valid_from: dt.datetime
    """Naive UTC, as stored."""
    valid_until: dt.date
    """The last day the link opens."""

    @property
    def printed_code(self) -> str:
        return invite_codes.display(self.code)

    @property
    def local_only(self) -> bool:
        """The clinic has no web address yet: the link opens on the server itself only (the code works
        wherever the web app runs), which the desk and the command line say."""
        return self.link.startswith(LOCAL_WEB_URL + "/")


@dataclass(frozen=True)
class InvitationRecord:
    """An invitation as the patient's record lists it: no secret."""

    invitation_id: int
    visit_id: int
    timepoint: str
    state: InvitationState
    issued_at: dt.datetime
    issued_by: str
    valid_until: dt.date
    failed_tries: int
    confirmed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_reason: str | None
    locked_at: dt.datetime | None


@dataclass(frozen=True)
class DoorState:
    """What a link or code opens onto, before the birth date: nothing that names the patient."""

    status: DoorStatus
    language: str = "en"
    timepoint: str | None = None
    tries_left: int = MAX_TRIES


@dataclass(frozen=True)
class WebPass:
    """What the browser keeps once the birth date was confirmed (a cookie): ``enter`` takes it."""

    pass_token: str
    invitation_id: int
    language: str


def token_digest(token: str) -> str:
    """SHA-256 of a link token or pass (high-entropy secrets: a fast digest is safe, see the module)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def code_digest(key: bytes, code: str) -> str:
    """The keyed digest of a normalised short code (low entropy: keyed, so the table alone cannot be searched)."""
    return hmac.new(key, CODE_DIGEST_LABEL + code.encode("ascii"), hashlib.sha256).hexdigest()


def derived_token(key: bytes, seed: str) -> str:
    raw = hmac.new(key, TOKEN_LABEL + bytes.fromhex(seed), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def derived_code(key: bytes, seed: str) -> str:
    raw = hmac.new(key, CODE_LABEL + bytes.fromhex(seed), hashlib.sha256).digest()
    data = "".join(invite_codes.ALPHABET[byte % len(invite_codes.ALPHABET)] for byte in raw[:invite_codes.DATA_CHARS])
    return data + invite_codes.check_character(data)


def secret_digests(key: bytes, secret: str) -> tuple[str, str | None]:
    """(digest of ``secret`` read as a token, keyed digest of it read as a code or None when not one)."""
    plain = secret.strip()
    code = invite_codes.normalise(plain)
    return token_digest(plain), code_digest(key, code) if invite_codes.is_code(code) else None


def state_of(row: Invitation, visit: Visit, last_day: dt.date, today: dt.date) -> InvitationState:
    """An invitation's state on ``today``: revoked, locked, finished (its visit completed), expired (past
    its last day, or the visit can no longer be collected), used (a birth date confirmed), else issued."""
    if row.revoked_at is not None:
        return "revoked"
    if row.locked_at is not None:
        return "locked"
    if visit.status == "completed":
        return "finished"
    if visit.status == "cancelled" or today > min(row.valid_until, last_day):
        return "expired"
    return "used" if row.confirmed_at is not None else "issued"


def _patient_visits(session: OrmSession, patient_id: int) -> Sequence[Visit]:
    return session.scalars(select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.seq)).all()


def _last_days(rows: Sequence[Visit]) -> dict[int, dt.date]:
    """For each of a patient's visits (all of them, in order): the last day it can be collected
    (``visit_state``)."""
    visits = [visit_record(v) for v in rows]
    return {visit.id: last_collecting_day(visit, following)
            for visit, following in zip(visits, next_window_starts(visits), strict=True)}


class Invitations:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.INVITE)
    def issue(self, patient_id: int, timepoint: str | None = None) -> IssuedInvitation:
        """A new link and code for the patient's visit open to answering today (or the named timepoint's,
        which must be open too); any earlier invitation of that visit is revoked in the same transaction."""
        return self._issue_at(patient_id, timepoint, web_url(self.context) or LOCAL_WEB_URL)

    def _issue_at(self, patient_id: int, timepoint: str | None, base: str) -> IssuedInvitation:
        """``issue`` with the web address already read (``base``; without one, the code still opens the
        visit wherever serve runs)."""
        key = self.context.database.audit_key
        for _ in range(3):  # a code that collides with another invitation's: draw again
            try:
                return self._issue(patient_id, timepoint, base, key)
            except ConflictError:
                continue
        raise UserError("could not draw an unused code; try again")

    def _issue(self, patient_id: int, timepoint: str | None, base: str, key: bytes) -> IssuedInvitation:
        today, now = self.context.today(), self.context.now()
        with self.context.database.writing() as session:
            patient = session.get(Patient, patient_id)
            if patient is None:
                raise UserError(f"no patient with id {patient_id}")
            visit, last_day = self._open_visit(session, patient, timepoint, today)
            if patient.birth_date is None:
                raise UserError(Problem("birth_date", "invite_no_birth", {"mrn": patient.mrn}))
            changes: list[Change] = []
            for old in session.scalars(select(Invitation).where(
                    Invitation.visit_id == visit.id, Invitation.revoked_at.is_(None))):
                old.revoked_at, old.revoked_reason = now, "replaced by a new invitation"
                changes.append(Change("invitation", old.id, "revoked", None, now, old.revoked_reason))
            seed = secrets.token_hex(SEED_BYTES)
            token, code = derived_token(key, seed), derived_code(key, seed)
            row = Invitation(patient_id=patient.id, visit_id=visit.id, seed=seed, token_hash=token_digest(token),
                             code_hash=code_digest(key, code), issued_at=now, issued_by=self.context.actor,
                             valid_until=last_day, failed_tries=0, pass_seq=0)
            session.add(row)
            session.flush()
            changes.append(Change("invitation", row.id, new={
                "patient_id": patient.id, "visit_id": visit.id, "timepoint": visit.timepoint,
                "valid_until": last_day}))
            record(session, self.context, changes)
            return IssuedInvitation(row.id, visit.id, patient.mrn, visit.timepoint, token, code,
                                    f"{base}/v/{token}", now, last_day)

    def _open_visit(self, session: OrmSession, patient: Patient, timepoint: str | None,
                    today: dt.date) -> tuple[Visit, dt.date]:
        rows = session.scalars(select(Visit).where(Visit.patient_id == patient.id).order_by(Visit.seq)).all()
        visits = [visit_record(v) for v in rows]
        states = course_states(visits, today)
        following = next_window_starts(visits)
        if timepoint is None:
            for row, visit, state, start in zip(rows, visits, states, following, strict=True):
                if state.collectable:
                    return row, last_collecting_day(visit, start)
            raise UserError(Problem(None, "invite_no_visit", {"mrn": patient.mrn}))
        for row, visit, state, start in zip(rows, visits, states, following, strict=True):
            if row.timepoint == timepoint:
                if not state.collectable:
                    raise UserError(f"the {timepoint} visit of {patient.mrn} is {state.code}: it is not open to "
                                    "answering")
                return row, last_collecting_day(visit, start)
        known = ", ".join(row.timepoint for row in rows) or "none"
        raise UserError(f"{patient.mrn} has no {timepoint} visit (visits: {known})")

    @requires(Capability.INVITE)
    def revoke(self, invitation_id: int, reason: str) -> None:
        """Withdraw an invitation: its link and code stop opening, and a pass it gave stops working."""
        reason = required_reason(reason, "revoke an invitation")
        with self.context.database.writing() as session:
            row = session.get(Invitation, invitation_id)
            if row is None:
                raise UserError(f"no invitation with id {invitation_id}")
            if row.revoked_at is not None:
                raise UserError(f"invitation {invitation_id} was already revoked")
            row.revoked_at, row.revoked_reason = self.context.now(), reason[:500]
            record(session, self.context, [Change("invitation", row.id, "revoked", None, row.revoked_at, reason)])

    @requires(Capability.INVITE, Capability.PATIENTS)
    def for_patient(self, patient_id: int) -> list[InvitationRecord]:
        """The patient's invitations, newest first, each with its state today (no secret)."""
        today = self.context.today()
        with self.context.database.reading() as session:
            last_days = _last_days(_patient_visits(session, patient_id))
            rows = session.execute(select(Invitation, Visit).join(Visit, Visit.id == Invitation.visit_id)
                                   .where(Invitation.patient_id == patient_id)
                                   .order_by(Invitation.id.desc())).all()
            return [InvitationRecord(row.id, row.visit_id, visit.timepoint,
                                     state_of(row, visit, last_days[visit.id], today), row.issued_at,
                                     row.issued_by, row.valid_until, row.failed_tries, row.confirmed_at,
                                     row.revoked_at, row.revoked_reason, row.locked_at) for row, visit in rows]

    @requires(Capability.INVITE, Capability.REMINDERS)
    def for_reminder(self, patient_id: int, visit_id: int, timepoint: str) -> IssuedInvitation | None:
        """The visit's invitation a reminder carries (e-mail or letter): the one that still opens, else a
        new one, so every rung of a visit gives the same link and code. None without a web app, for a role
        that may not invite, or when the visit cannot have one (no birth date recorded, not open on the
        clock's day): the reminder then goes without it."""
        base = web_url(self.context)  # read once for the pair below
        if base is None or not self.context.principal.can(Capability.INVITE):
            return None
        try:
            return self._current_at(visit_id, base) or self._issue_at(patient_id, timepoint, base)
        except UserError:
            return None

    @requires(Capability.INVITE)
    def current(self, visit_id: int) -> IssuedInvitation | None:
        """The visit's invitation that still opens (issued or used), with its link and code again: what
        a reminder e-mail carries, so each rung of the ladder sends the same link. None when there is none.
        Without a web address, the link is the server's own (``local_only``)."""
        return self._current_at(visit_id, web_url(self.context) or LOCAL_WEB_URL)

    def _current_at(self, visit_id: int, base: str) -> IssuedInvitation | None:
        key = self.context.database.audit_key
        today = self.context.today()
        with self.context.database.reading() as session:
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise UserError(f"no visit with id {visit_id}")
            last_days = _last_days(_patient_visits(session, visit.patient_id))
            patient = session.get_one(Patient, visit.patient_id)
            for row in session.scalars(select(Invitation).where(Invitation.visit_id == visit_id)
                                       .order_by(Invitation.id.desc())):
                if state_of(row, visit, last_days[visit.id], today) in ("issued", "used"):
                    token, code = derived_token(key, row.seed), derived_code(key, row.seed)
                    if token_digest(token) != row.token_hash:
                        continue  # sealed under another clinic key: it cannot be given again
                    return IssuedInvitation(row.id, visit.id, patient.mrn, visit.timepoint, token, code,
                                            f"{base}/v/{token}", row.issued_at, row.valid_until)
        return None


class WebDoor:
    """The patient's way in from home, with no staff account (the web app builds one at start).

    Every call is one transaction of its own, so any number of server workers share one door.
    """

    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self.database = database
        self.clock = clock or SystemClock()
        self.context = ServiceContext(database, Principal.nobody(WEB_ACTOR), self.clock)

    def deadline(self) -> Deadline:
        """Started at the beginning of a web request: past ``REQUEST_SECONDS`` the database's connections
        are cut (``sijpro.storage.deadline``), so a page waiting on a silent network ends with "try again"
        rather than leaving the patient before a blank screen; call ``cancel()`` when the request ends."""
        return Deadline(REQUEST_SECONDS, self.database.cut_connections)

    def look(self, secret: str, *, address: str = "") -> DoorState:
        """What ``secret`` (a link's token or a short code, as typed) opens onto. A failure is audited."""
        with self.database.reading() as session:
            row = self._find(session, secret)
            if row is None:
                state = DoorState("unknown")
            else:
                visit, status = self._visit_status(session, row)
                language = session.get_one(Patient, row.patient_id).language
                state = DoorState(status, language, visit.timepoint, MAX_TRIES - row.failed_tries)
        if state.status != "needs_birth_date":
            with self.database.writing() as session:
                self._refused(session, None if row is None else row.id, state.status, address)
        return state

    def confirm(self, secret: str, birth_date: dt.date, *, address: str) -> WebPass:
        """Check the birth date; on a match, a new pass for this browser (any earlier pass of the link
        stops opening, and the visit's claim moves to this browser). Five wrong dates lock the link."""
        refusal: DoorRefused | None = None
        with self.database.writing() as session:
            row = self._find(session, secret, lock=True)
            if row is None:
                self._refused(session, None, "unknown", address, "confirm")
                refusal = LinkClosed("unknown")
            else:
                visit, status = self._visit_status(session, row)
                patient = session.get_one(Patient, row.patient_id)
                if status != "needs_birth_date":
                    self._refused(session, row.id, status, address, "confirm")
                    refusal = LinkLocked() if status == "locked" else LinkClosed(status)
                elif patient.birth_date != birth_date:
                    refusal = self._wrong_date(session, row, address)
                else:
                    return self._let_in(session, row, visit, patient, address)
        raise refusal

    def enter(self, pass_token: str, *, address: str = "") -> Session:
        """The hand-over session a pass opens: that patient's visit only, mode ``web``, from this browser's
        device, holding the visit's claim. Refused (``LinkClosed``) when the pass no longer opens, and
        ``VisitInUse`` while a clinic tablet holds the visit."""
        from sijpro.services.session import Session  # the session module builds this one: imported late

        invitation_id, seq = _pass_parts(pass_token)
        status: str = "unknown"
        fresh_claim = False
        # every page of a visit comes through here: one read, and a write only for a refusal's audit or a
        # claim to take or renew (not on each page: a claim is renewed once it has run for a minute)
        with self.database.reading() as session:
            row = session.get(Invitation, invitation_id) if invitation_id is not None else None
            if row is not None and seq is not None and row.pass_hash is not None:
                _visit, status = self._visit_status(session, row)
                if not hmac.compare_digest(token_digest(pass_token), row.pass_hash):
                    status = "moved" if seq < row.pass_seq and status == "needs_birth_date" else (
                        status if status != "needs_birth_date" else "unknown")
                patient_id, visit_id, device = row.patient_id, row.visit_id, web_device(row.id, row.pass_seq)
                claim = session.get(VisitClaim, visit_id)
                fresh_claim = claim is not None and claim.device == device and not needs_renewal(
                    claim.expires_at, self.context.now())
        if status != "needs_birth_date":
            with self.database.writing() as session:
                self._refused(session, None if row is None else row.id, status, address, "enter")
            raise LinkLocked() if status == "locked" else LinkClosed(status)
        web = Session(self.database, Principal.web(patient_id, frozenset({visit_id})), self.clock, device=device)
        if not fresh_claim:
            _take_claim(web.claims, visit_id, device, invitation_id or 0)
        return web

    def allow(self, address: str, secret: str | None = None) -> bool:
        """Count one try at the door from ``address`` (at ``secret``, when one was given); raises
        ``TooManyTries`` with the seconds to wait when this address or this link has had too many in the
        last ``THROTTLE_WINDOW``. Kept in the database, so every worker process counts together."""
        keys = [("a:" + hashlib.sha256(address.encode("utf-8")).hexdigest()[:40], ADDRESS_LIMIT)]
        if secret:
            plain = secret.strip()
            code = invite_codes.normalise(plain)
            named = code if invite_codes.looks_like_code(plain) else plain
            keys.append(("l:" + hashlib.sha256(named.encode("utf-8")).hexdigest()[:40], LINK_LIMIT))
        try:
            return self._count(keys)
        except ConflictError:  # another worker counted the first try of this key at the same instant
            return self._count(keys)

    def _count(self, keys: list[tuple[str, int]]) -> bool:
        now = self.context.now()
        wait = 0
        with self.database.writing() as session:
            for key, limit in keys:
                row = session.get(DoorThrottle, key, with_for_update=True)
                if row is None:
                    session.add(DoorThrottle(key=key, window_start=now, count=1))
                    continue
                if now - row.window_start >= THROTTLE_WINDOW:
                    row.window_start, row.count = now, 1
                    continue
                row.count += 1
                if row.count > limit:
                    left = row.window_start + THROTTLE_WINDOW - now
                    wait = max(wait, math.ceil(left.total_seconds()))
        if wait:
            raise TooManyTries(wait)
        return True

    def _find(self, session: OrmSession, secret: str, *, lock: bool = False) -> Invitation | None:
        if not secret or len(secret) > 200:
            return None
        by_token, by_code = secret_digests(self.database.audit_key, secret)
        query = select(Invitation).where(Invitation.token_hash == by_token)
        if by_code is not None:
            query = select(Invitation).where((Invitation.token_hash == by_token) | (Invitation.code_hash == by_code))
        if lock:
            query = query.with_for_update()
        return session.scalars(query.limit(1)).first()

    def _visit_status(self, session: OrmSession, row: Invitation) -> tuple[Visit, DoorStatus]:
        """The invitation's visit and what the link opens onto now, with one query for the visits (the
        patient's, for their last days, this one among them)."""
        visits = _patient_visits(session, row.patient_id)
        visit = next(v for v in visits if v.id == row.visit_id)
        return visit, self._status(row, visit, _last_days(visits)[visit.id])

    def _status(self, row: Invitation, visit: Visit, last_day: dt.date) -> DoorStatus:
        state = state_of(row, visit, last_day, self.context.today())
        match state:
            case "issued" | "used":
                return "needs_birth_date"
            case _:
                return state

    def _refused(self, session: OrmSession, invitation_id: int | None, status: str, address: str,
                 at: str = "look") -> None:
        record(session, self.context, [Change("invitation", invitation_id, f"{at}_refused", new={
            "status": status, "address": address[:100]})])

    def _wrong_date(self, session: OrmSession, row: Invitation, address: str) -> DoorRefused:
        old = row.failed_tries
        row.failed_tries = old + 1
        changes = [Change("invitation", row.id, "failed_tries", old, row.failed_tries,
                          f"wrong date of birth from {address[:100]}")]
        if row.failed_tries >= MAX_TRIES:
            row.locked_at = self.context.now()
            changes.append(Change("invitation", row.id, "locked", None, row.locked_at,
                                  f"{MAX_TRIES} wrong dates of birth"))
        record(session, self.context, changes)
        return LinkLocked() if row.locked_at is not None else IdentityRefused(MAX_TRIES - row.failed_tries)

    def _let_in(self, session: OrmSession, row: Invitation, visit: Visit, patient: Patient,
                address: str) -> WebPass:
        old_seq = row.pass_seq
        row.pass_seq = old_seq + 1
        pass_token = f"{row.id}.{row.pass_seq}.{secrets.token_urlsafe(32)}"
        row.pass_hash, row.confirmed_at, row.failed_tries = token_digest(pass_token), self.context.now(), 0
        changes = [Change("invitation", row.id, "pass_seq", old_seq, row.pass_seq,
                          f"date of birth confirmed from {address[:100]}")]
        claim = session.get(VisitClaim, visit.id)
        if claim is not None and is_web_device(claim.device, row.id):  # the browser before: this one takes over
            device = web_device(row.id, row.pass_seq)
            changes.append(Change("visit", visit.id, "claimed_on", claim.device, device,
                                  f"taken over from {claim.device}"))
            claim.device, claim.claimed_at = device, self.context.now()
        record(session, self.context, changes)
        return WebPass(pass_token, row.id, patient.language)


def _pass_parts(pass_token: str) -> tuple[int | None, int | None]:
    """The invitation id and pass number a pass names (not secret; the random part is)."""
    parts = pass_token.split(".", 2) if len(pass_token) < 200 else []
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 12:
        return None, None
    return int(parts[0]), int(parts[1])


def _take_claim(claims: Claims, visit_id: int, device: str, invitation_id: int) -> None:
    """Claim the visit for this browser; an older browser of the same link is taken over, a tablet is not."""
    try:
        claims.claim([visit_id], device)
    except VisitClaimed as refused:
        if not is_web_device(refused.holder.device, invitation_id):
            raise VisitInUse() from None
        claims.claim([visit_id], device, take_over=True)
