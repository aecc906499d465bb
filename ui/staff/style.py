"""The staff desktop's stylesheet (``resources/styles/staff.qss``), set on its own windows only so the
kiosk keeps its own large-print look when the tablet is handed over, and the labels it styles by role."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from sijpro.resources import resource_path


@cache
def staff_stylesheet() -> str:
    return resource_path("styles", "staff.qss").read_text(encoding="utf-8")


def error_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label
