"""One paper questionnaire typed in: a row per item, digits and Tab, nothing else needed.

Each row shows what every code means (SF-12's and ODI's answers as their words, a scale's ends), and
beside the field the meaning of what was typed, so the nurse checks the form against the screen. A
field keeps exactly what was typed: "11" on a 0-10 scale stays "11", in red with the reason, and is
never saved as the "1" that came before it; Tab does not leave a field whose text is not an answer. A
blank field is an unanswered item (paper forms come back with gaps). Nothing is written while typing:
the page hands the whole questionnaire to the core, which checks and completes it in one transaction.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from sijpro.instruments import Instrument, Item
from ui.i18n import tr
from ui.staff.live_text import local
from ui.staff.style import error_label

CODE_WIDTH = 72
MEANING_WIDTH = 190
SHORT_HEADING = 60
"""A heading this short names the item (ODI's sections); a longer one is a shared stem (SF-12's)."""


def question_text(item: Item) -> str:
    """The words that identify the item on the paper form, kept to a line or two."""
    heading = local(item.heading, "")
    if heading and len(heading) <= SHORT_HEADING:
        return heading
    return local(item.text, item.code)


def allowed_text(item: Item) -> str:
    values = item.accepted_values()
    contiguous = list(values) == list(range(values[0], values[-1] + 1))
    if contiguous:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(value) for value in values)


def meaning(item: Item, value: int) -> str:
    """What one code means in the staff's language: an option's words, a scale's end or the number."""
    if item.kind == "choice":
        option = next((o for o in item.options if o.value == value), None)
        return local(option.text, str(value)) if option else ""
    unit = local(item.unit, "") if item.unit else ""
    if item.anchors and value in (item.minimum, item.maximum):
        return local(item.anchors[0 if value == item.minimum else 1], "")
    return f"{value} {unit}" if unit else ""


def code_lines(item: Item) -> list[str]:
    """Every code the item accepts with its meaning, one line each (a scale: its range and its ends)."""
    if item.kind == "choice":
        return [f"{option.value} = {local(option.text, str(option.value))}" for option in item.options]
    lines = [tr("staff.paper.scale", low=item.minimum, high=item.maximum)]
    if item.anchors:
        lines += [f"{item.minimum} = {local(item.anchors[0], '')}", f"{item.maximum} = {local(item.anchors[1], '')}"]
    return lines


class ItemValidator(QValidator):
    """Accepts the item's values; digits that are not one yet stay in the field, explained, never saved."""

    def __init__(self, item: Item, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._texts = {str(value) for value in item.accepted_values()}
        self.longest = max(len(text) for text in self._texts)

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        if text == "" or text in self._texts:
            return QValidator.State.Acceptable, text, position
        if text.isdigit() and len(text) <= self.longest + 1:
            return QValidator.State.Intermediate, text, position
        return QValidator.State.Invalid, text, position

    def could_become_answer(self, text: str) -> bool:
        """The "1" of "10": more digits may make it an answer."""
        return any(candidate.startswith(text) and candidate != text for candidate in self._texts)


class AnswerEdit(QLineEdit):
    """A field for one item; what is typed stays as typed, and a text that is not an answer says why."""

    problem = Signal(str)

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName(f"answer_{item.code}")
        self.checker = ItemValidator(item, self)
        self.setValidator(self.checker)
        self.setMaxLength(self.checker.longest + 1)
        self.setFixedWidth(64)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._before = ""
        self._typed = ""
        self.inputRejected.connect(self._refused)
        self.textEdited.connect(self._check)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        self._before = self.text()
        self._typed = event.text()
        super().keyPressEvent(event)

    def _refused(self) -> None:
        position = self.cursorPosition()
        attempt = self._before[:position] + self._typed + self._before[position:]
        self.problem.emit(tr("staff.paper.refused", value=attempt.strip() or "?", allowed=allowed_text(self.item)))

    def _check(self, text: str) -> None:
        """Say at once when the digits typed cannot be an answer ("11" on 0-10); silence otherwise."""
        wrong = bool(text) and not self.hasAcceptableInput() and not self.checker.could_become_answer(text)
        self.problem.emit(tr("staff.paper.refused", value=text, allowed=allowed_text(self.item)) if wrong else "")

    def event(self, event: QEvent) -> bool:
        """Tab (or Shift+Tab, Enter) stays in a field whose text is not an answer."""
        leaving = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter}
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in leaving \
                and not self.hasAcceptableInput():
            self.problem.emit(self.unfinished_text())
            return True
        return super().event(event)

    def unfinished_text(self) -> str:
        return tr("staff.paper.unfinished", value=self.text(), allowed=allowed_text(self.item))

    def value(self) -> int | None:
        """The answer typed (None: left blank); only asked of a field whose text is an answer."""
        return int(self.text()) if self.text() and self.hasAcceptableInput() else None


class PaperForm(QGroupBox):
    """The items of one instrument at one visit; ``answers()`` is what the nurse typed."""

    def __init__(self, instrument: Instrument, title: str, *, answers: dict[str, int | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName(f"paper_{instrument.id}")
        self.instrument = instrument
        self.fields: dict[str, AnswerEdit] = {}
        self.meanings: dict[str, QLabel] = {}
        self.problems: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(3, 1)
        grid.setHorizontalSpacing(12)
        for row, item in enumerate(instrument.items):
            self._add_row(grid, row * 3, item, (answers or {}).get(item.code))

    def _add_row(self, grid: QGridLayout, row: int, item: Item, saved: int | None) -> None:
        code = QLabel(item.code, self)
        code.setProperty("role", "code")
        code.setFixedWidth(CODE_WIDTH)
        optional = f" ({tr('staff.paper.optional')})" if item.optional else ""
        text = QLabel(question_text(item) + optional, self)
        text.setWordWrap(True)
        text.setToolTip(local(item.text, ""))
        codes = QLabel("\n".join(code_lines(item)), self)
        codes.setObjectName(f"codes_{item.code}")
        codes.setProperty("role", "muted")
        codes.setWordWrap(True)
        field = AnswerEdit(item, self)
        field.setToolTip("\n".join(code_lines(item)))
        echo = QLabel(self)
        echo.setObjectName(f"meaning_{item.code}")
        echo.setFixedWidth(MEANING_WIDTH)
        echo.setWordWrap(True)
        problem = error_label(self)
        problem.setObjectName(f"problem_{item.code}")
        field.problem.connect(lambda message, code=item.code: self.show_problem(code, message))
        field.textChanged.connect(lambda _text, code=item.code: self._echo(code))
        grid.addWidget(code, row, 0)
        grid.addWidget(field, row, 1)
        grid.addWidget(echo, row, 2)
        grid.addWidget(text, row, 3)
        grid.addWidget(codes, row + 1, 3)
        grid.addWidget(problem, row + 2, 1, 1, 3)
        self.fields[item.code] = field
        self.meanings[item.code] = echo
        self.problems[item.code] = problem
        if saved is not None:
            field.setText(str(saved))

    def _echo(self, code: str) -> None:
        field = self.fields[code]
        value = field.value()
        words = "" if value is None else meaning(field.item, value)
        self.meanings[code].setText(f"= {words}" if words else "")

    def show_problem(self, code: str, message: str) -> None:
        label = self.problems[code]
        label.setText(message)
        label.setVisible(bool(message))

    def problem(self, code: str) -> str:
        label = self.problems[code]
        return label.text() if not label.isHidden() else ""

    def unfinished(self) -> list[str]:
        """Items whose text is not an answer (each now says so at its field), in form order."""
        codes = []
        for code, field in self.fields.items():
            if not field.hasAcceptableInput():
                self.show_problem(code, field.unfinished_text())
                codes.append(code)
        return codes

    def answers(self) -> dict[str, int | None]:
        """Item code -> the value typed; blank items are left out (unanswered)."""
        return {code: field.value() for code, field in self.fields.items() if field.text()}

    @property
    def touched(self) -> bool:
        """Something was typed in: the questionnaire is to be entered."""
        return any(field.text() for field in self.fields.values())

    def first_field(self) -> AnswerEdit:
        return self.fields[self.instrument.items[0].code]

