"""Real mouse input on the staff desk's widgets: a click lands where a nurse's pointer would."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication

LEFT = Qt.MouseButton.LeftButton
NO_KEYS = Qt.KeyboardModifier.NoModifier


def click(button: QAbstractButton) -> None:
    """A left click in the middle of a button the user can see and reach."""
    assert button.isVisible(), f"{button.text() or button.objectName()} is not on screen"
    assert button.isEnabled(), f"{button.text() or button.objectName()} is disabled"
    QTest.mouseClick(button, LEFT, NO_KEYS, button.rect().center())
    QApplication.processEvents()


def row_index(view: QAbstractItemView, row: int, column: int = 0) -> QModelIndex:
    index = view.model().index(row, column)
    assert index.isValid(), f"row {row} is not in the table"
    view.scrollTo(index)
    return index


def click_row(view: QAbstractItemView, row: int, column: int = 0) -> None:
    """A left click on a cell of a table or list, as the pointer gives it (press, release)."""
    index = row_index(view, row, column)
    QTest.mouseClick(view.viewport(), LEFT, NO_KEYS, view.visualRect(index).center())
    QApplication.processEvents()


def double_click_row(view: QAbstractItemView, row: int, column: int = 0) -> None:
    """A real double click: the first click's press and release, then Qt's double-click event."""
    index = row_index(view, row, column)
    point = view.visualRect(index).center()
    QTest.mouseClick(view.viewport(), LEFT, NO_KEYS, point)
    QTest.mouseDClick(view.viewport(), LEFT, NO_KEYS, point)
    QApplication.processEvents()


def rows_showing(view: QAbstractItemView, text: str, column: int = 0) -> list[int]:
    """Rows whose cell in ``column`` reads ``text`` (what the user sees)."""
    model = view.model()
    return [row for row in range(model.rowCount()) if model.index(row, column).data() == text]
