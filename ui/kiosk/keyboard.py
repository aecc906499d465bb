"""An on-screen keyboard for the kiosk's few text fields (patient search, a nurse's user name).

A kiosk session runs no desktop and so no system keyboard; a tablet without a hardware keyboard would
otherwise leave these fields unreachable. The keys type into one line edit; they never take the focus,
so the field keeps its cursor and a hardware keyboard still works alongside.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

from ui.i18n import tr
from ui.kiosk.widgets import button

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM")
"""Digits (MRNs), the letters in the order most keyboards have them, and the hyphen MRNs often hold;
the last row ends with Shift (the other case, for a password), the space bar and the erase key."""


class OnScreenKeyboard(QWidget):
    """Keys in a grid of equal cells, with Shift, a space bar and an erase key; lower case for user names."""

    def __init__(self, target: QLineEdit | Callable[[], QLineEdit], *, lower_case: bool = False,
                 parent: QWidget | None = None) -> None:
        """``target`` is the field typed into, or a function naming it at each key (the focused field)."""
        super().__init__(parent)
        self._target = target
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for row, letters in enumerate(ROWS):
            for column, letter in enumerate(letters):
                character = letter.lower() if lower_case else letter
                key = self._key(character, character, lambda _checked=False, c=character: self._type(c))
                grid.addWidget(key, row, column)
        last = len(ROWS) - 1
        self.shift = self._key("\u21e7", "shift", lambda: None, name=tr("kiosk.keyboard.shift"))
        self.shift.setCheckable(True)
        space = self._key(tr("kiosk.keyboard.space"), " ", lambda: self.target().insert(" "))
        erase = self._key("\u232b", "erase", lambda: self.target().backspace(), name=tr("kiosk.unlock.erase"))
        grid.addWidget(self.shift, last, len(ROWS[-1]))
        grid.addWidget(space, last, len(ROWS[-1]) + 1)
        grid.addWidget(erase, last, len(ROWS[-1]) + 2)
        for column in range(10):
            grid.setColumnStretch(column, 1)
        self._lower_case = lower_case

    def _type(self, character: str) -> None:
        """One character, in the other case while Shift is down (once, as on a phone)."""
        if self.shift.isChecked() and character.isalpha():
            character = character.upper() if self._lower_case else character.lower()
            self.shift.setChecked(False)
        self.target().insert(character)

    def target(self) -> QLineEdit:
        return self._target if isinstance(self._target, QLineEdit) else self._target()

    def _key(self, text: str, code: str, action: object, *, name: str | None = None) -> QPushButton:
        key = button(text, "key", self, name=name)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.clicked.connect(action)
        self.keys[code] = key
        return key
