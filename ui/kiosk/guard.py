"""Privacy guards: notice when nobody touches the tablet, and ask over the screen before locking.

A patient who walks off to their appointment leaves their answers on screen; after a few idle minutes
the kiosk asks "Are you still there?" and, without an answer, locks. Nothing is lost: every answer is
already in the database and the nurse can resume the run.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.i18n import tr
from ui.idle import IdleWatch, seconds_from_env
from ui.kiosk.reflow import ReflowRow
from ui.kiosk.widgets import button, label

__all__ = ["IDLE_SECONDS", "PROMPT_SECONDS", "IdleWatch", "Overlay", "seconds_from_env", "still_there_text"]

IDLE_SECONDS = 180
PROMPT_SECONDS = 60


class Overlay(QWidget):
    """A question over the whole window (darkened), with large buttons; the rest is out of reach."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleShade")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.frame = QFrame(self)
        self.frame.setObjectName("idlePrompt")
        box = QVBoxLayout(self.frame)
        box.setContentsMargins(40, 32, 40, 32)
        box.setSpacing(20)
        self.title = label("", "title", self.frame)
        self.text = label("", "question", self.frame)
        box.addWidget(self.title)
        box.addWidget(self.text)
        self.buttons = QVBoxLayout()  # holds one row of the answers, side by side where they fit
        self.buttons.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self.buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.frame, 6)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self._expire)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._text_for: Callable[[int], str] | None = None
        self._on_expiry: Callable[[], None] | None = None
        self.choices: list[QPushButton] = []
        """The answers asked now, in the order given."""
        self.hide()

    def ask(self, title: str, text: str | Callable[[int], str],
            choices: list[tuple[str, str, Callable[[], None]]], *,
            seconds: float = 0, on_expiry: Callable[[], None] | None = None) -> None:
        """Show ``title``/``text`` with (label, role, action) buttons; after ``seconds`` run ``on_expiry``."""
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.hide()  # out of reach at once, not only when the deletion comes round
                old.deleteLater()
        self.title.setText(title)
        self._text_for = text if callable(text) else None
        self.text.setText(text(round(seconds)) if callable(text) else text)
        self._on_expiry = on_expiry
        made = []
        for caption, role, action in choices:
            choice = button(caption, role)
            choice.clicked.connect(lambda _checked=False, action=action: self._choose(action))
            made.append(choice)
        self.choices = made
        first = made[0] if made else None
        self.buttons.addWidget(ReflowRow(made, spacing=20, parent=self.frame))
        host = self.parentWidget()
        if host is not None:
            self.setGeometry(host.rect())
        self.show()
        self.raise_()
        if first is not None:
            first.setFocus()
        if seconds > 0:
            self._expiry.start(round(seconds * 1000))
            self._ticker.start()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter presses the focused answer; every other key stays here, away from the screen below."""
        focused = self.focusWidget()
        if event.key() in {Qt.Key.Key_Return, Qt.Key.Key_Enter} and isinstance(focused, QPushButton):
            focused.click()
        event.accept()

    def _choose(self, action: Callable[[], None]) -> None:
        self.dismiss()
        action()

    def dismiss(self) -> None:
        self._expiry.stop()
        self._ticker.stop()
        self.hide()

    @property
    def remaining(self) -> int:
        """Whole seconds left before the expiry action (rounded up, as a countdown shows them)."""
        return -(-max(0, self._expiry.remainingTime()) // 1000) if self._expiry.isActive() else 0

    def _tick(self) -> None:
        if self._text_for is not None:
            self.text.setText(self._text_for(self.remaining))

    def _expire(self) -> None:
        expiry = self._on_expiry
        self.dismiss()
        if expiry is not None:
            expiry()


def still_there_text(seconds: int) -> str:
    return tr("kiosk.idle.text", seconds=seconds)
