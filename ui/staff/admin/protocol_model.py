"""The protocol being edited, as an editable table: a row per timepoint; code, names, offset, window, and a
tick per questionnaire. The table holds a draft; ``parse_protocol`` judges it and names the field of any
problem, which the table then shows at its cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from sijpro.instruments import bundled_instruments, get_instrument
from sijpro.protocol import Protocol
from ui.i18n import language, tr

Index = QModelIndex | QPersistentModelIndex
PROBLEM_BACKGROUND = QColor("#fff0f0")
TEXT_COLUMNS = ("code", "label.en", "label.fr")
NUMBER_COLUMNS = ("offset.months", "offset.weeks", "offset.days", "window.before_days", "window.after_days")
FIELDS = (*TEXT_COLUMNS, *NUMBER_COLUMNS)
"""The field of each column (as ``parse_protocol`` names fields), before the questionnaire columns."""


def column_titles() -> dict[str, str]:
    return {
        "code": tr("admin.protocol.col.code"), "label.en": tr("admin.protocol.col.label_en"),
        "label.fr": tr("admin.protocol.col.label_fr"), "offset.months": tr("admin.protocol.col.months"),
        "offset.weeks": tr("admin.protocol.col.weeks"), "offset.days": tr("admin.protocol.col.days"),
        "window.before_days": tr("admin.protocol.col.before"), "window.after_days": tr("admin.protocol.col.after"),
    }


@dataclass
class DraftTimepoint:
    values: dict[str, Any]
    instruments: list[str] = field(default_factory=list)


class ProtocolModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.instruments = tuple(bundled_instruments())
        self.rows: list[DraftTimepoint] = []
        self.problem: tuple[int, int, str] | None = None
        """(row, column, message) of the problem shown, if any."""

    def load(self, protocol: Protocol) -> None:
        self.beginResetModel()
        in_use = [code for tp in protocol.timepoints for code in tp.instruments]
        self.instruments = tuple(dict.fromkeys([*in_use, *bundled_instruments()]))  # the protocol's order first
        self.rows = [DraftTimepoint({
            "code": tp.code, "label.en": tp.label.get("en", ""), "label.fr": tp.label.get("fr", ""),
            "offset.months": tp.offset_months, "offset.weeks": tp.offset_weeks, "offset.days": tp.offset_days,
            "window.before_days": tp.window_before_days, "window.after_days": tp.window_after_days,
        }, list(tp.instruments)) for tp in protocol.timepoints]
        self.problem = None
        self.endResetModel()

    def timepoints(self) -> list[dict[str, Any]]:
        """The draft in the shape of a protocol file's ``timepoints`` list, questionnaires in column order."""
        return [{
            "code": str(row.values["code"]).strip(),
            "label": {"en": row.values["label.en"], "fr": row.values["label.fr"]},
            "offset": {"months": row.values["offset.months"], "weeks": row.values["offset.weeks"],
                       "days": row.values["offset.days"]},
            "window": {"before_days": row.values["window.before_days"], "after_days": row.values["window.after_days"]},
            "instruments": [code for code in self.instruments if code in row.instruments],
        } for row in self.rows]

    def column_of(self, field_name: str | None) -> int:
        """The column showing a field named by ``parse_protocol`` ('label' is the English name, 'offset' the
        months, 'instruments' the first questionnaire)."""
        aliases = {"label": "label.en", "offset": "offset.months", "window": "window.before_days"}
        name = aliases.get(field_name or "", field_name or "")
        if name == "instruments":
            return len(FIELDS)
        return FIELDS.index(name) if name in FIELDS else 0

    def show_problem(self, row: int | None, column: int, message: str) -> None:
        previous = self.problem
        self.problem = (row, column, message) if row is not None else None
        for shown in (previous, self.problem):
            if shown is not None and 0 <= shown[0] < len(self.rows):
                index = self.index(shown[0], shown[1])
                self.dataChanged.emit(index, index)

    def add_row(self) -> int:
        last = self.rows[-1].values if self.rows else {}
        months = int(last.get("offset.months", 0)) + 12
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(DraftTimepoint({
            "code": f"m{months}", "label.en": f"{months} months", "label.fr": f"{months} mois",
            "offset.months": months, "offset.weeks": 0, "offset.days": 0,
            "window.before_days": 56, "window.after_days": 84,
        }, list(self.rows[-1].instruments) if self.rows else []))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()
        self.show_problem(None, 0, "")

    # --- Qt's model interface ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(FIELDS) + len(self.instruments)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section < len(FIELDS):
            return column_titles()[FIELDS[section]] if role == Qt.ItemDataRole.DisplayRole else None
        instrument = get_instrument(self.instruments[section - len(FIELDS)])
        if role == Qt.ItemDataRole.DisplayRole:
            return instrument.short_title.get(language()) or instrument.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return instrument.title.get(language()) or instrument.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        basic = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() < len(FIELDS):
            return basic | Qt.ItemFlag.ItemIsEditable
        return basic | Qt.ItemFlag.ItemIsUserCheckable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        problem = self.problem[2] if self.problem is not None and self.problem[:2] == (index.row(), column) else None
        if role == Qt.ItemDataRole.BackgroundRole and problem is not None:
            return QBrush(PROBLEM_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and problem is not None:
            return problem
        if column < len(FIELDS):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return row.values[FIELDS[column]]
            if role == Qt.ItemDataRole.TextAlignmentRole and FIELDS[column] in NUMBER_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if column >= self.columnCount():
            return None
        if role == Qt.ItemDataRole.CheckStateRole:
            ticked = self.instruments[column - len(FIELDS)] in row.instruments
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        row, column = self.rows[index.row()], index.column()
        if column < len(FIELDS) and role == Qt.ItemDataRole.EditRole:
            name = FIELDS[column]
            row.values[name] = _whole_or_text(value) if name in NUMBER_COLUMNS else str(value)
        elif len(FIELDS) <= column < self.columnCount() and role == Qt.ItemDataRole.CheckStateRole:
            code = self.instruments[column - len(FIELDS)]
            ticked = Qt.CheckState(value) == Qt.CheckState.Checked
            if ticked and code not in row.instruments:
                row.instruments.append(code)
            elif not ticked and code in row.instruments:
                row.instruments.remove(code)
        else:
            return False
        self.dataChanged.emit(index, index)
        return True


def _whole_or_text(value: Any) -> Any:
    """A whole number when the text is one; otherwise the text, for ``parse_protocol`` to refuse by name."""
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text


class TextCellDelegate(QStyledItemDelegate):
    """Cells edited as plain text, numbers too: what is typed reaches the model as typed (500, -3, 'four
    weeks'), so the protocol check can refuse it by name; Qt's default number editor would instead stop
    silently at 99 and keep a different value than the one typed."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = QLineEdit(parent)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802 - Qt's name
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.selectAll()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QLineEdit)
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
