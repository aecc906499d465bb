"""One table model for every list of records on the staff desktop: columns declared as data, sorting
and filtering done in the model on plain records (no query per row, no proxy), so a worklist of
thousands of rows sorts and filters at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from sijpro.folding import fold
from ui.i18n import tr

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
TONES = {"alert": QColor("#a40000"), "muted": QColor("#5c5c5c"), "good": QColor("#1f6b1f")}
"""Text colours a column may ask for; a tone always goes with words saying the same (never colour alone)."""
RECORD_ROLE = Qt.ItemDataRole.UserRole


def collation_key(text: str) -> tuple[str, str]:
    """Alphabetical order as a reader expects it in English and French: letters compared without their
    accents and case first (BÉLANGER, BERGER, BRUNET), then accents and case only to break ties."""
    return fold(text), text.casefold()


@dataclass(frozen=True)
class Column(Generic[R]):
    title_key: str
    text: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    """Defaults to the text in alphabetical order (``collation_key``: BÉLANGER before BRUNET)."""
    tone: Callable[[R], str | None] | None = None
    numeric: bool = False
    """Right-aligned."""
    tip: Callable[[R], str] | None = None
    """A longer text on hover (defaults to the cell's text, for cells cut short)."""


class RecordTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._all: list[R] = []
        self._visible: list[R] = []
        self._keep: Callable[[R], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- content ----------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._visible = self._arranged()
        self.endResetModel()

    def set_filter(self, keep: Callable[[R], bool] | None) -> None:
        self.beginResetModel()
        self._keep = keep
        self._visible = self._arranged()
        self.endResetModel()

    def record(self, row: int) -> R:
        return self._visible[row]

    def records(self) -> list[R]:
        """The rows shown, in display order."""
        return list(self._visible)

    @property
    def total(self) -> int:
        """Rows before filtering."""
        return len(self._all)

    def _arranged(self) -> list[R]:
        rows = self._all if self._keep is None else [row for row in self._all if self._keep(row)]
        if self._sort is None:
            return list(rows)
        column, order = self._sort
        key = self._key(self.columns[column])
        return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)

    @staticmethod
    def _key(column: Column[R]) -> Callable[[R], Any]:
        if column.sort_key is None:
            return lambda row: collation_key(column.text(row))
        sort_key = column.sort_key

        def missing_last(row: R) -> tuple[bool, Any]:
            value = sort_key(row)
            return (value is None, value if value is not None else 0)

        return missing_last

    # --- Qt's model interface -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return None
        record = self._visible[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (column.tip or column.text)(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column.tone is not None:
            tone = column.tone(record)
            return QBrush(TONES[tone]) if tone in TONES else None
        if role == RECORD_ROLE:
            return index.row()
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return tr(self.columns[section].title_key) if 0 <= section < len(self.columns) else None
        return section + 1 if 0 <= section < len(self._visible) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        rows_of = [id(self._visible[index.row()]) for index in before]
        self._sort = (column, order)
        self._visible = self._arranged()
        new_row = {id(record): row for row, record in enumerate(self._visible)}
        self.changePersistentIndexList(before, [self.index(new_row[key], index.column())
                                                for key, index in zip(rows_of, before, strict=True)])
        self.layoutChanged.emit()

    def retranslate(self) -> None:
        """Column titles (and any text made with ``tr``) in the new language."""
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, len(self.columns) - 1))
