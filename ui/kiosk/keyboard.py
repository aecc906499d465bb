"""An on-screen keyboard for the kiosk's few text fields (patient search, a nurse's user name).

A kiosk session runs no desktop and so no system keyboard; a tablet without a hardware keyboard would
otherwise leave these fields unreachable. The keys type into one line edit; they never take the focus,
so the field keeps its cursor and a hardware keyboard still works alongside.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget

from ui.i18n import tr
from ui.kiosk.widgets import button

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM")
"""Digits (MRNs), the letters in the order most keyboards have them, and the hyphen MRNs often hold;
the last row ends with a double-width space bar and the erase key."""


class OnScreenKeyboard(QWidget):
    """Keys in a grid of equal cells, with a space bar and an erase key; lower case for user names."""

    def __init__(self, target: QLineEdit, *, lower_case: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        for row, letters in enumerate(ROWS):
            for column, letter in enumerate(letters):
                character = letter.lower() if lower_case else letter
                key = self._key(character, character, lambda _checked=False, c=character: self.target.insert(c))
                grid.addWidget(key, row, column)
        last = len(ROWS) - 1
        space = self._key(tr("kiosk.keyboard.space"), " ", lambda: self.target.insert(" "))
        erase = self._key("\u232b", "erase", self.target.backspace, name=tr("kiosk.unlock.erase"))
        grid.addWidget(space, last, len(ROWS[-1]), 1, 2)
        grid.addWidget(erase, last, len(ROWS[-1]) + 2)
        for column in range(10):
            grid.setColumnStretch(column, 1)

    def _key(self, text: str, code: str, action: object, *, name: str | None = None) -> QPushButton:
        key = button(text, "key", self, name=name)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.clicked.connect(action)  # type: ignore[arg-type]
        self.keys[code] = key
        return key
