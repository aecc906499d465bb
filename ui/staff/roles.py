"""What each role may do, in one table, so that a screen shows only the actions its user may take.

Roles are cumulative: a surgeon does everything a nurse does and reads outcomes; an administrator does
everything a surgeon does and runs the clinic's accounts, protocol, backups and database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the sign-in window needs the table, not the records module
    from sijpro.records import Role, UserRecord


class Capability(StrEnum):
    WORKLIST = "worklist"
    PATIENTS = "patients"
    REGISTER = "register"
    EDIT_PATIENT = "edit_patient"
    PROCEDURES = "procedures"
    RESCHEDULE = "reschedule"
    PAPER_ENTRY = "paper_entry"
    HAND_OVER = "hand_over"
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


NURSE = frozenset({
    Capability.WORKLIST, Capability.PATIENTS, Capability.REGISTER, Capability.EDIT_PATIENT, Capability.PROCEDURES,
    Capability.RESCHEDULE, Capability.PAPER_ENTRY, Capability.HAND_OVER,
})
SURGEON = NURSE | {Capability.DASHBOARD, Capability.REPORTS, Capability.COHORT, Capability.EXPORT}
ADMIN = SURGEON | {Capability.IMPORT, Capability.USERS, Capability.PROTOCOL, Capability.BACKUPS, Capability.AUDIT,
                   Capability.DATABASE, Capability.CLINIC_SETTINGS}
CAPABILITIES: dict[Role, frozenset[Capability]] = {"nurse": NURSE, "surgeon": SURGEON, "admin": ADMIN}


def can(user: UserRecord | None, capability: Capability) -> bool:
    return user is not None and user.active and capability in CAPABILITIES.get(user.role, frozenset())
