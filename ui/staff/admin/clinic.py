"""The clinic's own settings: the name on every screen and PDF header, how soon an idle desk locks, the
country, the letterhead, and the address of the at-home web app that invitation links start with.

They are the clinic's, not the workstation's (every desk and tablet of a shared database follows them),
and each change is an audit event. Saved settings apply at once to this window; other workstations take
them at their next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget

from sijpro.records import UserRecord
from sijpro.services.clinic_settings import IDLE_MINUTES_RANGE, MAX_NAME, MAX_WEB_ADDRESS, ClinicSettings
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.admin.messages import message_label, say
from ui.staff.form import CheckedForm
from ui.staff.page import StaffPage
from ui.staff.style import heading_label, push_button


class ClinicPage(StaffPage):
    title_key = "admin.clinic.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clinicPage")
        self.clinic = clinic
        self.user = user
        self.heading = heading_label(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.result = message_label(self, "clinicResult", "notice")
        self.form = CheckedForm(self)
        self.name = self.form.add("name", "admin.clinic.name", QLineEdit())
        self.name.setObjectName("clinicName")
        self.name.setMaxLength(MAX_NAME + 1)  # one more, so an over-long paste is named rather than cut
        self.name.setMinimumWidth(420)
        self.idle_minutes = self.form.add("idle_lock_minutes", "admin.clinic.idle", QSpinBox())
        self.idle_minutes.setObjectName("clinicIdleMinutes")
        self.idle_minutes.setRange(*IDLE_MINUTES_RANGE)
        self.idle_minutes.setMaximumWidth(140)
        self.country = self.form.add("country", "admin.clinic.country", QLineEdit())
        self.country.setObjectName("clinicCountry")
        self.country.setMaxLength(2)
        self.country.setMaximumWidth(80)
        self.address = self.form.add("address", "admin.clinic.address", QPlainTextEdit())
        self.address.setObjectName("clinicAddress")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(96)
        self.address.setMinimumWidth(420)
        self.phone = self.form.add("phone", "admin.clinic.phone", QLineEdit())
        self.phone.setObjectName("clinicPhone")
        self.phone.setMaximumWidth(240)
        self.web_address = self.form.add("web_address", "admin.clinic.web_address", QLineEdit())
        self.web_address.setObjectName("clinicWebAddress")
        self.web_address.setMaxLength(MAX_WEB_ADDRESS + 1)
        self.web_address.setMinimumWidth(420)
        self.save_button = push_button(self, self.save, "clinicSave")
        self.name.textEdited.connect(lambda _text: say(self.result, ""))
        self.idle_minutes.valueChanged.connect(lambda _value: say(self.result, ""))
        self._lay_out()
        self.retranslate()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form_row = QHBoxLayout()
        form_row.addWidget(self.form)
        form_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(form_row)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.clinic.title"))
        self.intro.setText(tr("admin.clinic.intro"))
        self.idle_minutes.setSuffix(tr("admin.clinic.minutes_suffix"))
        self.web_address.setPlaceholderText("https://prom.example.org")
        self.save_button.setText(tr("admin.clinic.save"))

    def refresh(self) -> None:
        """Start from what the database holds (another admin may have changed it)."""
        settings = self.clinic.settings.load()
        self.name.setText(settings.name)
        self.idle_minutes.setValue(settings.idle_lock_minutes)
        self.country.setText(settings.country)
        self.address.setPlainText(settings.address)
        self.phone.setText(settings.phone)
        self.web_address.setText(settings.web_address)
        self.form.clear()
        say(self.result, "")

    def save(self) -> ClinicSettings | None:
        wanted = ClinicSettings(name=self.name.text(), idle_lock_minutes=self.idle_minutes.value(),
                                country=self.country.text(), address=self.address.toPlainText(),
                                phone=self.phone.text(), web_address=self.web_address.text())
        saved = self.form.submit(self, lambda: self.clinic.settings.save(wanted))
        if saved is None:
            return None
        self.name.setText(saved.name)
        self.country.setText(saved.country)
        self.address.setPlainText(saved.address)
        self.phone.setText(saved.phone)
        self.web_address.setText(saved.web_address)
        say(self.result, tr("admin.clinic.saved", minutes=saved.idle_lock_minutes), "notice")
        self.clinic_settings_changed.emit(saved)
        return saved
