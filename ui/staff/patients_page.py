"""Find a patient (MRN, name or birth date), register a new one, and work on their record."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sijpro.access import Capability, can
from sijpro.records import PatientRecord, UserRecord
from sijpro.services.session import Session
from ui.i18n import tr, tr_n
from ui.staff.page import StaffPage
from ui.staff.pages import PAGES
from ui.staff.patient_dialog import PatientDialog
from ui.staff.patient_record import PatientRecordView
from ui.staff.style import push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row

SEARCH_DELAY_MS = 250
RESULTS = 200

PATIENT_COLUMNS: tuple[Column[PatientRecord], ...] = (
    Column("staff.worklist.col.patient", lambda p: p.display_name),
    Column("staff.worklist.col.mrn", lambda p: p.mrn),
    Column("staff.worklist.col.birth_date", lambda p: p.birth_date.isoformat() if p.birth_date else "",
           sort_key=lambda p: p.birth_date),
)


class PatientsPage(StaffPage):
    title_key = "staff.page.patients"
    shows_patients = True

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientsPage")
        self.clinic = clinic
        self.user = user
        self.search = QLineEdit(self)
        self.search.setObjectName("patientSearch")
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.run_search)
        self.results_model = RecordTableModel(PATIENT_COLUMNS, self)
        self.results = record_table(self.results_model, "patientResults", self)
        on_selection(self.results, self._chosen)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.register_button = push_button(self, self.register, "registerButton")
        self.register_button.setVisible(can(user, Capability.REGISTER))

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        row.addWidget(self.register_button)
        left_layout.addLayout(row)
        left_layout.addWidget(self.hint)
        left_layout.addWidget(self.results, 1)
        has_dashboard = any(entry.key == "dashboard" and entry.available() for entry in PAGES)
        self.record = PatientRecordView(clinic, user, has_dashboard=has_dashboard, parent=self)
        self.record.hand_over_requested.connect(self.hand_over_requested)
        self.record.paper_entry_requested.connect(self.paper_entry_requested)
        self.record.dashboard_requested.connect(self.open_patient)
        self.record.changed.connect(lambda _id: self.run_search())
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.record)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 870])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.retranslate()
        self.search.setFocus()

    def search_field(self) -> QLineEdit | None:
        return self.search

    def retranslate(self) -> None:
        self.search.setPlaceholderText(tr("staff.patients.search"))
        self.register_button.setText(tr("staff.patients.register"))
        self._show_hint()
        self.results_model.retranslate()

    def _show_hint(self) -> None:
        text = self.search.text().strip()
        count = self.results_model.rowCount()
        if not text:
            self.hint.setText(tr("staff.patients.hint"))
        elif count == 0:
            self.hint.setText(tr("staff.patients.none_found", text=text))
        else:
            self.hint.setText(tr_n("staff.patients.found", count, count=count))

    def run_search(self) -> None:
        self._timer.stop()
        self.results_model.set_rows(self.clinic.patients.search(self.search.text(), limit=RESULTS))
        self.results.resizeColumnsToContents()
        self._show_hint()
        if self.record.patient is not None:
            self._select(self.record.patient.id)

    def _select(self, patient_id: int) -> None:
        for row, patient in enumerate(self.results_model.records()):
            if patient.id == patient_id:
                self.results.selectRow(row)
                return

    def _chosen(self) -> None:
        row = selected_row(self.results)
        if row is not None:
            patient = self.results_model.record(row)
            if self.record.patient is None or self.record.patient.id != patient.id:
                self.record.show_patient(patient.id)

    def show_patient(self, patient_id: int) -> None:
        """Open a patient's record (from the worklist, or after registering them)."""
        self.record.show_patient(patient_id)
        patient = self.record.patient
        if patient is not None and not any(p.id == patient_id for p in self.results_model.records()):
            self.search.blockSignals(True)
            self.search.setText(patient.mrn)
            self.search.blockSignals(False)
            self.run_search()
        self._select(patient_id)

    def refresh(self) -> None:
        if self.record.patient is not None:
            self.record.show_patient(self.record.patient.id)

    def register(self) -> None:
        dialog = PatientDialog(self.clinic, parent=self)
        dialog.exec()
        if dialog.saved is not None:
            self.show_patient(dialog.saved.id)
