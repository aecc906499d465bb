"""The cohort view's tables: a Qt model over the grids ``sijpro.reports.tables`` builds for the PDF too.

The grids (rows, numbers, words) are made once in the core from the ``CohortSummary``; this module only
shows one, with the number behind each cell under ``VALUE_ROLE`` for anyone who reads the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from sijpro.reports.tables import Grid

Index = QModelIndex | QPersistentModelIndex
VALUE_ROLE = Qt.ItemDataRole.UserRole
"""The number behind a cell (n, a mean, a p-value...), as the summary holds it."""


class GridModel(QAbstractTableModel):
    """A read-only table of text cells with the number behind each one."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.grid = Grid("", (), (), ())

    def show_grid(self, grid: Grid) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.grid.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.grid.titles)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.grid.titles):
            return self.grid.titles[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.grid.rows):
            return None
        row = self.grid.rows[index.row()]
        if not 0 <= index.column() < len(row):
            return None
        cell = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == VALUE_ROLE:
            return cell.value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() in self.grid.sections:
            font = QFont()
            font.setBold(True)
            return font
        return None


