"""Noticing that nobody touches the app: the kiosk locks a patient's screen, the staff desktop its session.

Kept apart from the kiosk's screens so the staff desktop can watch idle time without loading them.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.TabletPress,
}


def seconds_from_env(name: str, default: float) -> float:
    """A positive number of seconds from the environment (clinics tune the timeouts), else the default."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


class IdleWatch(QObject):
    """Emits ``idle`` after ``seconds`` without a touch, click or key press anywhere in the app."""

    idle = Signal()

    def __init__(self, seconds: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(round(seconds * 1000))
        self.timer.timeout.connect(self.idle)
        self._running = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def start(self) -> None:
        self._running = True
        self.timer.start()

    def stop(self) -> None:
        self._running = False
        self.timer.stop()

    @property
    def running(self) -> bool:
        return self._running

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._running and event.type() in _ACTIVITY:
            self.timer.start()
        return False

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
