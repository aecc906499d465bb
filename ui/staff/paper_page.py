"""Paper entry: the questionnaires a patient filled in on paper, typed in by the nurse.

The nurse picks the patient (or comes from the worklist with one), sees the questionnaires of the visit
due for them today, one compact form each, types the date written on the form and the answers, and
completes them: one service call checks everything (each problem shown at its field) and stores, scores
and completes every questionnaire typed in, in one transaction, in mode "paper", completed on the form's
date, with the nurse recorded as the one who entered them. Nothing half-typed reaches the database.

A paper pack that came back by post carries its visit's code on every page: typed, or scanned (a USB
scanner types the characters and Enter) into the code field, it opens that visit's questionnaires with
"a paper pack sent back" chosen; a code mistyped, unknown, or of a visit cancelled or already entered is
refused at the field with the reason (one service call, ``Letters.lookup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import InputErrors, UserError
from sijpro.instruments import get_instrument
from sijpro.problems import Problem
from sijpro.records import PatientRecord, ResponseRecord, UserRecord, VisitRecord
from sijpro.services.letters import CodedVisit, CodeRefused
from sijpro.services.session import Session
from ui.errors import problem_words, show_error
from ui.i18n import tr, tr_n
from ui.staff.inputs import ChoiceBox, DateEdit, FieldProblem
from ui.staff.live_text import local
from ui.staff.page import StaffPage
from ui.staff.paper_form import PaperForm
from ui.staff.patients_page import PATIENT_COLUMNS
from ui.staff.style import error_label, heading_label, push_button
from ui.staff.table_model import RecordTableModel
from ui.staff.table_view import record_table
from ui.staff.timeline import timepoint_labels

PATIENT_CHOICES = 50
MODES = (("paper", "staff.paper.mode.paper"), ("post", "staff.paper.mode.post"), ("phone", "staff.paper.mode.phone"))
"""How the answers came (DESIGN.md's modes typed in here): a form in clinic, a paper pack sent back, a call."""


class PaperEntryPage(StaffPage):
    title_key = "staff.page.paper"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperPage")
        self.clinic = clinic
        self.user = user
        self.patient: PatientRecord | None = None
        self.coded: CodedVisit | None = None
        """The visit opened from a pack's code (None: the patient's visit due today)."""
        self.forms: list[tuple[VisitRecord, PaperForm]] = []

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
        self.code_row = self._code_row()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.date_row = self._date_row()
        self.forms_area = QScrollArea(self)
        self.forms_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        layout.addWidget(self.code_row)
        layout.addWidget(self.search)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.date_row)
        layout.addWidget(self.forms_area, 3)
        layout.addLayout(bottom)
        self.choose_patient()

    def _code_row(self) -> QWidget:
        """The code printed on a returned pack's pages, typed or scanned: opens the visit it names."""
        row = QWidget(self)
        self.code_label = QLabel(row)
        self.code = QLineEdit(row)
        self.code.setObjectName("paperCode")
        self.code.setMaxLength(40)
        self.code.setFixedWidth(190)
        self.code.returnPressed.connect(self.open_code)
        self.code_label.setBuddy(self.code)
        self.code_problem = error_label(row)
        self.code_problem.setObjectName("problem_code")
        self.code.textEdited.connect(lambda _text: self.code_problem.hide())
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.code_label)
        layout.addWidget(self.code)
        layout.addWidget(self.code_problem)
        layout.addStretch(1)
        return row

    def open_code(self) -> None:
        """Open the visit of the code in the field, with "a paper pack sent back" chosen; else say why not."""
        try:
            found = self.clinic.letters.lookup(self.code.text())
        except CodeRefused as refused:
            self.code_problem.setText(tr(f"staff.paper.code.{refused.reason}", code=self.code.text().strip(),
                                         visit=refused.timepoint))
            self.code_problem.show()
            self.code.selectAll()
            self.code.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except UserError as error:
            show_error(self, error)
            return
        self.code.clear()
        self.code_problem.hide()
        self.open_coded(found)

    def open_coded(self, found: CodedVisit, typed: dict[tuple[int, str], dict[str, str]] | None = None) -> None:
        self.coded = found
        self.patient = found.patient
        started = [r for r in self.clinic.collection.in_progress() if r.visit_id == found.visit.id]
        self._show_forms([(found.visit, code) for code in found.instruments], started, typed)
        self.mode.set_value("post")

    def _date_row(self) -> QWidget:
        """The date written on the form: typed first, it is the questionnaires' completion date."""
        row = QWidget(self)
        self.form_date_label = QLabel(row)
        self.form_date = DateEdit(parent=row)
        self.form_date.setObjectName("paperFormDate")
        self.form_date.setFixedWidth(130)
        self.form_date_label.setBuddy(self.form_date)
        self.form_date_problem = error_label(row)
        self.form_date_problem.setObjectName("problem_form_date")
        self.form_date.textEdited.connect(lambda _text: self.form_date_problem.hide())
        self.mode_label = QLabel(row)
        self.mode = ChoiceBox(MODES, value="paper", parent=row)
        self.mode.setObjectName("paperMode")
        self.mode_label.setBuddy(self.mode)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form_date_label)
        layout.addWidget(self.form_date)
        layout.addWidget(self.form_date_problem)
        layout.addSpacing(24)
        layout.addWidget(self.mode_label)
        layout.addWidget(self.mode)
        layout.addStretch(1)
        return row

    # --- choosing the patient -------------------------------------------------------------------------

    def choose_patient(self) -> None:
        self.patient = None
        self.coded = None
        self._clear_forms()
        self.search.show()
        self.choices.show()
        self.forms_area.hide()
        self.date_row.hide()
        self.complete_button.hide()
        self.change_button.hide()
        self.status.setText("")
        self._texts()
        self.search.setFocus()

    def _search(self) -> None:
        found = self.clinic.patients.search(self.search.text(), limit=PATIENT_CHOICES)
        self.choices_model.set_rows(found)
        self.choices.resizeColumnsToContents()  # whole names, given names too
        if len(found) == 1:
            self.start_for(found[0].id)
        elif found:
            self.choices.selectRow(0)
            self.choices.setFocus()

    def start_for(self, patient_id: int, typed: dict[tuple[int, str], dict[str, str]] | None = None) -> None:
        """Show the forms of the questionnaires due today for this patient (``typed``: texts to put back)."""
        self.patient = self.clinic.patients.get(patient_id)
        self.coded = None
        pending = self.clinic.collection.pending(patient_id, self.clinic.today)
        visit_ids = {visit.id for visit, _ in pending}
        started = [r for r in self.clinic.collection.in_progress() if r.visit_id in visit_ids]
        self._show_forms(pending, started, typed)

    def _show_forms(self, pending: list[tuple[VisitRecord, str]], started: list[ResponseRecord],
                    typed: dict[tuple[int, str], dict[str, str]] | None) -> None:
        self._build_forms(pending, started)
        for visit, form in self.forms:
            for code, text in (typed or {}).get((visit.id, form.instrument.id), {}).items():
                form.fields[code].setText(text)
        self.search.hide()
        self.choices.hide()
        self.forms_area.show()
        self.date_row.setVisible(bool(self.forms))
        self.form_date_problem.hide()
        self.change_button.show()
        self.complete_button.setVisible(bool(self.forms))
        self._texts()
        if self.forms and typed is None:
            self.form_date.clear()
            self.form_date.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_forms(self) -> None:
        self.forms = []
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
            title = tr("staff.paper.form_title", visit=local(labels.get(visit.timepoint), visit.timepoint),
                       due=visit.due_date.isoformat(), instrument=local(instrument.short_title, code))
            form = PaperForm(instrument, title, answers=response.answers if response else None, parent=holder)
            column.addWidget(form)
            self.forms.append((visit, form))
        column.addStretch(1)
        self.forms_area.setWidget(holder)
        fields = [field for _, form in self.forms for field in form.fields.values()]
        for before, after in zip([self.form_date, *fields], [*fields, self.complete_button], strict=True):
            QWidget.setTabOrder(before, after)  # the date, every answer in form order, then Complete

    # --- completing -----------------------------------------------------------------------------------

    def typed(self) -> dict[tuple[int, str], dict[str, str]]:
        """(visit id, instrument) -> item -> the text in its field, exactly as typed."""
        return {(visit.id, form.instrument.id): {code: field.text() for code, field in form.fields.items()}
                for visit, form in self.forms}

    def complete(self) -> None:
        """Enter every questionnaire something was typed in, whole, in one service call; untouched ones
        stay due. Any problem is shown at its field and nothing is saved."""
        if self.patient is None:
            return
        touched = [(visit, form) for visit, form in self.forms if form.touched]
        if not touched:
            self.status.setText(tr("staff.paper.nothing_typed"))
            return
        unfinished = [(form, code) for _, form in touched for code in form.unfinished()]
        try:
            form_date = self.form_date.value()
        except FieldProblem as problem:
            self._show_date_problem(str(problem))
            return
        if unfinished:
            form, code = unfinished[0]
            self._focus(form.fields[code])
            return
        visit = touched[0][0]
        language = self.patient.language
        try:
            entered = self.clinic.collection.enter_paper(
                visit.id, {form.instrument.id: form.answers() for _, form in touched}, form_date,
                mode=str(self.mode.value()),
                language=language if all(language in form.instrument.languages for _, form in touched) else "en")
        except InputErrors as errors:
            self._show_problems(errors.problems)
            return
        except UserError as error:
            show_error(self, error)
            return
        coded = self.coded
        self.start_for(self.patient.id)
        if coded is not None:  # a pack: the next one's code comes next (its rest, if any, stays open)
            with suppress(CodeRefused):  # all of it entered: the patient's page stays
                self.open_coded(self.clinic.letters.lookup(coded.code))
            self.code.setFocus(Qt.FocusReason.OtherFocusReason)
        self.status.setText(tr_n("staff.paper.completed", len(entered), count=len(entered)))

    def _show_problems(self, problems: Sequence[Problem | str]) -> None:
        """The core's problems at their fields: ``form_date``, ``<instrument>.<item>`` or a whole form."""
        forms = {form.instrument.id: form for _, form in self.forms}
        general = []
        first: QWidget | None = None
        for problem in problems:
            name = (problem.field if isinstance(problem, Problem) else None) or ""
            instrument, _, item = name.partition(".")
            if name == "form_date":
                self._show_date_problem(problem_words(problem))
                first = first or self.form_date
            elif instrument in forms and item in forms[instrument].fields:
                forms[instrument].show_problem(item, problem_words(problem))
                first = first or forms[instrument].fields[item]
            else:
                general.append(problem_words(problem))
        self.status.setText("\n".join(general))
        if first is not None:
            self._focus(first)

    def _show_date_problem(self, message: str) -> None:
        self.form_date_problem.setText(message)
        self.form_date_problem.show()
        self._focus(self.form_date)

    def _focus(self, widget: QWidget) -> None:
        self.forms_area.ensureWidgetVisible(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def search_field(self) -> QLineEdit | None:
        return self.search

    def retranslate(self) -> None:
        """Forms carry the instruments' texts: rebuild them in the new language, keeping what was typed."""
        if self.coded is not None and self.forms:
            self.open_coded(self.coded, self.typed())
        elif self.patient is not None and self.forms:
            self.start_for(self.patient.id, self.typed())
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
        self.form_date_label.setText(tr("staff.paper.form_date"))
        self.mode_label.setText(tr("staff.paper.mode"))
        self.code_label.setText(tr("staff.paper.code"))
        self.code.setPlaceholderText(tr("staff.paper.code_placeholder"))
        self.choices_model.retranslate()
