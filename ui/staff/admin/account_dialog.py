"""One dialog for every change to an account: a new user, a role, a password, a kiosk PIN.

The dialog collects the values, checks what only a form can (the password typed twice alike, an
administrator's password strong enough), then makes its one service call; a refusal comes back at the
field it concerns and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.services.passwords import password_problem
from ui.errors import problem_words, sentence
from ui.i18n import tr
from ui.staff.form import CheckedForm
from ui.staff.inputs import ROLES, ChoiceBox
from ui.staff.live_text import follow_language

SECRET_FIELDS = {"password", "repeated", "pin", "pin_repeated"}
FIELD_TITLES = {
    "username": "admin.users.field.username", "full_name": "admin.users.field.full_name",
    "role": "admin.users.field.role", "password": "admin.users.field.password",
    "repeated": "admin.users.field.repeated", "pin": "admin.users.field.pin",
    "pin_repeated": "admin.users.field.pin_repeated",
}
ACCOUNT_WORDS = {
    "username_refused": "admin.users.problem.username", "user_exists": "admin.users.problem.taken",
    "password_length": "admin.users.problem.password_length", "pin_rule": "admin.users.problem.pin_rule",
    "last_admin": "admin.users.problem.last_admin",
}
"""The auth service's refusals this dialog words in its own way (by their code); the others as every form."""


@dataclass(frozen=True)
class AccountForm:
    title_key: str
    fields: tuple[str, ...]
    save: Callable[[dict[str, str]], UserRecord]
    """The one service call, given the values by field name."""
    role: str | None = None
    """The role whose password rules apply when the form does not ask for it."""


def refusal(error: UserError) -> tuple[str | None, str]:
    """(the field a refusal is about, or None; the refusal as the user should read it)."""
    problem = error.problem
    if problem is None:
        return None, sentence(str(error))
    key = ACCOUNT_WORDS.get(problem.code)
    return problem.field, tr(key, **problem.params) if key else sentence(problem_words(problem))


class AccountDialog(QDialog):
    def __init__(self, form: AccountForm, parent: QWidget | None = None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("accountDialog")
        self.setMinimumWidth(480)
        self.account_form = form
        self.saved: UserRecord | None = None
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.form = CheckedForm(self)
        self.inputs: dict[str, QLineEdit | ChoiceBox] = {}
        for name in form.fields:
            widget: QLineEdit | ChoiceBox
            if name == "role":
                widget = ChoiceBox(ROLES, value=form.role or "nurse", parent=self)
            else:
                widget = QLineEdit(self)
                if name in SECRET_FIELDS:
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
            widget.setObjectName(f"account_{name}")
            self.inputs[name] = self.form.add(name, FIELD_TITLES[name], widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        follow_language(self, lambda: self.setWindowTitle(tr(form.title_key)))

    def values(self) -> dict[str, str]:
        return {name: str(widget.value()) if isinstance(widget, ChoiceBox) else widget.text()
                for name, widget in self.inputs.items()}

    def set_values(self, **values: str) -> None:
        for name, value in values.items():
            widget = self.inputs[name]
            if isinstance(widget, ChoiceBox):
                widget.set_value(value)
            else:
                widget.setText(value)

    def _form_problems(self, values: dict[str, str]) -> dict[str, str]:
        problems: dict[str, str] = {}
        role = values.get("role", self.account_form.role)
        if "password" in values and role == "admin":
            weakness = password_problem(values["password"], values.get("username", ""))
            if weakness:
                problems["password"] = tr("admin.users.problem.admin_password", problem=problem_words(weakness))
        if "repeated" in values and "password" not in problems and values["password"] != values["repeated"]:
            problems["repeated"] = tr("admin.users.problem.passwords_differ")
        if "pin_repeated" in values and values["pin"] != values["pin_repeated"]:
            problems["pin_repeated"] = tr("admin.users.problem.pins_differ")
        if "full_name" in values and not values["full_name"].strip():
            problems["full_name"] = tr("admin.users.problem.required")
        return problems

    def save(self) -> None:
        values = self.values()
        self.form.clear()
        problems = self._form_problems(values)
        for name, message in problems.items():
            self.form.set_problem(name, message)
        if problems:
            self.inputs[next(iter(problems))].setFocus()
            self.form.grow_window()
            return
        try:
            self.saved = self.account_form.save(values)
        except UserError as error:
            field, message = refusal(error)
            if field in self.inputs:
                self.form.set_problem(field, message)
                self.inputs[field].setFocus()
            else:
                self.form.show_general([message])
            self.form.grow_window()  # a problem that wraps onto two lines is shown whole
            return
        self.accept()
