"""The outcome of a follow-up phone call: one choice (reached, no answer, call back on a day, declined,
wrong number), a note, then one call to the reminders service."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QRadioButton, QVBoxLayout, QWidget

from sijpro.reminders import CALL_OUTCOMES, ContactAttemptRecord
from sijpro.services.clinic import Clinic
from sijpro.services.reminders import PlanEntry
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import DateEdit
from ui.staff.live_text import follow_language
from ui.staff.style import heading_label

OUTCOME_KEYS = {"reached": "staff.call.reached", "no_answer": "staff.call.no_answer",
                "call_back": "staff.call.call_back", "declined": "staff.call.declined",
                "wrong_number": "staff.call.wrong_number"}


class CallDialog(QDialog):
    def __init__(self, clinic: Clinic, entry: PlanEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callDialog")
        self.clinic = clinic
        self.entry = entry
        self.saved: ContactAttemptRecord | None = None
        self.heading = heading_label(self)
        self.number = QLabel(self)
        self.number.setObjectName("callNumber")
        self.outcomes = {outcome: QRadioButton(self) for outcome in CALL_OUTCOMES}
        for outcome, button in self.outcomes.items():
            button.setObjectName(f"call_{outcome}")
            button.toggled.connect(self._outcome_changed)
        self.form = CheckedForm(self)
        self.call_back_on = self.form.add("call_back_on", "staff.call.call_back_on", DateEdit())
        self.note = self.form.add("note", "staff.call.note", QLineEdit())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("callOk")
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.number)
        for button in self.outcomes.values():
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)  # as wide as its words: a click there counts
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.form.set_visible("call_back_on", False)
        follow_language(self, self._retranslate)

    def _retranslate(self) -> None:
        self.setWindowTitle(tr("staff.call.title"))
        self.heading.setText(tr("staff.call.title"))
        self.number.setText(tr("staff.call.number", name=self.entry.patient.display_name,
                               number=self.entry.contact.phone or self.entry.to))
        for outcome, button in self.outcomes.items():
            button.setText(tr(OUTCOME_KEYS[outcome]))
        self.ok.setText(tr("staff.call.record"))

    def _outcome_changed(self) -> None:
        self.ok.setEnabled(self.outcome() is not None)
        self.form.set_visible("call_back_on", self.outcome() == "call_back")

    def outcome(self) -> str | None:
        return next((outcome for outcome, button in self.outcomes.items() if button.isChecked()), None)

    def accept(self) -> None:
        outcome = self.outcome()
        if outcome is None:
            return

        def save() -> ContactAttemptRecord:
            day = read_values({"call_back_on": self.call_back_on.value})["call_back_on"] \
                if outcome == "call_back" else None
            return self.clinic.reminders.record_call(self.entry.visit.id, self.entry.step.step, outcome,
                                                     call_back_on=day, note=self.note.text())

        saved = self.form.submit(self, save)
        if saved is not None:
            self.saved = saved
            super().accept()
