"""Staff accounts: argon2 password hashes, a short PIN to unlock the kiosk, and lock-out after repeated
failures. A failed sign-in never says whether the username exists: a wrong password, a username nobody
has and an account locked out get the same words, which tell that accounts lock after repeated failures
(the audit trail, which an administrator reads, says which it was).

Password rules hold here, for every front end: at least 8 characters, and an administrator's at least 10
of two kinds (``sijpro.services.passwords``). The first account of a database that has none may be made
by anyone, and must be an administrator's: that is how a new clinic gets its first account.

At the kiosk a nurse may type the PIN alone: it identifies whoever holds it when exactly one active user
does. Wrong PIN-alone attempts are throttled per device with growing delays (a few free tries, then 5 s,
10 s, ... up to a minute between tries): a patient tapping digits slows that one tablet, never locks a
nurse's account nor the other tablets, and a nurse can always unlock with the username at once. Tries
refused during a wait check no secret and are not counted. PINs that anyone would guess first (one digit
repeated, a run such as 1234 or 4321, a repeated pattern, the most used PINs) are refused when set.

Refusals carry a ``code`` and its parameters, so a screen can word them in its own language.

Every sign-in and unlock is an audit event (field ``sign_in``): who got in, with what, and each refusal
with the account it was aimed at and any lock-out it caused. A username that matches no account is not
written down: it may be a password typed into the wrong field.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from functools import cache
from typing import Final, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sijpro.access import AccessDenied, Capability, checked_inside, open_to_all, requires
from sijpro.errors import UserError
from sijpro.problems import Problem
from sijpro.records import Role, UserRecord
from sijpro.services.audit import Change, record
from sijpro.services.context import ServiceContext
from sijpro.services.passwords import password_problem
from sijpro.storage.convert import user_record
from sijpro.storage.models import UnlockThrottle, User

MAX_FAILURES: Final = 5
LOCK_MINUTES: Final = 5
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
PIN = re.compile(r"\d{4,8}")
LOCK_NOTE: Final = (f"after {MAX_FAILURES} failed attempts in a row an account is locked for "
                    f"{LOCK_MINUTES} minutes")
WRONG_CREDENTIALS: Final = f"wrong username or password ({LOCK_NOTE})"
WRONG_USERNAME_OR_PIN: Final = f"wrong username or PIN ({LOCK_NOTE})"
WRONG_PIN: Final = "wrong PIN"
FREE_PIN_TRIES: Final = 3
"""Wrong PINs alone a device may have in a row before it has to wait between tries."""
FIRST_WAIT_SECONDS: Final = 5
MAX_WAIT_SECONDS: Final = 60
UNKNOWN_DEVICE: Final = "unnamed device"
COMMON_PINS: Final = frozenset({
    "1212", "1004", "2000", "6969", "1122", "1313", "2001", "1010", "2580", "0852", "1998", "1999", "2112",
    "7777", "5683", "0007", "1984", "1969",
})
"""Among the most used four-digit PINs (DataGenetics' analysis of 3.4 million), beyond the repeated digits,
runs and patterns the rules below refuse anyway."""


def wait_after(failures: int) -> int:
    """Seconds a device waits after ``failures`` wrong PINs alone in a row: 0, 0, 5, 10, 20, 40, 60, 60..."""
    if failures < FREE_PIN_TRIES:
        return 0
    return min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_PIN_TRIES))


def pin_weakness(pin: str) -> str | None:
    """Why ``pin`` is too easy to guess (a patient, a visitor would try it first), or None."""
    if len(set(pin)) == 1:
        return "it repeats one digit"
    steps = {int(second) - int(first) for first, second in itertools.pairwise(pin)}
    if steps in ({1}, {-1}):
        return "its digits follow each other"
    for size in range(2, len(pin) // 2 + 1):
        if len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size):
            return "it repeats a pattern"
    if pin in COMMON_PINS:
        return "it is one of the most used PINs"
    return None

_hasher = PasswordHasher()
_pin_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""PINs get OWASP's baseline argon2id (19 MiB, 2 passes) rather than the passwords' 64 MiB and 3 passes.

A PIN alone is checked against every PIN holder's hash, so its cost is paid once per nurse at each unlock:
about 30 ms instead of 200 ms each on a slow tablet. A 4-8 digit PIN could not resist an offline search
at any cost an unlock can afford; what protects it is the throttle here and that it opens only the kiosk.
"""


def _hasher_for(column: str) -> PasswordHasher:
    return _pin_hasher if column == "pin_hash" else _hasher


@cache
def _decoy_hash(column: str = "password_hash") -> str:
    """Verified against when the username is unknown, so both failures take the same time."""
    return _hasher_for(column).hash("decoy password, never anyone's")


class AuthError(UserError):
    """Sign-in refused; ``locked_minutes`` is set when PIN-alone unlock is (now) refused for that long (a
    clinic-wide throttle, which says nothing about any account).

    ``code`` says which refusal it is, for screens that word it themselves: ``wrong`` (secret or
    username), ``locked`` (``minutes``), ``pin_shared`` (a username is needed with this PIN) and
    ``pin_wait`` (``seconds`` before this device may try a PIN alone again).
    """

    def __init__(self, message: str, locked_minutes: int | None = None, *, code: str = "wrong",
                 params: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.locked_minutes = locked_minutes
        self.code = code
        self.params = dict(params or {})
        if locked_minutes is not None:
            self.params.setdefault("minutes", locked_minutes)


class Auth:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @checked_inside(Capability.USERS)
    def add_user(self, username: str, full_name: str, role: Role, password: str) -> UserRecord:
        """A new account (USERS), or the first administrator of a database that has no account yet."""
        username = username.strip().lower()
        if not USERNAME.fullmatch(username):
            raise UserError(Problem("username", "username_refused", {"username": repr(username)}))
        _refuse_unknown_role(role)
        _refuse_weak(password, username, role)
        with self.context.database.writing() as session:
            principal = self.context.principal
            if not principal.can(Capability.USERS):
                if session.scalar(select(func.count()).select_from(User)):
                    principal.require(Capability.USERS)
                if role != "admin":
                    raise AccessDenied("the first account of a clinic must be an administrator (--role admin)")
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise UserError(Problem("username", "user_exists", {"username": username}))
            row = User(username=username, full_name=full_name.strip(), role=role, password_hash=_hasher.hash(password),
                       active=True, failed_attempts=0, created_at=self.context.now())
            session.add(row)
            session.flush()
            record(session, self.context, [Change("user", row.id, new={
                "username": username, "full_name": row.full_name, "role": role})])
            return user_record(row)

    @open_to_all  # a new database is told by having none: the desktop offers the first-run wizard
    def account_count(self) -> int:
        with self.context.database.reading() as session:
            return session.scalar(select(func.count()).select_from(User)) or 0

    @open_to_all
    def has_accounts(self) -> bool:
        return self.account_count() > 0

    @requires(Capability.USERS)
    def users(self) -> list[UserRecord]:
        with self.context.database.reading() as session:
            return [user_record(row) for row in session.scalars(select(User).order_by(User.username))]

    @requires(Capability.USERS)
    def set_active(self, username: str, active: bool) -> UserRecord:
        """Deactivate an account (it can no longer sign in; its history stays) or reactivate it."""
        with self.context.database.writing() as session:
            row = _user(session, username)
            if row.active and not active:
                _keep_an_admin(session, row, f"{row.username} cannot be deactivated")
            if row.active != active:
                row.active = active
                record(session, self.context, [Change("user", row.id, "active", not active, active)])
            return user_record(row)

    @requires(Capability.USERS)
    def set_role(self, username: str, role: Role) -> UserRecord:
        _refuse_unknown_role(role)
        with self.context.database.writing() as session:
            row = _user(session, username)
            if row.role == "admin" and role != "admin":
                _keep_an_admin(session, row, f"{row.username} cannot stop being an admin")
            if row.role != role:
                before, row.role = row.role, role
                record(session, self.context, [Change("user", row.id, "role", before, role)])
            return user_record(row)

    @requires(Capability.USERS)
    def set_password(self, username: str, password: str) -> UserRecord:
        """A new password chosen by an admin (a forgotten one); it also lifts a lock-out."""
        with self.context.database.writing() as session:
            row = _user(session, username)
            _refuse_weak(password, row.username, row.role)
            row.password_hash = _hasher.hash(password)
            row.failed_attempts, row.locked_until = 0, None
            record(session, self.context, [Change("user", row.id, "password", new="reset")])
            return user_record(row)

    @open_to_all
    def authenticate(self, username: str, password: str) -> UserRecord:
        return self._check(username, password, "password_hash", WRONG_CREDENTIALS)

    @requires(Capability.USERS)
    def set_pin(self, username: str, pin: str) -> UserRecord:
        """Give a user a 4-8 digit PIN for unlocking the kiosk (replaces any previous PIN)."""
        if not PIN.fullmatch(pin):
            raise UserError(Problem("pin", "pin_rule"))
        weakness = pin_weakness(pin)
        if weakness:
            raise UserError(f"this PIN is too easy to guess ({weakness}): choose another")
        with self.context.database.writing() as session:
            row = session.scalar(select(User).where(User.username == username.strip().lower()))
            if row is None:
                raise UserError(f"no user {username}")
            had_pin = row.pin_hash is not None
            row.pin_hash = _pin_hasher.hash(pin)
            record(session, self.context, [Change("user", row.id, "pin", "set" if had_pin else None, "set")])
            return user_record(row)

    @open_to_all
    def check_pin(self, username: str | None, pin: str, *, device: str | None = None) -> UserRecord:
        """The user a PIN belongs to; without a username, the one active user holding that PIN, with wrong
        tries throttled per ``device`` (default: the session's)."""
        if username is not None and username.strip():
            return self._check(username, pin, "pin_hash", WRONG_USERNAME_OR_PIN)
        return self._check_pin_alone(pin, device or self.context.device or UNKNOWN_DEVICE)

    def _check_pin_alone(self, pin: str, device: str) -> UserRecord:
        now = self.context.now()
        with self.context.database.writing() as session:
            throttle = session.get(UnlockThrottle, device)
            if throttle is not None and throttle.not_before is not None and throttle.not_before > now:
                seconds = math.ceil((throttle.not_before - now).total_seconds())
                raise AuthError(f"too many wrong PINs on {device}: wait {seconds} s before the next try, or enter "
                                "your username with the PIN", code="pin_wait", params={"seconds": seconds})
            holders = session.scalars(select(User).where(User.active.is_(True), User.pin_hash.is_not(None))).all()
            matches = [row for row in holders if PIN.fullmatch(pin) and _verify(row.pin_hash or "", pin)]
            if len(matches) > 1:
                raise AuthError("this PIN is not enough on its own: enter your username with it", code="pin_shared")
            if len(matches) == 1 and not (matches[0].locked_until and matches[0].locked_until > now):
                if throttle is not None:
                    session.delete(throttle)
                _rehash_if_needed(matches[0], "pin_hash", pin)
                _record_sign_in(session, self.context, matches[0].id, "PIN alone accepted")
                return user_record(matches[0])
            if throttle is None:
                throttle = UnlockThrottle(device=device, failures=0)
                session.add(throttle)
            throttle.failures += 1
            wait = wait_after(throttle.failures)
            throttle.not_before = now + dt.timedelta(seconds=wait) if wait else None
            code, failure = ("wrong", WRONG_PIN) if not matches else (
                "locked", "too many failed attempts: sign-in is locked for now")
            params: dict[str, int] = {}
            if matches and matches[0].locked_until is not None:
                params["minutes"] = max(1, math.ceil((matches[0].locked_until - now).total_seconds() / 60))
            if wait:
                code, params = "pin_wait", {"seconds": wait}
                failure += f"; wait {wait} s before the next try on {device}, or enter your username with the PIN"
            _record_sign_in(session, self.context, None,
                            "wrong PIN alone" + (f"; next try on {device} in {wait} s" if wait else ""))
        raise AuthError(failure, code=code, params=params)  # raised after the commit, so the failure counts

    def _check(self, username: str, secret: str, column: str, wrong: str) -> UserRecord:
        now = self.context.now()
        means = "password" if column == "password_hash" else "PIN"
        failure: str | None = None
        locked: int | None = None
        with self.context.database.writing() as session:
            row = session.scalar(select(User).where(User.username == username.strip().lower()))
            stored = getattr(row, column) if row is not None and row.active else None
            if row is not None and row.locked_until is not None and row.locked_until > now:
                locked = max(1, round((row.locked_until - now).total_seconds() / 60))
                failure = wrong  # the same words as for a username nobody has
                _record_sign_in(session, self.context, row.id, f"refused: locked for {locked} more minute(s)")
            elif not _verify(stored or _decoy_hash(column), secret) or stored is None or row is None:
                if row is not None:
                    row.failed_attempts += 1
                    if row.failed_attempts >= MAX_FAILURES:
                        row.failed_attempts, row.locked_until = 0, now + dt.timedelta(minutes=LOCK_MINUTES)
                        locked = LOCK_MINUTES
                failure = wrong
                outcome = f"wrong {means}" + (f"; locked for {LOCK_MINUTES} minutes" if locked else "")
                _record_sign_in(session, self.context, row.id if row is not None else None,
                                outcome if row is not None else f"wrong {means} for an unknown username")
            else:
                row.failed_attempts, row.locked_until = 0, None
                _rehash_if_needed(row, column, secret)
                _record_sign_in(session, self.context, row.id, f"{means} accepted")
                signed_in = user_record(row)
        if failure is not None:  # raised after the commit, so the failure counts; the same words locked or not
            raise AuthError(failure, code="wrong")
        return signed_in


def load_account(context: ServiceContext, username: str) -> UserRecord | None:
    """The account as stored now (its role and whether it is active), for the session made for it."""
    with context.database.reading() as session:
        row = session.scalar(select(User).where(User.username == username.strip().lower()))
        return None if row is None else user_record(row)


def _refuse_weak(password: str, username: str, role: str) -> None:
    weakness = password_problem(password, username, role)
    if weakness:
        raise UserError(weakness)


def _record_sign_in(session: Session, context: ServiceContext, user_id: int | None, outcome: str) -> None:
    record(session, context, [Change("user", user_id, "sign_in", new=outcome)])


def _user(session: Session, username: str) -> User:
    row = session.scalar(select(User).where(User.username == username.strip().lower()))
    if row is None:
        raise UserError(f"no user {username}")
    return row


def _keep_an_admin(session: Session, row: User, refused: str) -> None:
    """Refuse to leave the clinic without an active admin: nobody could manage accounts any more."""
    others = session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != row.id))
    if row.role == "admin" and row.active and not others:
        raise UserError(Problem("role", "last_admin", {"refused": refused}))


def _refuse_unknown_role(role: str) -> None:
    if role not in get_args(Role):
        raise UserError(Problem("role", "role_unknown", {"role": repr(role), "roles": ", ".join(get_args(Role))}))


def _rehash_if_needed(row: User, column: str, secret: str) -> None:
    """A hash made with other parameters (an older release's) is replaced at its next successful use."""
    hasher = _hasher_for(column)
    if hasher.check_needs_rehash(getattr(row, column)):
        setattr(row, column, hasher.hash(secret))


def _verify(stored: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False
