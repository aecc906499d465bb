"""Who may do what: the one capability table, the principal a session acts as, and the refusal.

Every service call checks a capability of the session it is reached through (``requires``); screens only
hide what a role cannot use, and the command line refuses before it asks for anything else. Roles are
cumulative: a surgeon does everything a nurse does and reads outcomes; an administrator does everything a
surgeon does and runs the clinic's accounts, protocol, backups and database.

Two principals are not staff accounts: nobody (what is done before anyone signs in: signing in, checking
the database, the scheduled backup) and a kiosk handed over for one patient's visit, which may only answer
that visit's questionnaires and read what they need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, ParamSpec, Protocol, TypeVar

from sijpro.errors import UserError

if TYPE_CHECKING:
    from sijpro.records import ResponseMode


class Capability(StrEnum):
    WORKLIST = "worklist"
    PATIENTS = "patients"
    """Read patients' records, visits and questionnaires."""
    REGISTER = "register"
    EDIT_PATIENT = "edit_patient"
    CONTACTS = "contacts"
    """Read a patient's phone, e-mail, postal address, preferred channel and consent (identified data a
    kiosk never needs: it greets the patient by name and nothing more)."""
    EDIT_CONTACTS = "edit_contacts"
    """Record or change them (the audit trail keeps every old value)."""
    REMINDERS = "reminders"
    """Draw up the day's follow-up contact plan and make its contacts (e-mails, letters, calls)."""
    PROCEDURES = "procedures"
    RESCHEDULE = "reschedule"
    PAPER_ENTRY = "paper_entry"
    HAND_OVER = "hand_over"
    INVITE = "invite"
    """Give a patient a one-time link and code to answer a visit at home, or revoke it."""
    DASHBOARD = "dashboard"
    REPORTS = "reports"
    COHORT = "cohort"
    EXPORT = "export"
    IMPORT = "import"
    USERS = "users"
    PROTOCOL = "protocol"
    BACKUPS = "backups"
    AUDIT = "audit"
    DATABASE = "database"
    CLINIC_SETTINGS = "clinic_settings"
    ANSWER = "answer"
    """Answer the questionnaires of the visit a kiosk was handed over for."""
    VERIFY = "verify"
    """Check the database's integrity and audit chain (reads no patient's data)."""
    SCHEDULED_BACKUP = "scheduled_backup"
    """Take the automatic backup the policy asks for (a copy of the file, read by nobody)."""


EVERYONE: Final = frozenset({Capability.VERIFY, Capability.SCHEDULED_BACKUP})
"""What needs no account: `sijpro verify` and `sijpro backups --now` run from a scheduled task."""
NURSE: Final = EVERYONE | {
    Capability.WORKLIST, Capability.PATIENTS, Capability.REGISTER, Capability.EDIT_PATIENT, Capability.PROCEDURES,
    Capability.CONTACTS, Capability.EDIT_CONTACTS, Capability.REMINDERS,
    Capability.RESCHEDULE, Capability.PAPER_ENTRY, Capability.HAND_OVER, Capability.INVITE,
}
SURGEON: Final = NURSE | {Capability.DASHBOARD, Capability.REPORTS, Capability.COHORT, Capability.EXPORT}
ADMIN: Final = SURGEON | {Capability.IMPORT, Capability.USERS, Capability.PROTOCOL, Capability.BACKUPS,
                          Capability.AUDIT, Capability.DATABASE, Capability.CLINIC_SETTINGS}
KIOSK: Final = EVERYONE | {Capability.ANSWER}
SYSTEM: Final = frozenset(Capability)
"""An in-process program that owns the database outright (the demo generator, a test): never a front end."""
CAPABILITIES: Final[dict[str, frozenset[Capability]]] = {"nurse": NURSE, "surgeon": SURGEON, "admin": ADMIN}

WEB_ACTOR: Final = "patient (web)"
"""Who the audit trail names for what a patient does through an at-home link (``services.invitations``)."""
KIOSK_ACTOR: Final = "kiosk"
"""Who the audit trail names for a kiosk nobody has unlocked (failed unlock attempts, for instance)."""


def kiosk_actor(nurse: str | None) -> str:
    """The audit trail's actor for what a patient answers on a tablet a nurse unlocked or handed over:
    the kiosk, and the nurse answerable for who was given it ("kiosk (anne)")."""
    return f"{KIOSK_ACTOR} ({nurse})" if nurse else KIOSK_ACTOR


class AccessDenied(UserError):
    """The session's role may not do this; the message says what was refused and what it needs."""


@dataclass(frozen=True)
class Principal:
    """Who a session acts as: the name the audit trail writes, the role, and what that role may do.

    A kiosk principal is also confined to one patient and the visits handed over (``visit_ids``); staff
    principals have ``patient_id`` None and reach every patient their capabilities allow.
    """

    actor: str
    role: str | None
    capabilities: frozenset[Capability]
    patient_id: int | None = None
    visit_ids: frozenset[int] = frozenset()
    mode: ResponseMode = "kiosk"
    """The mode of collection a confined principal's questionnaires are recorded in: ``kiosk`` for a tablet,
    ``web`` for a patient at home."""

    @classmethod
    def nobody(cls, actor: str) -> Principal:
        return cls(actor, None, EVERYONE)

    @classmethod
    def staff(cls, username: str, role: str) -> Principal:
        return cls(username, role, CAPABILITIES.get(role, EVERYONE))

    @classmethod
    def system(cls, actor: str) -> Principal:
        return cls(actor, "system", SYSTEM)

    @classmethod
    def delivery(cls, actor: str) -> Principal:
        """A kiosk's recorded answers delivered later from its journal: answering only, on any visit the
        tablet holds (the claim, checked by the collection, confines it)."""
        return cls(actor, "kiosk", KIOSK)

    @classmethod
    def kiosk(cls, nurse: str, patient_id: int, visit_ids: frozenset[int]) -> Principal:
        return cls(kiosk_actor(nurse), "kiosk", KIOSK, patient_id, visit_ids)

    @classmethod
    def web(cls, patient_id: int, visit_ids: frozenset[int]) -> Principal:
        """A patient answering at home through an invitation: answering only, that visit only, in mode web."""
        return cls(WEB_ACTOR, "kiosk", KIOSK, patient_id, visit_ids, "web")

    @property
    def confined(self) -> bool:
        """True for a kiosk handed over for one patient: every record it reaches must be theirs."""
        return self.patient_id is not None

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, *capabilities: Capability) -> None:
        """Refuse unless the principal has one of ``capabilities``."""
        if not any(capability in self.capabilities for capability in capabilities):
            raise AccessDenied(refusal(self, capabilities[0]))

    def require_patient(self, patient_id: int) -> None:
        if self.confined and patient_id != self.patient_id:
            raise AccessDenied("this kiosk was handed over for another patient")

    def require_visit(self, visit_id: int) -> None:
        if self.confined and visit_id not in self.visit_ids:
            raise AccessDenied("this kiosk was not handed over for that visit")


class Account(Protocol):
    """What ``can`` reads of a staff account (``sijpro.records.UserRecord``)."""

    @property
    def role(self) -> str: ...

    @property
    def active(self) -> bool: ...


def can(account: Account | None, capability: Capability) -> bool:
    """Whether a signed-in account's role has ``capability``: what a screen asks before showing an action
    (the service checks again when the action is taken)."""
    return account is not None and account.active and capability in CAPABILITIES.get(account.role, frozenset())


def refusal(principal: Principal, capability: Capability) -> str:
    """Why ``principal`` may not use ``capability``, in words a user can act on."""
    needed = [role for role, capabilities in CAPABILITIES.items() if capability in capabilities]
    roles = " or ".join(needed) if needed else "nobody"
    if principal.role is None:
        article = "an" if roles[0] in "aeiou" else "a"
        return f"sign in first: {capability.value.replace('_', ' ')} needs {article} {roles} account"
    return (f"refused: {capability.value.replace('_', ' ')} needs the {roles} role; "
            f"{principal.actor} is signed in as {principal.role}")


P = ParamSpec("P")
R = TypeVar("R")


def requires(*capabilities: Capability) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorate a service method: it runs only for a principal holding one of ``capabilities``.

    The capabilities are kept on the method (``needs``), so a test can show that every public method of
    every service checks one.
    """

    def decorate(method: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> R:
            self.context.principal.require(*capabilities)
            return method(self, *args, **kwargs)

        _declare_needs(checked, capabilities)
        return checked

    return decorate


def checked_inside(*capabilities: Capability) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a service method whose check depends on what it is asked (the first account of a new database
    needs none): the method itself calls ``principal.require``."""

    def mark(method: Callable[P, R]) -> Callable[P, R]:
        _declare_needs(method, capabilities)
        return method

    return mark


def open_to_all(method: Callable[P, R]) -> Callable[P, R]:
    """Mark a service method that needs no capability (signing in, reading the protocol or the clinic's
    name): said explicitly, so the coverage test tells a forgotten check from a deliberate one."""
    _declare_needs(method, ())
    return method


def _declare_needs(method: Callable[..., object], capabilities: Iterable[Capability]) -> None:
    """Keep on the function what it needs, for the test that every service method says so."""
    method.needs = frozenset(capabilities)  # type: ignore[attr-defined]  # a function's own new attribute
