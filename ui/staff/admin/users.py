"""Accounts and roles: add a user, change a role, reset a forgotten password, set a nurse's kiosk PIN,
deactivate someone who left (their history stays; the last active administrator cannot be removed)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.services.session import Session
from ui.errors import show_error
from ui.i18n import capitalised, tr
from ui.staff.admin.account_dialog import AccountDialog, AccountForm, refusal
from ui.staff.inputs import ROLES
from ui.staff.page import StaffPage
from ui.staff.style import heading_label
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row


def role_text(user: UserRecord) -> str:
    return capitalised(tr(dict(ROLES)[user.role])) if user.role in dict(ROLES) else user.role


USER_COLUMNS: tuple[Column[UserRecord], ...] = (
    Column("admin.users.col.username", lambda u: u.username),
    Column("admin.users.col.full_name", lambda u: u.full_name),
    Column("admin.users.col.role", role_text),
    Column("admin.users.col.state", lambda u: tr("admin.users.active") if u.active else tr("admin.users.inactive"),
           tone=lambda u: None if u.active else "muted"),
    Column("admin.users.col.pin", lambda u: tr("admin.users.pin_set") if u.has_pin else tr("admin.users.pin_none")),
)


class UsersPage(StaffPage):
    title_key = "admin.users.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersPage")
        self.clinic = clinic
        self.user = user
        self.dialog: AccountDialog | None = None
        self.heading = heading_label(self)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.model = RecordTableModel(USER_COLUMNS, self)
        self.table = record_table(self.model, "usersTable", self)
        for column, width in enumerate((160, 240, 200, 130)):
            self.table.setColumnWidth(column, width)
        on_selection(self.table, self._enable)
        self.buttons = {name: QPushButton(self) for name in ("add", "role", "password", "pin", "active")}
        for name, button in self.buttons.items():
            button.setObjectName(f"user_{name}")
        self.buttons["add"].clicked.connect(self.add_user)
        self.buttons["role"].clicked.connect(self.change_role)
        self.buttons["password"].clicked.connect(self.reset_password)
        self.buttons["pin"].clicked.connect(self.set_pin)
        self.buttons["active"].clicked.connect(self.toggle_active)
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.users.title"))
        self.hint.setText(tr("admin.users.hint"))
        self.buttons["add"].setText(tr("admin.users.add"))
        self.buttons["role"].setText(tr("admin.users.change_role"))
        self.buttons["password"].setText(tr("admin.users.reset_password"))
        self.buttons["pin"].setText(tr("admin.users.set_pin"))
        self.model.retranslate()
        self._enable()

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_rows(self.clinic.auth.users())
        if chosen is not None:
            self.select(chosen.username)
        self._enable()

    def selected(self) -> UserRecord | None:
        row = selected_row(self.table)
        return self.model.record(row) if row is not None else None

    def select(self, username: str) -> None:
        for row, record in enumerate(self.model.records()):
            if record.username == username:
                self.table.selectRow(row)
                return

    def _enable(self) -> None:
        chosen = self.selected()
        for name in ("role", "password", "pin", "active"):
            self.buttons[name].setEnabled(chosen is not None)
        active = chosen is None or chosen.active
        self.buttons["active"].setText(tr("admin.users.deactivate") if active else tr("admin.users.reactivate"))

    # --- actions: each a dialog, then one service call ------------------------------------------------

    def _open(self, form: AccountForm, intro: str = "", **values: str) -> AccountDialog:
        self.dialog = AccountDialog(form, self, intro=intro)
        self.dialog.set_values(**values)
        self.dialog.accepted.connect(self._saved)
        self.dialog.open()
        return self.dialog

    def _saved(self) -> None:
        if self.dialog is not None and self.dialog.saved is not None:
            self.refresh()
            self.select(self.dialog.saved.username)

    def add_user(self) -> AccountDialog:
        auth = self.clinic.auth
        return self._open(AccountForm(
            "admin.users.add_title", ("username", "full_name", "role", "password", "repeated"),
            lambda v: auth.add_user(v["username"], v["full_name"], v["role"], v["password"]),  # type: ignore[arg-type]  # form texts and a role from the role box; the core checks them
        ))

    def change_role(self) -> AccountDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        form = AccountForm("admin.users.role_title", ("role",),
                           lambda v: self.clinic.auth.set_role(chosen.username, v["role"]),
                           role=chosen.role)
        return self._open(form, tr("admin.users.for_user", name=chosen.full_name or chosen.username))

    def reset_password(self) -> AccountDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        form = AccountForm("admin.users.password_title", ("password", "repeated"),
                           lambda v: self.clinic.auth.set_password(chosen.username, v["password"]), role=chosen.role)
        return self._open(form, tr("admin.users.password_intro", name=chosen.full_name or chosen.username))

    def set_pin(self) -> AccountDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        form = AccountForm("admin.users.pin_title", ("pin", "pin_repeated"),
                           lambda v: self.clinic.auth.set_pin(chosen.username, v["pin"]), role=chosen.role)
        return self._open(form, tr("admin.users.pin_intro", name=chosen.full_name or chosen.username))

    def toggle_active(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if chosen.active:
            name = chosen.full_name or chosen.username
            answer = QMessageBox.question(self, tr("admin.users.deactivate"),
                                          tr("admin.users.deactivate_confirm", name=name))
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            self.clinic.auth.set_active(chosen.username, not chosen.active)
        except UserError as error:
            show_error(self, UserError(refusal(error)[1]))
            return
        self.refresh()
