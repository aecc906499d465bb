"""The running QApplication, typed: Qt's ``instance()`` may be None, which no window of ours ever sees."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def application() -> QApplication:
    """The program's QApplication; a widget or a window cannot exist without it."""
    running = QApplication.instance()
    if not isinstance(running, QApplication):
        raise RuntimeError("no QApplication is running")
    return running
