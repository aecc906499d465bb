"""Input widgets for clinical forms: dates typed as YYYY-MM-DD, optional numbers, translated choices.

Each ``value()`` returns what the core expects (a date, a number, a code, or None when left blank) or
raises ``FieldProblem`` with a message in the user's language, so a form can show it at the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from sijpro.i18n import decimal
from ui.i18n import capitalised, language, tr
from ui.staff.live_text import follow_language

SIDES = (("left", "side.left"), ("right", "side.right"), ("bilateral", "side.bilateral"))
APPROACHES = (("lateral", "approach.lateral"), ("posterior", "approach.posterior"))
"""A fusion's side and approach: the words screens and reports share, shown capitalised as choices."""
SEXES = (("F", "sex.F"), ("M", "sex.M"), ("X", "sex.X"))
ROLES = (("nurse", "role.nurse"), ("surgeon", "role.surgeon"), ("admin", "role.admin"))
"""A patient's sex and an account's role, with the words every screen and report uses for them."""

class FieldProblem(ValueError):
    """A value that cannot even be handed to the core (not a date, not a number)."""


class DateEdit(QLineEdit):
    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9-]{0,10}"), self))
        self.setMaxLength(10)
        self.set_value(value)
        follow_language(self, lambda: self.setPlaceholderText(tr("staff.input.date_placeholder")))

    def set_value(self, value: dt.date | None) -> None:
        self.setText(value.isoformat() if value else "")

    def value(self) -> dt.date | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            if len(text) != len("YYYY-MM-DD"):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldProblem(tr("staff.problem.not_a_date", text=text)) from None


class NumberEdit(QLineEdit):
    """A number that may be left blank (unknown); whole numbers only when ``whole``."""

    def __init__(self, value: float | None = None, *, whole: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.whole = whole
        pattern = r"[0-9]{0,3}" if whole else r"[0-9]{0,3}([.,][0-9]{0,2})?"
        self.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self))
        self.set_value(value)

    def set_value(self, value: float | None) -> None:
        self.setText("" if value is None else (str(int(value)) if self.whole else decimal(language(), value)))

    def value(self) -> float | int | None:
        text = self.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return int(text) if self.whole else float(text)
        except ValueError:
            raise FieldProblem(tr("staff.problem.not_a_number", text=text)) from None


class ChoiceBox(QComboBox):
    """A choice among codes, shown by translated names; ``None`` is 'not known' when ``blank_key`` is set."""

    def __init__(self, choices: Sequence[tuple[object, str]], *, blank_key: str | None = None,
                 value: object = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices: list[tuple[object, str]] = ([(None, blank_key)] if blank_key else []) + list(choices)
        for code, _key in self.choices:
            self.addItem("", code)
        self.set_value(value)
        follow_language(self, self._retranslate)

    def _retranslate(self) -> None:
        for position, (_code, key) in enumerate(self.choices):
            self.setItemText(position, capitalised(tr(key)))

    def set_value(self, value: object) -> None:
        for position, (code, _key) in enumerate(self.choices):
            if code == value:
                self.setCurrentIndex(position)
                return

    def value(self) -> object:
        return self.currentData()


def choice_text(value: object, choices: Sequence[tuple[object, str]]) -> str:
    """The words of a coded value (its catalogue key among ``choices``, as a label: capitalised), or 'Unknown'
    when not known."""
    return next((capitalised(tr(key)) for code, key in choices if code == value), tr("staff.answer.unknown"))
