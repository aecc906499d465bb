"""Move a patient's index surgery to another date: every visit not yet completed moves with it.

Surgery is often postponed after the patient was registered. The nurse gives the new date and a reason;
one call to the procedures service moves the schedule (audited, refused if someone changed the
procedure meanwhile), then the dialog shows the moved schedule.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from sijpro.records import PatientRecord, ProcedureRecord
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import DateEdit
from ui.staff.live_text import follow_language
from ui.staff.style import heading_label
from ui.staff.timeline import TimelineView, timepoint_labels


class RescheduleDialog(QDialog):
    def __init__(self, clinic: Session, patient: PatientRecord, index: ProcedureRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rescheduleDialog")
        self.clinic = clinic
        self.patient = patient
        self.index = index
        self.saved: ProcedureRecord | None = None
        self.heading = heading_label(self)
        self.current = QLabel(self)
        self.current.setWordWrap(True)
        self.form = CheckedForm(self)
        self.surgery_date = self.form.add("surgery_date", "staff.reschedule.new_date", DateEdit())
        self.reason = self.form.add("reason", "staff.edit.reason", QLineEdit())
        self.timeline = TimelineView(self)
        self.timeline.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.move_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.move_button.setObjectName("rescheduleMove")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.current)
        layout.addWidget(self.form)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)
        follow_language(self, self._retranslate)
        self.surgery_date.setFocus()

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("staff.reschedule.title"))
        self.heading.setText(tr("staff.reschedule.title"))
        self.current.setText(tr("staff.reschedule.current", name=self.patient.display_name,
                                date=self.index.surgery_date.isoformat()))
        self.reason.setPlaceholderText(tr("staff.edit.reason_placeholder"))
        self.move_button.setText(tr("staff.reschedule.move"))

    def accept(self) -> None:
        if self.saved is not None:
            super().accept()
            return
        saved = self.form.submit(self, lambda: self.clinic.procedures.update(
            self.index.id, {"surgery_date": read_values({"surgery_date": self.surgery_date.value})["surgery_date"]},
            expected_version=self.index.row_version, reason=self.reason.text()))
        if saved is None:
            return
        self.saved = saved
        self._show_moved_schedule()

    def _show_moved_schedule(self) -> None:
        self.timeline.show_visits(self.clinic.schedule.course(self.patient.id),
                                  timepoint_labels(self.clinic.protocols.versions()))
        self.timeline.show()
        self.form.setEnabled(False)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.removeButton(self.move_button)
        self.move_button.hide()
        self.buttons.rejected.disconnect()
        self.buttons.rejected.connect(self.accept)  # closing after the move is the end of a saved change
        self.resize(max(self.width(), 860), max(self.height(), 460))
