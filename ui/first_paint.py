"""Work that must wait until a window is on screen: the first paint, then the next turn of the event loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ui.application import application


class _FirstPaint(QObject):
    """Runs an action once any part of a window has painted, from the next turn of the event loop."""

    def __init__(self, window: QWidget, action: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.action = action
        application().installEventFilter(self)  # a widget inside the window paints first

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.window() is self.window:
            application().removeEventFilter(self)
            QTimer.singleShot(0, self.action)
        return False


def when_painted(window: QWidget, action: Callable[[], None]) -> None:
    """Run ``action`` (opening the database, the day's backup) only once the window is on screen and
    painted: work done first held the map of the window back by its whole time (the X server showed
    nothing until it was done)."""
    _FirstPaint(window, action)
