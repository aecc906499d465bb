"""Asking for the passphrase of an encrypted database before anything else opens.

The dialog makes the one call that matters (open the clinic with this passphrase): a wrong passphrase
is said at the field and asked again; nothing of the database is read before it is right.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from sijpro.errors import PassphraseError, UserError
from ui.errors import sentence
from ui.i18n import tr
from ui.staff.form import grow_to_fit
from ui.staff.live_text import follow_language
from ui.staff.style import error_label, staff_stylesheet

if TYPE_CHECKING:
    from sijpro.services.clinic import Clinic
    from sijpro.services.context import Clock


class PassphraseDialog(QDialog):
    def __init__(self, url: str | None, where: str, *, actor: str, clock: Clock | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setStyleSheet(staff_stylesheet())
        self.url = url
        self.where = where
        self.actor = actor
        self.clock = clock
        self.clinic: Clinic | None = None
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = error_label(self)
        self.message.setObjectName("passphraseMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        follow_language(self, self.retranslate)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("staff.passphrase.title"))
        self.text.setText(tr("staff.passphrase.text", where=self.where))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        grow_to_fit(self)

    def accept(self) -> None:
        from sijpro.services.clinic import Clinic

        secret = self.passphrase.text()
        self.passphrase.clear()
        try:
            self.clinic = Clinic.open(self.url, actor=self.actor, clock=self.clock, passphrase=secret)
        except PassphraseError:
            self._say(tr("staff.passphrase.wrong") if secret else tr("staff.passphrase.missing"))
            self.passphrase.setFocus()
            return
        except UserError as error:
            self._say(sentence(str(error)))
            return
        super().accept()
