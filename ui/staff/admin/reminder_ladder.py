"""The protocol page's reminder ladders: one row per rung (ladder, step, channel, day after the window
opens), or a row saying a timepoint has no reminders. The rows become the protocol's ``reminders``
mapping, which ``parse_protocol`` and ``check_protocol`` judge with the rest of the draft."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from sijpro.protocol import Protocol
from sijpro.reminders import DEFAULT_LADDER, MAX_STEP_DAY, STEP_CHANNELS
from ui.i18n import tr

NO_REMINDERS = ""
"""The channel of a row that says its timepoint has no reminders at all."""
COLUMNS = ("ladder", "step", "channel", "day")
COLUMN_KEYS = {"ladder": "admin.reminders.column.ladder", "step": "admin.reminders.column.step",
               "channel": "admin.reminders.column.channel", "day": "admin.reminders.column.day"}
CHANNEL_KEYS = {"email": "admin.reminders.channel.email", "post": "admin.reminders.channel.post",
                "phone": "admin.reminders.channel.phone", NO_REMINDERS: "admin.reminders.channel.none"}


class LadderEditor(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderLadders")
        self.title = QLabel(self)
        self.title.setProperty("role", "subheading")
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("reminderTable")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button, self.remove_button = QPushButton(self), QPushButton(self)
        self.add_button.setObjectName("reminderAdd")
        self.remove_button.setObjectName("reminderRemove")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self.remove_row)
        self.timepoints: tuple[str, ...] = ()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("admin.reminders.title"))
        self.hint.setText(tr("admin.reminders.hint"))
        self.table.setHorizontalHeaderLabels([tr(COLUMN_KEYS[name]) for name in COLUMNS])
        self.add_button.setText(tr("admin.reminders.add"))
        self.remove_button.setText(tr("admin.reminders.remove"))
        for row in range(self.table.rowCount()):
            self._name_choices(row)

    def load(self, protocol: Protocol) -> None:
        self.timepoints = protocol.codes
        self.table.setRowCount(0)
        for name, steps in protocol.reminders.items():
            if not steps:
                self.add_row(name, "", NO_REMINDERS, 0)
            for step in steps:
                self.add_row(name, step.code, step.channel, step.day)

    def add_row(self, ladder: str = DEFAULT_LADDER, step: str = "", channel: str = "email", day: int = 0) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        names = QComboBox()
        names.setObjectName(f"reminderLadder{row}")
        for code in (DEFAULT_LADDER, *self.timepoints):
            names.addItem("", code)
        names.setCurrentIndex(max(0, names.findData(ladder)))
        step_code = QLineEdit(step)
        step_code.setObjectName(f"reminderStep{row}")
        channels = QComboBox()
        channels.setObjectName(f"reminderChannel{row}")
        for value in (*STEP_CHANNELS, NO_REMINDERS):
            channels.addItem("", value)
        channels.setCurrentIndex(max(0, channels.findData(channel)))
        days = QSpinBox()
        days.setObjectName(f"reminderDay{row}")
        days.setRange(0, MAX_STEP_DAY)
        days.setValue(day)
        widgets: tuple[QWidget, ...] = (names, step_code, channels, days)
        for column, widget in enumerate(widgets):
            self.table.setCellWidget(row, column, widget)
        for signal in (names.currentIndexChanged, step_code.textEdited, channels.currentIndexChanged,
                       days.valueChanged):
            signal.connect(self._changed)
        self._name_choices(row)
        self.table.setCurrentCell(row, 1)
        self.edited.emit()
        return row

    def _add_clicked(self) -> None:
        self.add_row()

    def _changed(self, *_: object) -> None:
        self.edited.emit()

    def _name_choices(self, row: int) -> None:
        names, _code, channels, _days = self._cells(row)
        for index in range(names.count()):
            code = names.itemData(index)
            names.setItemText(index, tr("admin.reminders.every_timepoint") if code == DEFAULT_LADDER else code)
        for index in range(channels.count()):
            channels.setItemText(index, tr(CHANNEL_KEYS[channels.itemData(index)]))

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit()

    def _cells(self, row: int) -> tuple[QComboBox, QLineEdit, QComboBox, QSpinBox]:
        """A row's ladder, step, channel and day widgets (as ``add_row`` placed them)."""
        names, code, channels, days = (self.table.cellWidget(row, column) for column in range(len(COLUMNS)))
        assert isinstance(names, QComboBox) and isinstance(code, QLineEdit)
        assert isinstance(channels, QComboBox) and isinstance(days, QSpinBox)
        return names, code, channels, days

    def mapping(self) -> dict[str, list[dict[str, Any]]]:
        """The ``reminders`` mapping the rows describe, rungs in row order (``parse_protocol`` checks them)."""
        ladders: dict[str, list[dict[str, Any]]] = {}
        for row in range(self.table.rowCount()):
            names, code, channels, days = self._cells(row)
            steps = ladders.setdefault(str(names.currentData()), [])
            if channels.currentData() != NO_REMINDERS:
                steps.append({"step": code.text().strip(), "channel": channels.currentData(), "day": days.value()})
        return ladders

    def rows(self) -> Sequence[tuple[str, str, str, int]]:
        """(ladder, step, channel, day) of every row, as shown: for tests and screen readers."""
        found = []
        for row in range(self.table.rowCount()):
            names, code, channels, days = self._cells(row)
            found.append((str(names.currentData()), code.text(), str(channels.currentData()), days.value()))
        return found
