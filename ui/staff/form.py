"""Forms that show each problem at its field.

The core reports bad input and refusals as ``Problem(field, code, params)`` (``InputErrors`` for several,
``UserError.problem`` for one). ``CheckedForm`` puts each field's problem in red under that field, in the
user's language by its code, the rest above the form, and moves the focus to the first field to fix. A
refusal without a problem (rare, and never about one field) keeps the core's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from sijpro.errors import ConflictError, InputErrors, UserError
from sijpro.problems import Problem
from ui.errors import problem_words, sentence, show_error
from ui.i18n import tr
from ui.staff.inputs import FieldProblem
from ui.staff.live_text import follow_language
from ui.staff.style import error_label

W = TypeVar("W", bound=QWidget)
T = TypeVar("T")
V = TypeVar("V")
def problems_of(error: UserError) -> list[Problem | str]:
    """What ``error`` says is wrong: its problems, its one problem, or its message."""
    if isinstance(error, InputErrors):
        return error.problems
    return [error.problem if error.problem is not None else str(error)]


def problems_by_field(error: UserError) -> tuple[dict[str, str], list[str]]:
    """({field: message}, [messages about no one field]) of a refusal, in the user's language."""
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in problems_of(error):
        if isinstance(problem, Problem) and problem.field is not None:
            fields.setdefault(problem.field, problem_words(problem))
        else:
            general.append(sentence(problem_words(problem)))
    return fields, general


class FormProblems(Exception):
    """Fields whose text is not even a value (a date, a number): refused before any service call."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def read_values(readers: dict[str, Callable[[], V]]) -> dict[str, V]:
    """Each field's value, or FormProblems naming every field that could not be read."""
    values: dict[str, V] = {}
    problems: dict[str, str] = {}
    for name, read in readers.items():
        try:
            values[name] = read()
        except FieldProblem as problem:
            problems[name] = str(problem)
    if problems:
        raise FormProblems(problems)
    return values


def grow_to_fit(window: QWidget) -> None:
    """Make a window tall enough for what it now shows (a problem that wraps onto two lines included)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else \
        layout.totalSizeHint().height()
    if needed > window.height():
        window.resize(window.width(), needed)


class CheckedForm(QWidget):
    """A two-column form (title, field) whose fields can each show a problem beneath them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.general = error_label(self)
        outer.addWidget(self.general)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(self.layout_)
        self.fields: dict[str, tuple[QWidget, QLabel, QLabel, str]] = {}
        follow_language(self, self._retranslate)

    def add(self, name: str, title_key: str, widget: W) -> W:
        title = QLabel(self)
        title.setBuddy(widget)
        holder = QWidget(self)
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        problem = error_label(holder)
        problem.setObjectName(f"problem_{name}")
        box.addWidget(problem)
        self.layout_.addRow(title, holder)
        self.fields[name] = (widget, title, problem, title_key)
        for signal in ("textEdited", "currentIndexChanged", "toggled"):  # the problem goes once it is worked on
            changed = getattr(widget, signal, None)
            if changed is not None:
                changed.connect(lambda *_args, field=name: self.set_problem(field, ""))
                break
        title.setText(tr(title_key))
        return widget

    def set_visible(self, name: str, visible: bool) -> None:
        holder = self.fields[name][0].parentWidget()
        assert holder is not None  # add() puts every field in a holder with its problem label
        self.layout_.setRowVisible(holder, visible)

    def _retranslate(self) -> None:
        for _widget, title, _problem, key in self.fields.values():
            title.setText(tr(key))

    def clear(self) -> None:
        self.general.hide()
        for widget, _title, problem, _key in self.fields.values():
            problem.hide()
            widget.setProperty("invalid", False)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def problem(self, name: str) -> str:
        """The problem shown at a field ('' when none): what tests and screen readers check."""
        label = self.fields[name][2]
        return label.text() if not label.isHidden() else ""

    def set_problem(self, name: str, message: str) -> None:
        """Show ``message`` under the field ('' clears it)."""
        widget, _title, label, _key = self.fields[name]
        label.setText(message)
        label.setVisible(bool(message))
        widget.setProperty("invalid", bool(message))
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def show_problems(self, problems: FormProblems) -> None:
        self.clear()
        for name, message in problems.fields.items():
            self.set_problem(name, message)
        self.fields[next(iter(problems.fields))][0].setFocus(Qt.FocusReason.OtherFocusReason)
        self.grow_window()

    def grow_window(self) -> None:
        if self.window() is not self:
            grow_to_fit(self.window())

    def show_general(self, messages: list[str]) -> None:
        self.general.setText("\n".join(messages))
        self.general.setVisible(bool(messages))

    def submit(self, owner: QWidget, save: Callable[[], T],
               passing: tuple[type[Exception], ...] = ()) -> T | None:
        """Run the form's one call into the core and show what refused it; None when nothing was saved.

        Bad values come back at their fields. A conflict (someone else saved the same record since the
        form read it) is said, and a dialog ``owner`` closes: what it shows is out of date, and nothing was
        overwritten. Errors of a type in ``passing`` are the caller's to handle (a possible duplicate).
        """
        self.clear()
        try:
            return save()
        except passing:
            raise
        except FormProblems as problems:
            self.show_problems(problems)
        except ConflictError as conflict:
            show_error(owner, conflict)
            if isinstance(owner, QDialog):
                QDialog.reject(owner)
        except UserError as error:
            self.show_error(error)
        return None

    def show_error(self, error: UserError) -> None:
        """Every problem of ``error`` where it belongs; the focus goes to the first field to fix."""
        self.clear()
        fields, general = problems_by_field(error)
        first: QWidget | None = None
        for name, message in fields.items():
            if name in self.fields:
                self.set_problem(name, message)
                first = first or self.fields[name][0]
            else:
                general.append(sentence(message))
        self.show_general(general)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grow_window()
