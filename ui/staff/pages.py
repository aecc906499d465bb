"""The pages of the staff desktop, in navigation order, and how a page plugs into the window.

A page is a ``ui.staff.page.StaffPage`` (its ``title_key``, the signals it emits, what it offers to
Ctrl+F, Ctrl+P and the routing of patients), built with ``Page(session, user, parent)`` the first time
it is opened: the session already acts as ``user`` (audit trail, capabilities).

A page whose module is not installed is simply not listed (no empty placeholder), and a role sees only
the pages its capability allows (``sijpro.access``, the one table the services check too).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtWidgets import QWidget

from sijpro.access import Capability, can
from sijpro.records import UserRecord
from sijpro.services.session import Session
from ui.staff.page import StaffPage


class PageClass(Protocol):
    title_key: str

    def __call__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> StaffPage: ...


@dataclass(frozen=True)
class PageEntry:
    key: str
    capability: Capability
    module: str
    class_name: str
    group: str
    """'work' (everyone), 'outcomes' (surgeons) or 'admin': the navigation shows groups apart."""

    def available(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:  # its package is missing too
            return False

    def load(self) -> PageClass:
        return getattr(importlib.import_module(self.module), self.class_name)


PAGES: tuple[PageEntry, ...] = (
    PageEntry("worklist", Capability.WORKLIST, "ui.staff.worklist_page", "WorklistPage", "work"),
    PageEntry("patients", Capability.PATIENTS, "ui.staff.patients_page", "PatientsPage", "work"),
    PageEntry("paper", Capability.PAPER_ENTRY, "ui.staff.paper_page", "PaperEntryPage", "work"),
    PageEntry("followup", Capability.REMINDERS, "ui.staff.followup_page", "FollowUpPage", "work"),
    PageEntry("dashboard", Capability.DASHBOARD, "ui.staff.dashboard", "DashboardPage", "outcomes"),
    PageEntry("cohort", Capability.COHORT, "ui.staff.cohort", "CohortPage", "outcomes"),
    PageEntry("reports", Capability.REPORTS, "ui.staff.reports_page", "ReportsPage", "outcomes"),
    PageEntry("clinic", Capability.CLINIC_SETTINGS, "ui.staff.admin.clinic", "ClinicPage", "admin"),
    PageEntry("users", Capability.USERS, "ui.staff.admin.users", "UsersPage", "admin"),
    PageEntry("protocol", Capability.PROTOCOL, "ui.staff.admin.protocol", "ProtocolPage", "admin"),
    PageEntry("backups", Capability.BACKUPS, "ui.staff.admin.backups", "BackupsPage", "admin"),
    PageEntry("audit", Capability.AUDIT, "ui.staff.admin.audit", "AuditPage", "admin"),
    PageEntry("database", Capability.DATABASE, "ui.staff.admin.database", "DatabasePage", "admin"),
)


def pages_for(user: UserRecord) -> list[PageEntry]:
    """The pages ``user`` may open and that this installation has, in navigation order."""
    return [entry for entry in PAGES if can(user, entry.capability) and entry.available()]
