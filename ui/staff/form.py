"""Forms that show each problem at its field.

The core reports bad input as "field 'name': what is wrong" (``InputErrors``) and refusals as plain
sentences. ``CheckedForm`` puts each field's problem in red under that field, the rest above the form,
and moves the focus to the first field to fix. The core's usual problems are shown in the user's
language (``PROBLEMS``); anything else keeps the core's own words rather than being hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QVBoxLayout, QWidget

from sijpro.errors import ConflictError, InputErrors, UserError
from ui.errors import sentence, show_error
from ui.i18n import tr
from ui.staff.inputs import FieldProblem
from ui.staff.live_text import follow_language
from ui.staff.style import error_label

W = TypeVar("W", bound=QWidget)
T = TypeVar("T")
V = TypeVar("V")
FIELD_PROBLEM = re.compile(r"^field '(?P<field>[\w.]+)': (?P<message>.*)$", re.DOTALL)

PROBLEMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^required$"), lambda m: tr("staff.problem.required")),
    (re.compile(r"^MRN (?P<mrn>.+?) is already registered(?: to another patient)? \(as (?P<held>.+)\)$"),
     lambda m: tr("staff.problem.mrn_taken_as", mrn=m["mrn"], held=m["held"])),
    (re.compile(r"^MRN (?P<mrn>.+) is already registered"), lambda m: tr("staff.problem.mrn_taken", mrn=m["mrn"])),
    (re.compile(r"^(?P<bad>.+) not allowed \(letters, digits, '-', '_', '\.' and '/' only\)$"),
     lambda m: tr("staff.problem.mrn_characters", bad=m["bad"])),
    (re.compile(r"^may not start with '-'"), lambda m: tr("staff.problem.mrn_formula")),
    (re.compile(r"is not a BMI between (?P<low>[\d.]+) and (?P<high>[\d.]+)$"),
     lambda m: tr("staff.problem.bmi_range", low=m["low"], high=m["high"])),
    (re.compile(r"is not a plausible birth date$"), lambda m: tr("staff.problem.birth_date")),
    (re.compile(r"is not a count between 0 and (?P<high>\d+)$"),
     lambda m: tr("staff.problem.count_range", high=m["high"])),
    (re.compile(r"^longer than (?P<limit>\d+) characters$"), lambda m: tr("staff.problem.too_long", limit=m["limit"])),
    (re.compile(r"needs side 'bilateral'$"), lambda m: tr("staff.problem.staged_needs_bilateral")),
    (re.compile(r"^must be after the surgery date$"), lambda m: tr("staff.problem.second_side_after")),
    (re.compile(r"^use 2 to 64 lower-case"), lambda m: tr("staff.problem.username_rule")),
    (re.compile(r"^use at least (?P<count>\d+) characters$"),
     lambda m: tr("staff.problem.password_length", count=m["count"])),
    (re.compile(r"^mix at least two kinds"), lambda m: tr("staff.problem.password_kinds")),
    (re.compile(r"^do not put the username"), lambda m: tr("staff.problem.password_username")),
    (re.compile(r"^the two passwords differ$"), lambda m: tr("staff.problem.passwords_differ")),
    (re.compile(r"^a reason is required"), lambda m: tr("staff.problem.reason_required")),
    (re.compile(r"has no visit open to answering today"), lambda m: tr("staff.problem.invite_no_visit")),
    (re.compile(r"^the address of the at-home web app is not set"), lambda m: tr("staff.problem.invite_no_web")),
    (re.compile(r"has no birth date recorded: the at-home link"), lambda m: tr("staff.problem.invite_no_birth")),
    (re.compile(r"^cannot reach the database (?P<where>\S+): the server name (?P<host>\S+) is not known"),
     lambda m: tr("staff.problem.unknown_host", where=m["where"], host=m["host"])),
    (re.compile(r"^questionnaires were answered on this surgery's schedule \((?P<tps>[^)]+)\)"),
     lambda m: tr("staff.problem.withdraw_answered", timepoints=m["tps"])),
    (re.compile(r"is not an e-mail address"), lambda m: tr("staff.problem.email")),
    (re.compile(r"give the number with its country code"), lambda m: tr("staff.problem.phone_country")),
    (re.compile(r"is not a (?:valid )?phone number"), lambda m: tr("staff.problem.phone")),
    (re.compile(r"^the preferred channel is (?P<channel>\w+), so"), lambda m: tr("staff.problem.channel_needs")),
    (re.compile(r"needs the patient's consent"), lambda m: tr("staff.problem.channel_consent")),
    (re.compile(r"^(?P<day>[\d-]+) is in the future$"), lambda m: tr("staff.problem.future_date", day=m["day"])),
    (re.compile(r"^a baseline form is filled in before the surgery \((?P<day>[\d-]+)\)$"),
     lambda m: tr("staff.problem.baseline_form_date", surgery=m["day"])),
    (re.compile(r"^a follow-up form is filled in after the surgery \((?P<day>[\d-]+)\)$"),
     lambda m: tr("staff.problem.follow_up_form_date", surgery=m["day"])),
)
FIELD_OF_REFUSAL = ((re.compile(r"^MRN .+ is already registered"), "mrn"),
                    (re.compile(r"^a reason is required"), "reason"))
"""Refusals that are not worded "field '...'" but still belong to one field."""


def translated(message: str) -> str:
    """The core's problem in the user's language when it is a usual one, else its own words."""
    for pattern, text in PROBLEMS:
        match = pattern.search(message)
        if match:
            return text(match)
    return message


def problems_by_field(error: UserError) -> tuple[dict[str, str], list[str]]:
    """({field: message}, [messages about no one field]) of a refusal."""
    fields: dict[str, str] = {}
    general: list[str] = []
    for problem in error.problems if isinstance(error, InputErrors) else [str(error)]:
        match = FIELD_PROBLEM.match(problem)
        if match:
            fields.setdefault(match["field"], translated(match["message"]))
            continue
        owner = next((name for pattern, name in FIELD_OF_REFUSAL if pattern.search(problem)), None)
        if owner is not None:
            fields.setdefault(owner, translated(problem))
        else:
            general.append(sentence(translated(problem)))
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
