"""Record a procedure (or correct one, with a reason), then show the follow-up schedule it gave.

A bilateral fusion may be staged: the second side operated on another day. The date of that second side
is asked only when the side is bilateral and the nurse ticks "staged". The patient's first procedure is
the index surgery: once saved, the dialog shows the visits the protocol planned around it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sijpro.records import PatientRecord, ProcedureDraft, ProcedureRecord, draft_changes
from sijpro.services.procedures import SameSideWarning
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import APPROACHES, SIDES, ChoiceBox, DateEdit, choice_text
from ui.staff.live_text import follow_language
from ui.staff.style import heading_label
from ui.staff.timeline import TimelineView, timepoint_labels


class ProcedureDialog(QDialog):
    def __init__(self, clinic: Session, patient: PatientRecord, procedure: ProcedureRecord | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("procedureDialog")
        self.clinic = clinic
        self.patient = patient
        self.procedure = procedure
        self.saved: ProcedureRecord | None = None
        p = procedure
        self.form = CheckedForm(self)
        self.surgery_date = self.form.add("surgery_date", "staff.procedure.surgery_date",
                                          DateEdit(p.surgery_date if p else None))
        self.side = self.form.add("side", "staff.procedure.side",
                                  ChoiceBox(SIDES, blank_key="staff.answer.unknown", value=p.side if p else None))
        self.approach = self.form.add("approach", "staff.procedure.approach",
                                      ChoiceBox(APPROACHES, blank_key="staff.answer.unknown",
                                                value=p.approach if p else None))
        self.device = self.form.add("device", "staff.procedure.device", QLineEdit(p.device or "" if p else ""))
        self.surgeon = self.form.add("surgeon", "staff.procedure.surgeon", QLineEdit(p.surgeon or "" if p else ""))
        self.staged = self.form.add("staged", "staff.procedure.staged", QCheckBox())
        self.staged.setChecked(bool(p and p.second_side_date))
        self.second_side_date = self.form.add("second_side_date", "staff.procedure.second_side_date",
                                              DateEdit(p.second_side_date if p else None))
        self.reason = self.form.add("reason", "staff.edit.reason", QLineEdit())
        self.form.set_visible("reason", procedure is not None)
        self.side.currentIndexChanged.connect(self._staging_rows)
        self.staged.toggled.connect(self._staging_rows)
        self._staging_rows()

        self.heading = heading_label(self)
        self.patient_line = QLabel(self)
        self.patient_line.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._entry_page())
        self.stack.addWidget(self._schedule_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.patient_line)
        layout.addWidget(self.stack, 1)
        self.resize(760, 420)
        follow_language(self, self._retranslate)
        self.surgery_date.setFocus()

    def _entry_page(self) -> QWidget:
        entry = QWidget()
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addWidget(self.form)
        entry_layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        entry_layout.addWidget(self.buttons)
        return entry

    def _schedule_page(self) -> QWidget:
        schedule = QWidget()
        schedule_layout = QVBoxLayout(schedule)
        schedule_layout.setContentsMargins(0, 0, 0, 0)
        self.schedule_intro = QLabel(schedule)
        self.schedule_intro.setWordWrap(True)
        schedule_layout.addWidget(self.schedule_intro)
        self.timeline = TimelineView(schedule)
        schedule_layout.addWidget(self.timeline, 1)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self._close_schedule)
        schedule_layout.addWidget(self.close_buttons)
        return schedule

    def _retranslate(self) -> None:
        title = tr("staff.procedure.edit_title") if self.procedure else tr("staff.procedure.record_title")
        self.setWindowTitle(title)
        self.heading.setText(title)
        self.patient_line.setText(tr("staff.procedure.for_patient", name=self.patient.display_name,
                                     mrn=self.patient.mrn))
        self.staged.setText(tr("staff.procedure.staged_hint"))
        self.reason.setPlaceholderText(tr("staff.edit.reason_placeholder"))
        self.schedule_intro.setText(tr("staff.procedure.schedule_intro"))

    def _staging_rows(self) -> None:
        bilateral = self.side.value() == "bilateral"
        self.form.set_visible("staged", bilateral)
        self.form.set_visible("second_side_date", bilateral and self.staged.isChecked())

    def draft(self) -> ProcedureDraft:
        dates = read_values({"surgery_date": self.surgery_date.value,
                             "second_side_date": self.second_side_date.value})
        staged = self.side.value() == "bilateral" and self.staged.isChecked()
        # A draft holds what the form gives (an empty date, a box's code); the core checks every field of it
        return ProcedureDraft(
            surgery_date=dates["surgery_date"],  # type: ignore[arg-type]  # see above
            side=self.side.value(), approach=self.approach.value(),  # type: ignore[arg-type]  # see above
            device=self.device.text().strip() or None, surgeon=self.surgeon.text().strip() or None,
            second_side_date=dates["second_side_date"] if staged else None,
        )

    def accept(self) -> None:
        try:
            saved = self.form.submit(self, lambda: self._save(self.draft()), passing=(SameSideWarning,))
        except SameSideWarning as warning:
            saved = self._same_side(warning)
        if saved is None:
            return
        self.saved = saved
        if saved.is_index:
            self.show_schedule()
        else:
            super().accept()

    def _same_side(self, warning: SameSideWarning) -> ProcedureRecord | None:
        """A second procedure on the index surgery's side soon after it: the staged second side of a
        bilateral fusion, a true second procedure on that side (confirmed), or neither (back to the form)."""
        index = warning.index
        box = QMessageBox(QMessageBox.Icon.Question, tr("staff.procedure.same_side_title"),
                          tr("staff.procedure.same_side", side=choice_text(index.side, SIDES).lower(),
                             date=index.surgery_date.isoformat(), days=abs(warning.days)),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("sameSideQuestion")
        staged = box.addButton(tr("staff.procedure.same_side_staged"), QMessageBox.ButtonRole.AcceptRole)
        staged.setObjectName("sameSideStaged")
        again = box.addButton(tr("staff.procedure.same_side_confirm"), QMessageBox.ButtonRole.DestructiveRole)
        again.setObjectName("sameSideConfirm")
        box.setDefaultButton(staged)
        box.exec()
        if box.clickedButton() is staged:
            return self.form.submit(self, lambda: self.clinic.procedures.record_second_side(
                index.id, warning.draft.surgery_date, expected_version=index.row_version))
        if box.clickedButton() is again:
            return self.form.submit(self, lambda: self.clinic.procedures.record(
                self.patient.id, warning.draft, confirm_same_side=True))
        return None

    def _save(self, draft: ProcedureDraft) -> ProcedureRecord:
        if self.procedure is None:
            return self.clinic.procedures.record(self.patient.id, draft)
        changes = draft_changes(self.procedure, draft)
        if not changes:
            return self.procedure
        return self.clinic.procedures.update(self.procedure.id, changes, expected_version=self.procedure.row_version,
                                             reason=self.reason.text())

    def show_schedule(self) -> None:
        """The visits planned around the index surgery, as the nurse will follow them."""
        visits = self.clinic.schedule.course(self.patient.id)
        self.timeline.show_visits(visits, timepoint_labels(self.clinic.protocols.versions()))
        self.stack.setCurrentIndex(1)
        self.resize(max(self.width(), 860), max(self.height(), 460))

    def _close_schedule(self) -> None:
        super().accept()
