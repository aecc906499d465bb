"""A patient's complications and reoperations after surgery: the list, and the dialog that records or
corrects one; withdrawing one recorded by mistake asks for a reason. Each action is one call to the
complications service, which keeps every change in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sijpro.records import (
    COMPLICATION_KINDS,
    ComplicationDraft,
    ComplicationRecord,
    PatientRecord,
    draft_changes,
)
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import ChoiceBox, DateEdit, choice_text
from ui.staff.live_text import follow_language
from ui.staff.procedure_actions import ActionDialog
from ui.staff.procedure_dialog import SIDES
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row

KINDS = (
    ("wound_infection", "complication.wound_infection"),
    ("deep_infection", "complication.deep_infection"),
    ("implant_malposition", "complication.implant_malposition"),
    ("nerve_injury", "complication.nerve_injury"),
    ("haematoma", "complication.haematoma"),
    ("thromboembolism", "complication.thromboembolism"),
    ("non_union", "complication.non_union"),
    ("other", "staff.complication.kind.other"),
)
"""Every kind of ``records.COMPLICATION_KINDS``, in its order, with its words (literal keys, so the
catalogue's check sees them; an assertion keeps the two lists one)."""
assert tuple(kind for kind, _ in KINDS) == COMPLICATION_KINDS
SHOWN_ROWS = 4


def kind_text(complication: ComplicationRecord) -> str:
    kind = choice_text(complication.kind, KINDS)
    if complication.withdrawn_reason is not None:
        return tr("staff.complication.withdrawn", kind=kind, reason=complication.withdrawn_reason)
    return kind


COLUMNS: tuple[Column[ComplicationRecord], ...] = (
    Column("staff.complication.occurred_on", lambda c: c.occurred_on.isoformat(), sort_key=lambda c: c.occurred_on),
    Column("staff.complication.kind", kind_text, tip=kind_text,
           tone=lambda c: "muted" if c.withdrawn_reason is not None else None),
    Column("staff.complication.side", lambda c: choice_text(c.side, SIDES)),
    Column("staff.complication.revision", lambda c: tr("yes") if c.revision else tr("no"),
           tone=lambda c: "bad" if c.revision and c.withdrawn_reason is None else None),
    Column("staff.complication.notes", lambda c: c.notes, tip=lambda c: c.notes),
)
STRETCHED = frozenset({1, 4})


class ComplicationDialog(QDialog):
    """Record a complication of ``patient``, or correct ``complication`` (with a reason)."""

    def __init__(self, clinic: Session, patient: PatientRecord, complication: ComplicationRecord | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("complicationDialog")
        self.clinic, self.patient, self.complication = clinic, patient, complication
        self.saved: ComplicationRecord | None = None
        c = complication
        self.form = CheckedForm(self)
        self.occurred_on = self.form.add("occurred_on", "staff.complication.occurred_on",
                                         DateEdit(c.occurred_on if c else None))
        self.kind = self.form.add("kind", "staff.complication.kind",
                                  ChoiceBox(KINDS, blank_key="staff.complication.choose", value=c.kind if c else None))
        self.side = self.form.add("side", "staff.complication.side",
                                  ChoiceBox(SIDES, blank_key="staff.answer.unknown", value=c.side if c else None))
        self.revision = self.form.add("revision", "staff.complication.revision", QCheckBox())
        self.revision.setChecked(bool(c and c.revision))
        self.notes = self.form.add("notes", "staff.complication.notes", QLineEdit(c.notes if c else ""))
        self.notes.setMaxLength(500)
        self.reason = self.form.add("reason", "staff.edit.reason", QLineEdit())
        self.form.set_visible("reason", complication is not None)
        self.heading = heading_label(self)
        self.patient_line = QLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.patient_line, self.form):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        follow_language(self, self._retranslate)
        self.occurred_on.setFocus()

    def _retranslate(self) -> None:
        title = tr("staff.complication.edit_title" if self.complication else "staff.complication.record_title")
        self.setWindowTitle(title)
        self.heading.setText(title)
        self.patient_line.setText(tr("staff.procedure.for_patient", name=self.patient.display_name,
                                     mrn=self.patient.mrn))
        self.revision.setText(tr("staff.complication.revision_hint"))
        self.notes.setPlaceholderText(tr("staff.complication.notes_placeholder"))
        self.reason.setPlaceholderText(tr("staff.edit.reason_placeholder"))

    def draft(self) -> ComplicationDraft:
        day = read_values({"occurred_on": self.occurred_on.value})["occurred_on"]
        # A draft holds what the form gives (an empty date, a box's code); the core checks every field of it
        return ComplicationDraft(occurred_on=day, kind=self.kind.value(),  # type: ignore[arg-type]  # see above
                                 side=self.side.value(), revision=self.revision.isChecked(),  # type: ignore[arg-type]  # see above
                                 notes=self.notes.text())

    def _save(self) -> ComplicationRecord:
        draft = self.draft()
        if self.complication is None:
            return self.clinic.complications.record(self.patient.id, draft)
        changes = draft_changes(self.complication, draft)
        if not changes:
            return self.complication
        return self.clinic.complications.update(self.complication.id, changes,
                                                expected_version=self.complication.row_version,
                                                reason=self.reason.text())

    def accept(self) -> None:
        saved = self.form.submit(self, self._save)
        if saved is not None:
            self.saved = saved
            super().accept()


def withdraw_dialog(clinic: Session, complication: ComplicationRecord, parent: QWidget | None = None) -> ActionDialog:
    dialog = ActionDialog("staff.complication.withdraw", tr("staff.complication.withdraw_text",
                                                            kind=choice_text(complication.kind, KINDS),
                                                            date=complication.occurred_on.isoformat()), parent)
    dialog.setObjectName("withdrawComplicationDialog")
    reason = dialog.form.add("reason", "staff.edit.reason", QLineEdit())
    reason.setPlaceholderText(tr("staff.procedure.withdraw_reason_placeholder"))
    dialog.save = lambda: clinic.complications.withdraw(complication.id, reason.text(),
                                                        expected_version=complication.row_version)
    reason.setFocus()
    return dialog


class ComplicationsView(QWidget):
    """The patient's complications (withdrawn ones marked, with their reason) and what can be done: record
    one, correct or withdraw the one highlighted; ``run`` shows a dialog and reloads the record."""

    def __init__(self, clinic: Session, run: Callable[[QDialog], None], *, can_edit: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic, self.run = clinic, run
        self.patient: PatientRecord | None = None
        self.model = RecordTableModel(COLUMNS, self)
        self.table = record_table(self.model, "complicationTable", self)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in STRETCHED
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        on_selection(self.table, self._enable)
        self.empty = QLabel(self)
        self.empty.setProperty("role", "muted")
        self.buttons = {
            "record": push_button(self, self.record, "complicationRecord"),
            "correct": push_button(self, self.correct, "complicationCorrect"),
            "withdraw": push_button(self, self.withdraw, "complicationWithdraw"),
        }
        row = QHBoxLayout()
        for button in self.buttons.values():
            button.setVisible(can_edit)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addLayout(row)
        follow_language(self, self.retranslate)

    def show_complications(self, patient: PatientRecord | None, complications: list[ComplicationRecord]) -> None:
        self.patient = patient
        self.model.set_rows(complications)
        self.table.setVisible(bool(complications))
        self.empty.setVisible(not complications)
        rows = min(max(len(complications), 1), SHOWN_ROWS)
        self.table.resizeRowsToContents()
        row_height = self.table.rowHeight(0) if complications else self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + rows * row_height
                                  + 2 * self.table.frameWidth())
        self._enable()

    def selected(self) -> ComplicationRecord | None:
        row = selected_row(self.table)
        return self.model.record(row) if row is not None else None

    def _enable(self) -> None:
        chosen = self.selected()
        standing = chosen is not None and chosen.withdrawn_reason is None
        self.buttons["record"].setEnabled(self.patient is not None)
        self.buttons["correct"].setEnabled(standing)
        self.buttons["withdraw"].setEnabled(standing)

    def retranslate(self) -> None:
        self.empty.setText(tr("staff.complication.none"))
        self.buttons["record"].setText(tr("staff.complication.record_button"))
        self.buttons["correct"].setText(tr("staff.complication.correct"))
        self.buttons["withdraw"].setText(tr("staff.complication.withdraw_button"))
        self.model.retranslate()

    def record(self) -> None:
        if self.patient is not None:
            self.run(ComplicationDialog(self.clinic, self.patient, parent=self))

    def correct(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.patient is not None:
            self.run(ComplicationDialog(self.clinic, self.patient, chosen, self))

    def withdraw(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.run(withdraw_dialog(self.clinic, chosen, self))
