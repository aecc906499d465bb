"""A patient's procedures as a list, and what can be done to one: correct it, withdraw it (recorded by
mistake), or record the staged second side of the index surgery. Each action is a small dialog and one
call to the procedures service, always with a reason the audit trail keeps."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sijpro.records import PatientRecord, ProcedureRecord
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import DateEdit, choice_text
from ui.staff.live_text import follow_language
from ui.staff.procedure_dialog import APPROACHES, SIDES, ProcedureDialog
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row


def procedure_kind(procedure: ProcedureRecord) -> str:
    if procedure.withdrawn_reason is not None:
        return tr("staff.procedure.withdrawn", reason=procedure.withdrawn_reason)
    return tr("staff.procedure.index") if procedure.is_index else tr("staff.procedure.other")


def side_text(procedure: ProcedureRecord) -> str:
    """The side, and the staged second side's date when there is one."""
    side = choice_text(procedure.side, SIDES)
    if procedure.second_side_date is None:
        return side
    return tr("staff.procedure.side_staged", side=side, date=procedure.second_side_date.isoformat())


PROCEDURE_COLUMNS: tuple[Column[ProcedureRecord], ...] = (
    Column("staff.procedure.kind", procedure_kind, tip=procedure_kind,
           tone=lambda p: "muted" if p.withdrawn_reason is not None else "good" if p.is_index else None),
    Column("staff.procedure.surgery_date", lambda p: p.surgery_date.isoformat(), sort_key=lambda p: p.surgery_date),
    Column("staff.procedure.side", side_text),
    Column("staff.procedure.approach", lambda p: choice_text(p.approach, APPROACHES)),
    Column("staff.procedure.device", lambda p: p.device or "", tip=lambda p: p.device or ""),
    Column("staff.procedure.surgeon", lambda p: p.surgeon or "", tip=lambda p: p.surgeon or ""),
)


STRETCHED = frozenset({0, 4, 5})
"""Columns (kind with a withdrawal's reason, device, surgeon) that share the width left, elided with the
whole text in their tooltip; the others fit their contents."""
SHOWN_ROWS = 4


class ActionDialog(QDialog):
    """A title, what the action will do, a few fields, and the one service call that does it."""

    def __init__(self, title_key: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_key = title_key
        self.saved: object | None = None
        self.save: Callable[[], object] | None = None
        """The one service call, set by whoever builds the dialog."""
        self.heading = heading_label(self)
        self.text = QLabel(text, self)
        self.text.setWordWrap(True)
        self.form = CheckedForm(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        follow_language(self, self._retranslate)

    def _retranslate(self) -> None:
        self.setWindowTitle(tr(self.title_key))
        self.heading.setText(tr(self.title_key))
        self.ok.setText(tr(self.title_key))

    def accept(self) -> None:
        if self.save is None:
            return
        saved = self.form.submit(self, self.save)
        if saved is not None:
            self.saved = saved
            super().accept()


def withdraw_dialog(clinic: Session, procedure: ProcedureRecord, parent: QWidget | None = None) -> ActionDialog:
    """Withdraw a procedure recorded by mistake, with a reason."""
    effect = "staff.procedure.withdraw_index" if procedure.is_index else "staff.procedure.withdraw_other"
    dialog = ActionDialog("staff.procedure.withdraw", tr(effect, date=procedure.surgery_date.isoformat()), parent)
    dialog.setObjectName("withdrawDialog")
    reason = dialog.form.add("reason", "staff.edit.reason", QLineEdit())
    reason.setPlaceholderText(tr("staff.procedure.withdraw_reason_placeholder"))
    dialog.save = lambda: clinic.procedures.withdraw(procedure.id, reason.text(),
                                                     expected_version=procedure.row_version)
    reason.setFocus()
    return dialog


def second_side_dialog(clinic: Session, index: ProcedureRecord, parent: QWidget | None = None,
                       day: str = "") -> ActionDialog:
    """The staged second side of the index surgery: its date; the procedure becomes bilateral."""
    dialog = ActionDialog("staff.procedure.second_side", tr("staff.procedure.second_side_text",
                                                            date=index.surgery_date.isoformat()), parent)
    dialog.setObjectName("secondSideDialog")
    date = dialog.form.add("second_side_date", "staff.procedure.second_side_date", DateEdit())
    date.setText(day)
    dialog.save = lambda: clinic.procedures.record_second_side(
        index.id, read_values({"second_side_date": date.value})["second_side_date"],
        expected_version=index.row_version)
    date.setFocus()
    return dialog


class ProceduresView(QWidget):
    """The patient's procedures (withdrawn ones marked, with their reason) and the actions on the one
    highlighted; ``run`` shows a dialog and reloads the record, whatever happened."""

    changed = Signal()

    def __init__(self, clinic: Session, run: Callable[[QDialog], None], *, can_edit: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.run = run
        self.patient: PatientRecord | None = None
        self.model = RecordTableModel(PROCEDURE_COLUMNS, self)
        self.table = record_table(self.model, "procedureTable", self)
        header = self.table.horizontalHeader()
        for column in range(len(PROCEDURE_COLUMNS)):  # free text (kind and reason, device, surgeon) shares the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column in STRETCHED
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        on_selection(self.table, self._enable)
        self.buttons = {
            "correct": push_button(self, self.correct, "procedureCorrect"),
            "withdraw": push_button(self, self.withdraw, "procedureWithdraw"),
            "second_side": push_button(self, self.second_side, "procedureSecondSide"),
        }
        row = QHBoxLayout()
        for button in self.buttons.values():
            button.setVisible(can_edit)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)
        follow_language(self, self.retranslate)

    def show_procedures(self, patient: PatientRecord | None, procedures: list[ProcedureRecord]) -> None:
        self.patient = patient
        self.model.set_rows(procedures)
        rows = min(max(len(procedures), 1), SHOWN_ROWS)  # as tall as its rows: the schedule below needs room
        self.table.resizeRowsToContents()
        row_height = self.table.rowHeight(0) if procedures else self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + rows * row_height
                                  + 2 * self.table.frameWidth())
        standing = [row for row, p in enumerate(procedures) if p.withdrawn_reason is None]
        if len(standing) == 1:
            self.table.selectRow(standing[0])
        self._enable()

    def selected(self) -> ProcedureRecord | None:
        row = selected_row(self.table)
        return self.model.record(row) if row is not None else None

    def _enable(self) -> None:
        chosen = self.selected()
        standing = chosen is not None and chosen.withdrawn_reason is None
        self.buttons["correct"].setEnabled(standing)
        self.buttons["withdraw"].setEnabled(standing)
        self.buttons["second_side"].setEnabled(standing and chosen is not None and chosen.is_index
                                               and chosen.second_side_date is None)

    def retranslate(self) -> None:
        self.buttons["correct"].setText(tr("staff.procedure.correct"))
        self.buttons["withdraw"].setText(tr("staff.procedure.withdraw_button"))
        self.buttons["second_side"].setText(tr("staff.procedure.second_side_button"))
        self.model.retranslate()

    def correct(self) -> None:
        chosen = self.selected()
        if chosen is not None and self.patient is not None:
            self.run(ProcedureDialog(self.clinic, self.patient, chosen, self))

    def withdraw(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.run(withdraw_dialog(self.clinic, chosen, self))

    def second_side(self) -> None:
        chosen = self.selected()
        if chosen is not None and chosen.is_index:
            self.run(second_side_dialog(self.clinic, chosen, self))
