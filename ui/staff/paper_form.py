"""One paper questionnaire typed in: a row per item, digits and Tab, nothing else needed.

Each field shows the values its item accepts and refuses, as it is typed, any keystroke that cannot lead
to one ("7" in a 0-5 field), saying why under the field; Tab does not leave a field whose value is not
yet an answer. A blank field is an unanswered item (paper forms come back with gaps). Every accepted
answer is saved at once through the collection service, like the kiosk's, so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QWidget

from sijpro.errors import UserError
from sijpro.instruments import Instrument, Item
from ui.i18n import tr
from ui.staff.form import translated
from ui.staff.live_text import local
from ui.staff.style import error_label

SaveAnswer = Callable[[str, int | None], None]
"""(item code, value or None for unanswered): raises UserError when the service refuses it."""


CODE_WIDTH = 72
ALLOWED_WIDTH = 150
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


def options_text(item: Item) -> str:
    """What each value means, in the staff's language (the tooltip of a field)."""
    if item.kind != "choice":
        anchors = item.anchors
        return f"{item.minimum} = {local(anchors[0], '')}\n{item.maximum} = {local(anchors[1], '')}" if anchors else ""
    return "\n".join(f"{option.value} = {local(option.text, str(option.value))}" for option in item.options)


class ItemValidator(QValidator):
    """Accepts the item's values, lets a prefix of one through (the "1" of "10"), refuses the rest."""

    def __init__(self, item: Item, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self._texts = [str(value) for value in item.accepted_values()]

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        if text == "" or text in self._texts:
            return QValidator.State.Acceptable, text, position
        if text.isdigit() and any(candidate.startswith(text) for candidate in self._texts):
            return QValidator.State.Intermediate, text, position
        return QValidator.State.Invalid, text, position


class AnswerEdit(QLineEdit):
    """A field for one item; refused keystrokes and an unfinished value are explained, not ignored."""

    problem = Signal(str)

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName(f"answer_{item.code}")
        self.setValidator(ItemValidator(item, self))
        self.setMaxLength(max(len(str(v)) for v in item.accepted_values()))
        self.setFixedWidth(64)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._before = ""
        self.inputRejected.connect(self._refused)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        self._before = self.text()
        self._typed = event.text()
        super().keyPressEvent(event)

    def _refused(self) -> None:
        attempt = self._before[:self.cursorPosition()] + getattr(self, "_typed", "") + \
            self._before[self.cursorPosition():]
        self.problem.emit(tr("staff.paper.refused", value=attempt.strip() or "?", allowed=allowed_text(self.item)))

    def event(self, event: QEvent) -> bool:
        """Tab (or Shift+Tab, Enter) stays in a field whose text is not yet an answer."""
        leaving = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter}
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in leaving \
                and not self.hasAcceptableInput():
            self.problem.emit(tr("staff.paper.unfinished", value=self.text(), allowed=allowed_text(self.item)))
            return True
        return super().event(event)

    def value(self) -> int | None:
        return int(self.text()) if self.text() else None


class PaperForm(QGroupBox):
    """The items of one instrument at one visit; ``answers`` is what is saved for it so far."""

    def __init__(self, instrument: Instrument, title: str, save: SaveAnswer, *,
                 answers: dict[str, int | None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName(f"paper_{instrument.id}")
        self.instrument = instrument
        self.save = save
        self.saved: dict[str, int | None] = dict(answers or {})
        self.fields: dict[str, AnswerEdit] = {}
        self.problems: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(3, 1)
        grid.setHorizontalSpacing(12)
        for row, item in enumerate(instrument.items):
            self._add_row(grid, row * 2, item)

    def _add_row(self, grid: QGridLayout, row: int, item: Item) -> None:
        code = QLabel(item.code, self)
        code.setProperty("role", "code")
        code.setFixedWidth(CODE_WIDTH)
        text = QLabel(question_text(item), self)
        text.setWordWrap(True)
        text.setToolTip(f"{local(item.text, '')}\n\n{options_text(item)}".strip())
        allowed = QLabel(allowed_text(item) + (f" ({tr('staff.paper.optional')})" if item.optional else ""), self)
        allowed.setProperty("role", "muted")
        allowed.setMinimumWidth(ALLOWED_WIDTH)
        field = AnswerEdit(item, self)
        field.setToolTip(options_text(item))
        saved = self.saved.get(item.code)
        if saved is not None:
            field.setText(str(saved))
        problem = error_label(self)
        problem.setObjectName(f"problem_{item.code}")
        field.problem.connect(lambda message, code=item.code: self.show_problem(code, message))
        field.editingFinished.connect(lambda code=item.code: self._finished(code))
        field.textEdited.connect(lambda _text, code=item.code: self.show_problem(code, ""))
        grid.addWidget(code, row, 0)
        grid.addWidget(field, row, 1)
        grid.addWidget(allowed, row, 2)  # beside the field: what may be typed is where the eyes are
        grid.addWidget(text, row, 3)
        grid.addWidget(problem, row + 1, 1, 1, 3)
        self.fields[item.code] = field
        self.problems[item.code] = problem

    def show_problem(self, code: str, message: str) -> None:
        label = self.problems[code]
        label.setText(message)
        label.setVisible(bool(message))

    def problem(self, code: str) -> str:
        label = self.problems[code]
        return label.text() if not label.isHidden() else ""

    def _finished(self, code: str) -> None:
        field = self.fields[code]
        value = field.value()
        if code not in self.saved and value is None:
            return
        if self.saved.get(code, "unset") == value:
            return
        try:
            self.save(code, value)
        except UserError as error:
            self.show_problem(code, translated(str(error)))
            return
        self.saved[code] = value

    @property
    def touched(self) -> bool:
        """At least one answer was saved: the questionnaire exists and can be completed."""
        return bool(self.saved)

    def first_field(self) -> AnswerEdit:
        return self.fields[self.instrument.items[0].code]
