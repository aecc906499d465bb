"""The patient dashboard: what the surgeon looks at with the patient at a follow-up visit.

Header, visit timeline, score table and the trajectory charts of one patient, all from one
``PatientOutcomes`` (one service call) shaped by ``sijpro.reports.patient``, so the screen shows what the
trajectory PDF prints. "Print PDF" and "Save PDF" make that PDF off the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.mrn import mrn_key
from sijpro.protocol import Protocol
from sijpro.records import PatientOutcomes, UserRecord
from sijpro.reports.batch import PageSettings, file_names, write_pdf
from sijpro.reports.patient import PatientPage, patient_charts, patient_page
from sijpro.services.session import Session
from ui.errors import show_error
from ui.i18n import language, tr
from ui.staff.chart_canvas import ChartCanvas
from ui.staff.files import ask_save_path, documents_folder
from ui.staff.inputs import SEXES
from ui.staff.page import StaffPage
from ui.staff.patient_models import ScoreTableModel, VisitTimelineModel, score_title
from ui.staff.patients_page import PATIENT_COLUMNS
from ui.staff.printing import choose_printer, print_pdf
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row
from ui.tasks import start_task

MATCHES = 50
"""Patients listed when a name typed in the look-up matches several."""


class DashboardPage(StaffPage):
    title_key = "dashboard.title"
    prints = True
    shows_patients = True

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.clinic = clinic
        self.user = user
        self.outcomes: PatientOutcomes | None = None
        self.page: PatientPage | None = None
        self._protocols: list[Protocol] = []
        self._clinic_name: str | None = None
        self.saved_to: Path | None = None
        self._several: tuple[int, str] = (0, "")

        self.heading = heading_label(self)
        self.mrn = QLineEdit(self)
        self.mrn.setObjectName("dashboardMrn")
        self.mrn.setClearButtonEnabled(True)
        self.mrn.setMaximumWidth(220)
        self.mrn.returnPressed.connect(self.open_mrn)
        self.open_button = push_button(self, self.open_mrn)
        self.print_button = push_button(self, self.print_report, "printPdf")
        self.save_button = push_button(self, self.save_report, "savePdf")
        self.status = QLabel(self)
        self.status.setObjectName("dashboardStatus")
        self.status.setProperty("role", "muted")

        self.name = QLabel(self)
        self.name.setObjectName("patientName")
        self.name.setProperty("role", "title")
        self.details = QLabel(self)
        self.details.setObjectName("patientDetails")
        self.details.setWordWrap(True)
        self.placeholder = QLabel(self)
        self.placeholder.setProperty("role", "muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.matches_model = RecordTableModel(PATIENT_COLUMNS, self)
        self.matches = record_table(self.matches_model, "dashboardMatches", self)
        self.matches.hide()
        on_selection(self.matches, self._match_chosen)
        self.matches.activated.connect(lambda index: self.show_patient(self.matches_model.record(index.row()).id))

        self._make_tables()
        self.charts = ChartCanvas(self)
        self.charts.setObjectName("dashboardCharts")
        self._lay_out()
        self.retranslate()

    def _make_tables(self) -> None:
        self.timeline_model = VisitTimelineModel(self)
        self.timeline = record_table(self.timeline_model, "dashboardTimeline", self)
        self.timeline.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.timeline.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.scores_model = ScoreTableModel(self)
        self.scores = QTableView(self)
        self.scores.setObjectName("dashboardScores")
        self.scores.setModel(self.scores_model)
        self.scores.verticalHeader().hide()
        self.scores.setAlternatingRowColors(True)
        self.scores.setWordWrap(True)
        self.scores.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.scores.horizontalHeader().setStretchLastSection(True)
        self.scores.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.scores.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.timeline_title = heading_label(self)
        self.scores_title = heading_label(self)
        self.scores_note = QLabel(self)
        self.scores_note.setProperty("role", "muted")
        self.scores_note.setWordWrap(True)

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.heading)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addSpacing(16)
        bar.addWidget(self.mrn)
        bar.addWidget(self.open_button)
        bar.addSpacing(16)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        tables = QWidget(self)
        column = QVBoxLayout(tables)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.timeline_title, self.timeline, self.scores_title, self.scores, self.scores_note):
            column.addWidget(widget)
        column.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(tables)
        splitter.addWidget(self.charts)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([840, 760])
        patient = QWidget(self)
        patient_layout = QVBoxLayout(patient)
        patient_layout.setContentsMargins(0, 0, 0, 0)
        patient_layout.addWidget(self.name)
        patient_layout.addWidget(self.details)
        patient_layout.addWidget(splitter, 1)
        self.body = QStackedWidget(self)
        choosing = QWidget(self)
        choosing_layout = QVBoxLayout(choosing)
        choosing_layout.setContentsMargins(0, 0, 0, 0)
        choosing_layout.addWidget(self.placeholder)
        choosing_layout.addWidget(self.matches, 1)
        self.body.addWidget(choosing)
        self.body.addWidget(patient)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.body, 1)
        self._enable()

    def _enable(self) -> None:
        shown = self.outcomes is not None
        self.body.setCurrentIndex(1 if shown else 0)
        self.print_button.setEnabled(shown)
        self.save_button.setEnabled(shown)

    # --- the page interface ----------------------------------------------------------------------------

    def search_field(self) -> QLineEdit | None:
        return self.mrn

    def retranslate(self) -> None:
        self.heading.setText(tr("dashboard.title"))
        self.mrn.setPlaceholderText(tr("dashboard.mrn_placeholder"))
        self.open_button.setText(tr("dashboard.open"))
        self.print_button.setText(tr("dashboard.print"))
        self.save_button.setText(tr("dashboard.save"))
        self.placeholder.setText(tr("dashboard.several", count=self._several[0], text=self._several[1])
                                 if self.matches.isVisibleTo(self) else tr("dashboard.choose_patient"))
        self.timeline_title.setText(tr("dashboard.timeline.title"))
        self.scores_title.setText(tr("dashboard.scores.title"))
        if self.outcomes is not None:
            self._show(self.outcomes)

    def refresh(self) -> None:
        """Show what others recorded since (a questionnaire answered at the kiosk, a late visit)."""
        self._protocols, self._clinic_name = [], None
        if self.outcomes is not None:
            self.show_patient(self.outcomes.patient.id)

    def show_patient(self, patient_id: int) -> None:
        try:
            outcomes = self.clinic.outcomes.patient(patient_id)
        except UserError as error:
            show_error(self, error)
            return
        self._show(outcomes)

    def open_mrn(self) -> None:
        """Open the patient typed: by MRN (case and spaces ignored) or by name; several names that match
        are listed to choose from with a click."""
        text = self.mrn.text().strip()
        if not text:
            return
        found = self.clinic.patients.search(text, limit=MATCHES)
        if not found:
            show_error(self, UserError(tr("dashboard.no_match", text=text)))
            return
        if len(found) == 1 or mrn_key(found[0].mrn) == mrn_key(text):
            self.show_patient(found[0].id)
            return
        self.outcomes = None
        self.matches_model.set_rows(found)
        self.matches.resizeColumnsToContents()
        self.matches.show()
        self._several = (len(found), text)
        self._enable()
        self.retranslate()

    def _match_chosen(self) -> None:
        row = selected_row(self.matches)
        if row is not None:
            self.show_patient(self.matches_model.record(row).id)

    # --- showing a patient ---------------------------------------------------------------------------

    def _settings(self) -> PageSettings:
        """The PDF's settings, and the protocol versions the patient's visits were scheduled under."""
        if not self._protocols:
            self._protocols = self.clinic.protocols.versions()
        if self._clinic_name is None:
            self._clinic_name = self.clinic.settings.load().name
        return PageSettings(dt.datetime.now().replace(microsecond=0), clinic=self._clinic_name,
                            language=language(), protocols=tuple(self._protocols))

    def _show(self, outcomes: PatientOutcomes) -> None:
        self.outcomes = outcomes
        self.matches.hide()
        self.status.clear()
        self.page = patient_page(outcomes, today=self.clinic.today, language=language(),
                                 protocol=self._settings().protocol_for(outcomes))
        self.name.setText(outcomes.patient.display_name)
        self.details.setText(self._details(outcomes))
        self.timeline_model.show_page(self.page)
        self.scores_model.show_page(self.page)
        self.scores.resizeRowsToContents()
        mcid = ", ".join(f"{score_title(key)} {value.text()}" for key, value in self.page.mcid.items()
                         if value is not None)
        self.scores_note.setText(tr("dashboard.scores.note", mcid=mcid))
        self.charts.show_charts(patient_charts(self.page))
        self._enable()

    def _details(self, outcomes: PatientOutcomes) -> str:
        patient, procedure = outcomes.patient, outcomes.index_procedure
        age = patient.age_on(self.clinic.today)
        sexes = {code: tr(key).lower() for code, key in SEXES}  # inside the header's line
        parts = [
            tr("dashboard.header.mrn", mrn=patient.mrn),
            tr("dashboard.header.age", years=age) if age is not None else tr("dashboard.header.age_unknown"),
            sexes.get(patient.sex or "", tr("dashboard.sex.unknown")),
        ]
        if procedure is None:
            parts.append(tr("dashboard.header.no_surgery"))
        else:
            surgery = [procedure.surgery_date.isoformat(),
                       tr(f"side.{procedure.side}") if procedure.side else "",
                       tr(f"approach.{procedure.approach}") if procedure.approach else ""]
            parts.append(tr("dashboard.header.surgery", surgery=", ".join(part for part in surgery if part)))
            if procedure.second_side_date is not None:
                parts.append(tr("dashboard.header.staged", date=procedure.second_side_date.isoformat()))
        return " · ".join(parts)

    # --- the PDF -------------------------------------------------------------------------------------

    def _render(self, then: Callable[[bytes], None]) -> None:
        """The trajectory PDF in the language on screen, made in the background, then handed to ``then``
        (a refusal on the way is said)."""
        outcomes, settings = self.outcomes, self._settings()
        assert outcomes is not None

        def rendered(pdf: bytes) -> None:
            try:
                then(pdf)
            except UserError as error:
                show_error(self, error)

        start_task(self, tr("dashboard.pdf.title"), tr("dashboard.pdf.making"),
                   lambda progress: settings.render(outcomes), on_done=rendered, cancellable=False)

    def save_report(self) -> None:
        if self.outcomes is None:
            return
        suggested = documents_folder() / file_names([self.outcomes])[0]
        path = ask_save_path(self, tr("dashboard.save"), suggested, tr("dashboard.pdf.filter"))
        if path is None:
            return

        def save(pdf: bytes) -> None:
            write_pdf(path, pdf)
            self.saved_to = path
            self.status.setText(tr("dashboard.pdf.saved", path=str(path)))

        self._render(save)

    def print_page(self) -> None:
        """Ctrl+P: the patient's trajectory PDF to a printer."""
        self.print_report()

    def print_report(self) -> None:
        if self.outcomes is None:
            return
        title = f"{self.outcomes.patient.display_name} ({self.outcomes.patient.mrn})"
        choice = choose_printer(self, title)
        if choice is None:
            return

        def send(pdf: bytes) -> None:
            print_pdf(pdf, choice, title)
            self.status.setText(tr("dashboard.pdf.printed", printer=choice.to_file or choice.printer))

        self._render(send)
