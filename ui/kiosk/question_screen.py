"""One question on one screen, in the instrument's own words and order (ISPOR ePRO good practice).

Nothing is pre-selected and nothing moves on by itself: a tap selects (and the runner saves it at
once), Next moves on. A 0-10 scale is a row of eleven equal buttons with its end anchors under the ends;
a list of statements is a column of full-width buttons of equal height.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from sijpro.instruments import Instrument, Item
from ui.i18n import tr
from ui.kiosk.reflow import ScaleGrid
from ui.kiosk.screens import KioskScreen, footer, page_layout
from ui.kiosk.widgets import EqualColumn, WrapButton, button, label

TYPING_PAUSE = 1.5
"""Seconds within which digits typed one after the other form one number (1 then 0 is ten)."""


ROW_LIMIT = 11
"""At most this many scale buttons side by side (0-10); a longer scale (0-100 % in fives) takes rows of
seven, read left to right and top to bottom, so every button stays a finger wide on an upright tablet.
Where even that is too wide at the chosen text size, the rows break further (``ScaleGrid``)."""
WRAPPED_ROW = 7


class ScaleRow(ScaleGrid):
    """Equal buttons in a row (0-10), or in rows of seven (0-100 % in fives), with their anchor words."""

    def __init__(self, item: Item, language: str, parent: QWidget | None = None) -> None:
        unit = item.unit[language] if item.unit else ""
        low, high = (item.anchors[0][language], item.anchors[1][language]) if item.anchors else ("", "")
        values = item.kiosk_values()
        by_value: dict[int, QPushButton] = {}
        for value in values:
            # The number alone on the button (eleven "100%" do not fit a tablet held upright); the unit is
            # in the question's wording and in the button's accessible name.
            text = f"{value}{unit}"
            if value == values[0] and low:
                name = tr("kiosk.question.scale_end", value=text, anchor=low)
            elif value == values[-1] and high:
                name = tr("kiosk.question.scale_end", value=text, anchor=high)
            else:
                name = text
            choice = button(str(value), "scale", name=name)
            choice.setCheckable(True)
            by_value[value] = choice
        super().__init__(list(by_value.values()), label(low, "anchor") if low else None,
                         label(high, "anchor") if high else None,
                         len(values) if len(values) <= ROW_LIMIT else WRAPPED_ROW, parent)
        self.buttons_by_value = by_value


class QuestionScreen(KioskScreen):
    answered = Signal(object)
    """The patient's choice: the item's value, or None for "prefer not to answer"."""
    alternative_chosen = Signal()
    """The answer beside the scale ("worse than before surgery")."""
    go_next = Signal()
    go_back = Signal()

    def __init__(self, instrument: Instrument, item: Item, language: str, *, editing: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._typed = ""
        self._typed_at = 0.0
        layout = page_layout(self, spacing=10)
        if item.heading:
            layout.addWidget(label(item.heading[language], "heading", self))
        *stem, question = item.text[language].split("\n")
        if stem:
            layout.addWidget(label("\n".join(stem), "stem", self))
        layout.addWidget(label(question, "question", self))

        self.choices: dict[int, QPushButton] = {}
        self.scale: ScaleRow | None = None
        self.column: EqualColumn | None = None
        if item.kind == "scale":
            self.scale = ScaleRow(item, language, self)
            self.choices = self.scale.buttons_by_value
            layout.addSpacing(8)
            layout.addWidget(self.scale)
        else:
            options = [WrapButton(option.text[language], "option") for option in item.options]
            self.column = EqualColumn(options, spacing=8, parent=self)
            self.choices = {option.value: widget for option, widget in zip(item.options, options, strict=True)}
            layout.addWidget(self.column)
        for value, choice in self.choices.items():
            choice.setCheckable(True)
            choice.clicked.connect(lambda _checked=False, value=value: self._choose(value))

        self.alternative = self._extra(layout, item.alternative.text[language] if item.alternative else "", "option")
        if self.alternative is not None:  # beside the scale, not on it ("worse than before surgery")
            self.alternative.clicked.connect(lambda _checked=False: self.alternative_chosen.emit())
        self.skip = self._extra(layout, tr("kiosk.question.prefer_not") if item.optional else "", "skip")
        if self.skip is not None:
            self.skip.clicked.connect(lambda _checked=False: self._choose(None))

        self.error = label("", "error", self)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.back = button(tr("kiosk.back"), "secondary", self)
        next_text = tr("kiosk.question.back_to_review") if editing else tr("kiosk.next")
        self.primary = button(next_text, "primary", self)
        self.back.setVisible(not editing)
        self.editing = editing
        self.back.clicked.connect(self.go_back)
        self.primary.clicked.connect(self.go_next)
        layout.addLayout(footer(self.back, self.primary))

    def _extra(self, layout: QVBoxLayout, text: str, role: str) -> WrapButton | None:
        """A full-width answer under the others (the alternative, "prefer not to answer"); None without text."""
        if not text:
            return None
        extra = WrapButton(text, role, self)
        extra.setCheckable(True)
        layout.addSpacing(8)
        layout.addWidget(extra)
        return extra

    def press_back(self) -> None:
        """While changing an answer from the review, Back returns there (the Back button is hidden)."""
        if self.editing:
            self.go_back.emit()
        else:
            super().press_back()

    def _choose(self, value: int | None) -> None:
        self.answered.emit(value)

    def show_answer(self, answered: bool, value: int | None, alternative: bool = False) -> None:
        """Mark the committed answer (and only it) and allow Next once there is one."""
        for option_value, choice in self.choices.items():
            choice.setChecked(answered and option_value == value and not alternative)
        if self.alternative is not None:
            self.alternative.setChecked(answered and alternative)
        if self.skip is not None:
            self.skip.setChecked(answered and value is None and not alternative)
        if self.primary is not None:
            self.primary.setEnabled(answered)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def handle_key(self, event: QKeyEvent) -> bool:
        """Digits choose: the n-th statement of a list, or the number itself on a scale."""
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9 and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            now = time.monotonic()
            if now - self._typed_at > TYPING_PAUSE:
                self._typed = ""
            self._typed_at = now
            self._typed = (self._typed + chr(key))[-3:]
            target = self._target_for(self._typed) or self._target_for(chr(key))
            if target is not None:
                self._typed = str(int(self._typed)) if self._target_for(self._typed) else chr(key)
                target.click()
                target.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return super().handle_key(event)

    def _target_for(self, typed: str) -> QPushButton | None:
        number = int(typed)
        if self.scale is not None:  # on a 0-100 % scale a lone digit is tens (7: 70 %), 5 then 5 is 55 %
            return self.choices.get(number) or (self.choices.get(number * 10) if number < 10 else None)
        options = list(self.choices.values())
        return options[number - 1] if 1 <= number <= len(options) else None
