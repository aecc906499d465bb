"""The worklist page: who is overdue, due, coming up or missed today, and what to do for each.

From a row the nurse hands the tablet to that patient, types in a paper questionnaire, or opens the
patient; the window does the first two (they leave this page) and routes the third.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijpro.access import Capability, can
from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.reports.worklist import worklist_pdf
from sijpro.services.session import Session
from ui.errors import show_error
from ui.i18n import language, tr
from ui.staff.page import StaffPage
from ui.staff.printing import choose_printer, print_pdf
from ui.staff.style import heading_label, push_button
from ui.staff.table_view import on_selection, record_table, selected_row
from ui.staff.timeline import timepoint_labels
from ui.staff.worklist_model import SECTION_KEYS, SECTIONS, WorkItem, WorklistModel
from ui.tasks import start_task

SEARCH_DELAY_MS = 150


class WorklistPage(StaffPage):
    title_key = "staff.page.worklist"
    prints = True

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("worklistPage")
        self.clinic = clinic
        self.user = user
        self.model = WorklistModel(self)

        self.heading = heading_label(self)
        self.refresh_button = push_button(self, self.refresh)
        self.print_button = push_button(self, self.print_page, "printWorklist")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.print_button)
        top.addWidget(self.refresh_button)
        filters = self._filters()
        self._table()
        actions = self._actions()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.refresh()

    def _filters(self) -> QHBoxLayout:
        self.section_buttons: dict[str, QPushButton] = {}
        filters = QHBoxLayout()
        for section in SECTIONS:
            toggle = QPushButton(self)
            toggle.setCheckable(True)
            toggle.setChecked(section in self.model.sections)
            toggle.setProperty("role", f"section-{section}")
            toggle.toggled.connect(self._sections_changed)
            self.section_buttons[section] = toggle
            filters.addWidget(toggle)
        self.today_button = QPushButton(self)
        self.today_button.setObjectName("worklistToday")
        self.today_button.setCheckable(True)
        self.today_button.toggled.connect(self._today_changed)
        filters.addSpacing(8)
        filters.addWidget(self.today_button)
        filters.addSpacing(16)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("worklistSearch")
        filters.addWidget(self.search, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.model.search(self.search.text()))
        self.search.textChanged.connect(self._search_timer.start)
        return filters

    def _table(self) -> None:
        self.table = record_table(self.model, "worklistTable", self)
        self.table.doubleClicked.connect(lambda _index: self._open())
        self.table.activated.connect(lambda _index: self._open())
        on_selection(self.table, self._update_actions)

    def _actions(self) -> QHBoxLayout:
        self.shown = QLabel(self)
        self.shown.setProperty("role", "muted")
        self.hand_over_button = push_button(self, self._hand_over, "handOverButton")
        self.paper_button = push_button(self, self._paper, "paperEntryButton")
        self.open_button = push_button(self, self._open, "openPatientButton")
        self.hand_over_button.setVisible(can(self.user, Capability.HAND_OVER))
        self.paper_button.setVisible(can(self.user, Capability.PAPER_ENTRY))
        actions = QHBoxLayout()
        actions.addWidget(self.shown, 1)
        actions.addWidget(self.hand_over_button)
        actions.addWidget(self.paper_button)
        actions.addWidget(self.open_button)
        return actions

    # --- content ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload today's worklist (one service call), keeping filters, sorting and the selected patient."""
        selected = self.selected()
        worklist = self.clinic.schedule.worklist(self.clinic.today)
        self.model.load(worklist, timepoint_labels([self.clinic.protocols.current()]))
        self.table.resizeColumnsToContents()
        if selected is not None:
            self.select_patient(selected.patient_id)
        self.retranslate()

    def select_patient(self, patient_id: int) -> bool:
        for row, item in enumerate(self.model.records()):
            if item.patient_id == patient_id:
                self.table.selectRow(row)
                return True
        return False

    def selected(self) -> WorkItem | None:
        row = selected_row(self.table)
        return self.model.record(row) if row is not None else None

    def _today_changed(self, only: bool) -> None:
        """Today: the visits due on the very day (their nominal date), not every window open."""
        self.model.show_today_only(only)
        self.retranslate()

    def _sections_changed(self) -> None:
        self.model.show_sections(s for s, toggle in self.section_buttons.items() if toggle.isChecked())
        self.retranslate()

    def _update_actions(self) -> None:
        item = self.selected()
        self.hand_over_button.setEnabled(item is not None and item.can_collect)
        self.paper_button.setEnabled(item is not None and item.can_collect)
        self.open_button.setEnabled(item is not None)
        self.shown.setText(tr("staff.worklist.shown", shown=self.model.rowCount(), total=self.model.total))

    # --- actions ------------------------------------------------------------------------------------

    def _hand_over(self) -> None:
        item = self.selected()
        if item is not None and item.can_collect and can(self.user, Capability.HAND_OVER):
            self.hand_over_requested.emit(item.patient_id)

    def _paper(self) -> None:
        item = self.selected()
        if item is not None and item.can_collect and can(self.user, Capability.PAPER_ENTRY):
            self.paper_entry_requested.emit(item.patient_id)

    def _open(self) -> None:
        item = self.selected()
        if item is not None:
            self.open_patient.emit(item.patient_id)

    def print_page(self) -> None:
        """The day's worklist, every section, as a PDF to a printer (or a file): made off the GUI thread."""
        title = tr("staff.worklist.heading", day=self.clinic.today.isoformat())
        choice = choose_printer(self, title)
        if choice is None:
            return
        worklist = self.clinic.schedule.worklist(self.clinic.today)
        labels = timepoint_labels(self.clinic.protocols.versions())
        clinic_name, now = self.clinic.settings.load().name, dt.datetime.now()

        def printed(pdf: bytes) -> None:
            try:
                print_pdf(pdf, choice, title)
            except UserError as error:
                show_error(self, error)

        start_task(self, title, tr("staff.worklist.printing"), lambda progress: worklist_pdf(
            worklist, labels=labels, generated_at=now, language=language(), clinic=clinic_name),
            on_done=printed, cancellable=False)

    def search_field(self) -> QLineEdit | None:
        return self.search

    def retranslate(self) -> None:
        self.heading.setText(tr("staff.worklist.heading", day=self.clinic.today.isoformat()))
        self.refresh_button.setText(tr("staff.worklist.refresh"))
        self.print_button.setText(tr("staff.worklist.print"))
        for section, toggle in self.section_buttons.items():
            toggle.setText(tr("staff.worklist.section_count", section=tr(SECTION_KEYS[section]),
                              count=self.model.counts.get(section, 0)))
        self.today_button.setText(tr("staff.worklist.today", count=self.model.due_today()))
        self.today_button.setToolTip(tr("staff.worklist.today_tip"))
        self.search.setPlaceholderText(tr("staff.worklist.search"))
        self.hand_over_button.setText(tr("staff.worklist.hand_over"))
        self.paper_button.setText(tr("staff.worklist.paper"))
        self.open_button.setText(tr("staff.worklist.open"))
        self.model.retranslate()
        self._update_actions()
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
