"""The sign-in screen: who is at the desk, checked by the auth service (which also locks out guessers).

The same screen comes back when the session locks (idle time, a hand-over to the kiosk): the window
behind it keeps its state for the same user, and shows nothing until someone signs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from ui.errors import sentence
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, choose_language, language, tr
from ui.staff.live_text import follow_language
from ui.staff.style import error_label

if TYPE_CHECKING:
    from sijpro.services.clinic import Clinic


class LanguageBox(QComboBox):
    """English / Français, each named in itself; switching changes every open screen at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageBox")
        for code in LANGUAGES:
            self.addItem(LANGUAGE_NAMES[code], code)
        self.currentIndexChanged.connect(lambda _i: choose_language(str(self.currentData())))
        follow_language(self, self._follow)

    def _follow(self) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(language())))
        self.blockSignals(False)
        self.setToolTip(tr("staff.menu.language"))


class LoginPage(QWidget):
    signed_in = Signal(object)
    """The UserRecord of whoever signed in."""

    def __init__(self, clinic: Clinic | None, clinic_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self.clinic = clinic
        self.clinic_name = clinic_name
        self._notice_key = ""
        self._notice_values: dict[str, object] = {}
        panel = self._panel()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        follow_language(self, self.retranslate)
        self.sign_in_button.setEnabled(clinic is not None)
        self.show_notice("")

    def _panel(self) -> QFrame:
        panel = QFrame(self)
        panel.setObjectName("loginPanel")
        panel.setMaximumWidth(520)
        self.title = QLabel(panel)
        self.title.setProperty("role", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel(panel)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice = QLabel(panel)
        self.notice.setObjectName("loginNotice")
        self.notice.setProperty("role", "notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.username = QLineEdit(panel)
        self.username.setObjectName("loginUsername")
        self.password = QLineEdit(panel)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = error_label(panel)
        self.message.setObjectName("loginMessage")
        self.sign_in_button = QPushButton(panel)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_sign_in)
        self.language_box = LanguageBox(panel)
        self.form = QFormLayout()
        self.username_label, self.password_label = QLabel(panel), QLabel(panel)
        self.form.addRow(self.username_label, self.username)
        self.form.addRow(self.password_label, self.password)

        box = QVBoxLayout(panel)
        box.setContentsMargins(32, 28, 32, 28)
        box.setSpacing(12)
        box.addWidget(self.title)
        box.addWidget(self.subtitle)
        box.addWidget(self.notice)
        box.addLayout(self.form)
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.language_box)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        box.addLayout(buttons)
        return panel

    def attach(self, clinic: Clinic, clinic_name: str) -> None:
        """The database is open: sign-in is possible from now on."""
        self.clinic = clinic
        self.clinic_name = clinic_name
        self.sign_in_button.setEnabled(True)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.clinic_name or tr("common.app_name"))
        self.subtitle.setText(tr("staff.login.subtitle"))
        self.username_label.setText(tr("staff.login.username"))
        self.password_label.setText(tr("staff.login.password"))
        self.sign_in_button.setText(tr("staff.login.sign_in"))
        self.notice.setText(tr(self._notice_key, **self._notice_values) if self._notice_key else "")
        self.notice.setVisible(bool(self._notice_key))

    def show_notice(self, key: str, **values: object) -> None:
        """A standing note above the fields (the session locked, the demo's accounts), by its key."""
        self._notice_key, self._notice_values = key, values
        self.retranslate()

    def reset(self, username: str = "") -> None:
        """Ready for the next sign-in: password cleared, focus where typing starts."""
        self.username.setText(username)
        self.password.clear()
        self.message.hide()
        (self.password if username else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def try_sign_in(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        self.password.clear()
        if not username or not password:
            self._refuse(tr("staff.login.missing"))
            return
        if self.clinic is None:
            return
        from sijpro.services.auth import LOCK_MINUTES, MAX_FAILURES, AuthError

        try:
            user = self.clinic.auth.authenticate(username, password)
        except AuthError:
            self._refuse(tr("staff.login.wrong", attempts=MAX_FAILURES, minutes=LOCK_MINUTES))
            return
        except UserError as error:
            self._refuse(sentence(str(error)))
            return
        self.message.hide()
        self.signed_in.emit(user)

    def _refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
