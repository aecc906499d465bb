"""The read-only table every list of records on the staff desktop is shown in, and the one way a page
learns which row is highlighted.

A mouse click moves the current index *before* it updates the selection, so a page that reads the
selection from ``currentRowChanged`` sees the row clicked before; and the current index can stay on a
row the user has deselected. Pages therefore read the highlighted row from the selection, and only once
it has changed (``on_selection``), never from the current index.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def record_table(model: QAbstractItemModel, name: str, parent: QWidget | None = None, *,
                 sortable: bool = True) -> QTableView:
    """Whole rows selected one at a time, no editing in place, sortable by a click on a column title."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the model's own order first
    table.setSortingEnabled(sortable)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    return table


def selected_row(table: QAbstractItemView) -> int | None:
    """The highlighted row (whole rows, one at a time), or None when nothing is highlighted."""
    selection = table.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    return rows[0].row() if rows else None


def on_selection(table: QAbstractItemView, slot: Callable[[], object]) -> None:
    """Call ``slot`` whenever the highlighted row changes: after a click or a key has updated the
    selection, and when new rows replace the old (a reset clears the selection without a signal)."""
    table.selectionModel().selectionChanged.connect(lambda *_: slot())
    table.model().modelReset.connect(slot)
