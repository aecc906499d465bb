"""Paper entry: the questionnaires a patient filled in on paper, typed in by the nurse.

The nurse picks the patient (or comes from the worklist with one), sees every questionnaire due for them
today, one compact form each, types the answers, and completes them. Answers are saved as typed, in mode
"paper", with the nurse recorded as the one who entered them; completing scores each questionnaire.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.instruments import get_instrument
from sijpro.records import PatientRecord, ResponseRecord, UserRecord, VisitRecord
from sijpro.services.clinic import Clinic
from ui.errors import show_error
from ui.i18n import tr
from ui.staff.live_text import local
from ui.staff.paper_form import PaperForm
from ui.staff.patients_page import PATIENT_COLUMNS
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import RecordTableModel
from ui.staff.table_view import record_table
from ui.staff.timeline import timepoint_labels

PATIENT_CHOICES = 50


class PaperEntryPage(QWidget):
    title_key = "staff.page.paper"
    open_patient = Signal(int)

    def __init__(self, clinic: Clinic, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperPage")
        self.clinic = clinic
        self.user = user
        self.patient: PatientRecord | None = None
        self.forms: list[tuple[VisitRecord, PaperForm]] = []
        self.responses: dict[tuple[int, str], int] = {}
        """(visit id, instrument) -> response id, once the first answer opened the questionnaire."""

        self.heading = heading_label(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setProperty("role", "muted")
        self.search = QLineEdit(self)
        self.search.setObjectName("paperPatientSearch")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._search)
        self.choices_model = RecordTableModel(PATIENT_COLUMNS, self)
        self.choices = record_table(self.choices_model, "paperPatientChoices", self)
        self.choices.activated.connect(lambda index: self.start_for(self.choices_model.record(index.row()).id))
        self.choices.doubleClicked.connect(lambda index: self.start_for(self.choices_model.record(index.row()).id))
        self.change_button = push_button(self, self.choose_patient)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.forms_area = QScrollArea(self)
        self.forms_area.setWidgetResizable(True)
        self.complete_button = push_button(self, self.complete, "completePaper")

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.change_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.complete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.intro)
        layout.addWidget(self.search)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.forms_area, 3)
        layout.addLayout(bottom)
        self.choose_patient()

    # --- choosing the patient -------------------------------------------------------------------------

    def choose_patient(self) -> None:
        self.patient = None
        self._clear_forms()
        self.search.show()
        self.choices.show()
        self.forms_area.hide()
        self.complete_button.hide()
        self.change_button.hide()
        self.status.setText("")
        self._texts()
        self.search.setFocus()

    def _search(self) -> None:
        found = self.clinic.patients.search(self.search.text(), limit=PATIENT_CHOICES)
        self.choices_model.set_rows(found)
        if len(found) == 1:
            self.start_for(found[0].id)
        elif found:
            self.choices.selectRow(0)
            self.choices.setFocus()

    def start_for(self, patient_id: int) -> None:
        """Show the forms of every questionnaire due today for this patient."""
        self.patient = self.clinic.patients.get(patient_id)
        pending = self.clinic.collection.pending(patient_id, self.clinic.today)
        visit_ids = {visit.id for visit, _ in pending}
        started = [r for r in self.clinic.collection.in_progress() if r.visit_id in visit_ids]
        self._build_forms(pending, started)
        self.search.hide()
        self.choices.hide()
        self.forms_area.show()
        self.change_button.show()
        self.complete_button.setVisible(bool(self.forms))
        self._texts()
        if self.forms:
            self.forms[0][1].first_field().setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_forms(self) -> None:
        self.forms = []
        self.responses = {}
        old = self.forms_area.takeWidget()
        if old is not None:
            old.deleteLater()

    def _build_forms(self, pending: list[tuple[VisitRecord, str]], started: list[ResponseRecord]) -> None:
        self._clear_forms()
        assert self.patient is not None
        saved = {(r.visit_id, r.instrument): r for r in started}
        labels = timepoint_labels(self.clinic.protocols.versions())
        holder = QWidget()
        column = QVBoxLayout(holder)
        for visit, code in pending:
            instrument = get_instrument(code)
            response = saved.get((visit.id, code))
            if response is not None:
                self.responses[(visit.id, code)] = response.id
            title = tr("staff.paper.form_title", visit=local(labels.get(visit.timepoint), visit.timepoint),
                       due=visit.due_date.isoformat(), instrument=local(instrument.short_title, code))
            form = PaperForm(instrument, title,
                             lambda item, value, visit_id=visit.id, code=code: self._save(visit_id, code, item, value),
                             answers=response.answers if response else None, parent=holder)
            column.addWidget(form)
            self.forms.append((visit, form))
        column.addStretch(1)
        self.forms_area.setWidget(holder)

    # --- saving ---------------------------------------------------------------------------------------

    def _save(self, visit_id: int, instrument: str, item: str, value: int | None) -> None:
        """One answer, saved at once; the questionnaire is opened (mode paper) by its first answer."""
        assert self.patient is not None
        collection = self.clinic.collection
        key = (visit_id, instrument)
        if key not in self.responses:
            language = self.patient.language if self.patient.language in get_instrument(instrument).languages else "en"
            self.responses[key] = collection.open(visit_id, instrument, mode="paper", language=language).id
        collection.save_answer(self.responses[key], item, value)

    def complete(self) -> None:
        """Score and close every questionnaire that has answers; untouched ones stay due."""
        completed = 0
        try:
            for visit, form in self.forms:
                response_id = self.responses.get((visit.id, form.instrument.id))
                if response_id is not None and form.touched:
                    self.clinic.collection.complete(response_id)
                    completed += 1
        except UserError as error:
            show_error(self, error)
        if self.patient is not None:
            patient_id = self.patient.id
            self.start_for(patient_id)
            self.status.setText(tr("staff.paper.completed", count=completed))

    def retranslate(self) -> None:
        """Forms carry the instruments' texts: rebuild them (answers are saved as typed) in the new language."""
        if self.patient is not None and self.forms:
            self.start_for(self.patient.id)
        else:
            self._texts()

    def refresh(self) -> None:
        if self.patient is None:
            self.search.setFocus()

    def _texts(self) -> None:
        patient = self.patient
        self.heading.setText(tr("staff.paper.heading") if patient is None else
                             tr("staff.paper.heading_for", name=patient.display_name, mrn=patient.mrn))
        if patient is None:
            self.intro.setText(tr("staff.paper.choose"))
        elif not self.forms:
            self.intro.setText(tr("staff.paper.nothing_due"))
        else:
            self.intro.setText(tr("staff.paper.intro", user=self.user.full_name or self.user.username))
        self.search.setPlaceholderText(tr("staff.patients.search"))
        self.change_button.setText(tr("staff.paper.change_patient"))
        self.complete_button.setText(tr("staff.paper.complete"))
        self.choices_model.retranslate()
