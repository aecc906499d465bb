"""Keeping the kiosk in front: the whole screen, above every other window, with the keyboard focus.

``showFullScreen`` alone asks the window manager for full screen; with no window manager (a bare X
session, the simplest kiosk set-up) nobody answers and the window keeps its default size in a corner.
So the kiosk also sets its geometry to the whole screen itself, frameless and "stays on top", and a
guard puts it back whenever it is iconified (openbox's Alt+Space > Iconify), un-fullscreened, moved,
or loses the focus to another window: at once on the event, and at the latest within a second.
The operating system's own kiosk set-up (a session that runs only the kiosk) is in the README.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

CHECK_MS = 1000
"""The guard's look at the window when no event told it anything."""
SETTLE_MS = 150
"""After an event: let the window system finish (an iconify, another window's map) before undoing it."""


class KioskLockdown(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        window.setWindowFlags(window.windowFlags() | Qt.WindowType.FramelessWindowHint
                              | Qt.WindowType.WindowStaysOnTopHint)
        window.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.restore)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(SETTLE_MS)
        self._soon.timeout.connect(self.restore)

    def show(self) -> None:
        """Show the window over the whole screen, in front and focused, and start guarding it."""
        self._cover_screen()
        self.window.showFullScreen()
        self.window.raise_()
        self.window.activateWindow()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._soon.stop()

    def _screen_geometry(self):  # noqa: ANN202 - a QRect
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        return screen.geometry()

    def _cover_screen(self) -> None:
        if self.window.geometry() != self._screen_geometry():
            self.window.setGeometry(self._screen_geometry())

    def restore(self) -> None:
        """Undo whatever took the kiosk out of the front; nothing when it is already there."""
        window = self.window
        if not window.isVisible() and not window.isMinimized():
            self.stop()  # closed or handed back: nothing to guard any more
            return
        state = window.windowState()
        if state & Qt.WindowState.WindowMinimized or not state & Qt.WindowState.WindowFullScreen:
            window.setWindowState((state & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowFullScreen)
            window.showFullScreen()
        self._cover_screen()
        if not window.isActiveWindow():
            window.raise_()
            window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        watched_events = {QEvent.Type.WindowStateChange, QEvent.Type.WindowDeactivate, QEvent.Type.Move,
                          QEvent.Type.Resize}
        if watched is self.window and (event.type() in watched_events
                                       or (event.type() == QEvent.Type.Hide and self.window.isMinimized())):
            self._soon.start()
        return False


def keep_in_front(window: QWidget) -> KioskLockdown:
    """Full screen, on top and focused, and kept so (see the module's docstring)."""
    lockdown = KioskLockdown(window)
    lockdown.show()
    return lockdown
