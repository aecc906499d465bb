"""The staff desktop's stylesheet (``resources/styles/staff.qss``), set on its own windows only so the
kiosk keeps its own large-print look when the tablet is handed over, the labels it styles by role, and
its push buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from sijpro.resources import resource_path


@cache
def staff_stylesheet() -> str:
    return resource_path("styles", "staff.qss").read_text(encoding="utf-8")


def heading_label(parent: QWidget | None = None) -> QLabel:
    """A page's or a section's title, in the stylesheet's heading style."""
    label = QLabel(parent)
    label.setProperty("role", "heading")
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def push_button(parent: QWidget, clicked: Callable[[], object], name: str = "") -> QPushButton:
    """A button whose text comes with the page's retranslation; ``name`` is its object name, which the
    stylesheet and the tests find it by."""
    button = QPushButton(parent)
    if name:
        button.setObjectName(name)
    button.clicked.connect(clicked)
    return button
