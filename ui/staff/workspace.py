"""The signed-in part of the window: navigation on the left, the chosen page on the right.

Pages are listed by ``ui.staff.pages`` for the user's role and built the first time they are opened, so
signing in costs one page (the worklist). The workspace connects the signals pages may have: a patient
to open goes to the dashboard when there is one, else to the patient record; a paper questionnaire to
type goes to the paper entry page; a hand-over goes up to the window, which steps aside for the kiosk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from sijpro.records import UserRecord
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.live_text import follow_language
from ui.staff.page import StaffPage
from ui.staff.pages import PageEntry, pages_for

GROUP_KEYS = {"work": "staff.nav.work", "outcomes": "staff.nav.outcomes", "admin": "staff.nav.admin"}
KEY_ROLE = Qt.ItemDataRole.UserRole
HELP_KEYS = {
    "worklist": "staff.help.worklist", "patients": "staff.help.patients", "paper": "staff.help.paper",
    "followup": "staff.help.followup",
    "dashboard": "staff.help.dashboard", "cohort": "staff.help.cohort", "reports": "staff.help.reports",
    "clinic": "staff.help.clinic", "users": "staff.help.users", "protocol": "staff.help.protocol",
    "backups": "staff.help.backups", "audit": "staff.help.audit", "database": "staff.help.database",
}
"""Each page's short guide (F1), by page key."""
NAV_MIN_WIDTH = 180
NAV_PADDING = 12
"""Pixels either side of a page's name in the navigation (the stylesheet's item padding)."""


class Workspace(QWidget):
    hand_over_requested = Signal(int)
    database_replaced = Signal(str, int)
    clinic_settings_changed = Signal(object)
    """An administrator saved the clinic's name or idle-lock time (``ClinicSettings``)."""
    """A backup was restored: what every page shows, and the signed-in account itself, may have changed."""

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.clinic = clinic
        self.user = user
        self.entries: dict[str, PageEntry] = {entry.key: entry for entry in pages_for(user)}
        self.pages: dict[str, StaffPage] = {}
        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget(self)
        self.pages_area = QScrollArea(self)
        """The pages scroll, rather than widen the window past a small screen (the cohort's tables)."""
        self.pages_area.setObjectName("pagesArea")
        self.pages_area.setFrameShape(QFrame.Shape.NoFrame)
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setWidget(self.stack)
        group = None
        for entry in self.entries.values():
            if entry.group != group:
                group = entry.group
                header = QListWidgetItem(self.navigation)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                header.setData(KEY_ROLE, f"group:{group}")
                font = QFont(header.font())
                font.setBold(True)
                header.setFont(font)
            item = QListWidgetItem(self.navigation)
            item.setData(KEY_ROLE, entry.key)
        self.navigation.currentItemChanged.connect(self._navigated)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages_area, 1)
        follow_language(self, self.retranslate)
        if self.entries:
            self.open_page(next(iter(self.entries)))

    @property
    def keys(self) -> list[str]:
        """The pages this user can open, in navigation order."""
        return list(self.entries)

    def retranslate(self) -> None:
        for row in range(self.navigation.count()):
            item = self.navigation.item(row)
            key = str(item.data(KEY_ROLE))
            if key.startswith("group:"):
                item.setText(tr(GROUP_KEYS[key.removeprefix("group:")]))
            else:
                item.setText(tr(self.entries[key].load().title_key))
        self._fit_navigation()
        for page in self.pages.values():
            page.retranslate()

    def _fit_navigation(self) -> None:
        """As wide as its longest name in the language shown (French ones are longer), never cut."""
        navigation = self.navigation
        widest = max((navigation.sizeHintForColumn(0), *(
            navigation.fontMetrics().horizontalAdvance(navigation.item(row).text()) + 2 * NAV_PADDING
            for row in range(navigation.count()))), default=0)
        navigation.setFixedWidth(max(NAV_MIN_WIDTH, widest + 2 * navigation.frameWidth() + NAV_PADDING))

    # --- pages ----------------------------------------------------------------------------------------

    def page(self, key: str) -> StaffPage | None:
        """The page, built on first use; None when this user has no such page."""
        if key not in self.entries:
            return None
        if key not in self.pages:
            page = self.entries[key].load()(self.clinic, self.user, self.stack)
            self._connect(page)
            self.pages[key] = page
            self.stack.addWidget(page)
        return self.pages[key]

    def open_page(self, key: str) -> StaffPage | None:
        page = self.page(key)
        if page is None:
            return None
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(KEY_ROLE) == key:
                self.navigation.blockSignals(True)
                self.navigation.setCurrentRow(row)
                self.navigation.blockSignals(False)
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
            page.refresh()
        return page

    def current_page(self) -> StaffPage | None:
        current = self.stack.currentWidget()
        return current if isinstance(current, StaffPage) else None

    def current_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((key for key, page in self.pages.items() if page is current), None)

    def focus_search(self) -> bool:
        """Ctrl+F: the current page's search (or look-up) field, its text selected; False when it has none."""
        page = self.current_page()
        field = page.search_field() if page is not None else None
        if field is None or not field.isVisible():
            return False
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        field.selectAll()
        return True

    def print_current(self) -> bool:
        """Ctrl+P: print what the current page shows, for the pages that print (worklist, dashboard)."""
        page = self.current_page()
        if page is None or not page.prints:
            return False
        page.print_page()
        return True

    def help_current(self) -> None:
        """F1: a short guide to the page on screen, in the user's language."""
        key = self.current_key() or ""
        title = tr(self.entries[key].load().title_key) if key in self.entries else tr("common.app_name")
        box = QMessageBox(QMessageBox.Icon.Information, tr("staff.help.title", page=title),
                          tr(HELP_KEYS.get(key, "staff.help.general")),
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("pageHelp")
        box.open()

    def refresh_current(self) -> None:
        page = self.current_page()
        if page is not None:
            page.refresh()

    def _navigated(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_page(str(item.data(KEY_ROLE)))

    def _connect(self, page: StaffPage) -> None:
        page.open_patient.connect(self.route_patient)
        page.hand_over_requested.connect(self.hand_over_requested)
        page.paper_entry_requested.connect(self.paper_entry_for)
        page.database_restored.connect(self.database_replaced)
        page.clinic_settings_changed.connect(self.clinic_settings_changed)

    # --- routing --------------------------------------------------------------------------------------

    def route_patient(self, patient_id: int) -> None:
        """Open the patient on the dashboard when this user has one, else in the patient record."""
        for key in ("dashboard", "patients"):
            page = self.open_page(key) if key in self.entries else None
            if page is not None and page.shows_patients:
                page.show_patient(patient_id)
                return

    def paper_entry_for(self, patient_id: int) -> None:
        page = self.open_page("paper")
        if page is not None:
            page.start_for(patient_id)

