"""Which window the staff desktop opens first, and what follows it.

A database nobody has set up opens the first-run wizard; an encrypted one asks its passphrase; any
other opens the window on its sign-in screen (the wizard again if the database has no account yet).
Each step hands over to the next when it is done, so ``--exit-after-start`` can stop at whichever
window comes first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from sijpro.demo.sandbox import demo_database_path
from sijpro.services.clinic import Clinic
from sijpro.services.context import Clock
from sijpro.services.first_run import is_new_database
from sijpro.storage.encryption import file_state
from sijpro.storage.engine import resolve_url, sqlite_path
from ui.kiosk.guard import seconds_from_env
from ui.staff.first_run import FirstRunOutcome, FirstRunWizard
from ui.staff.main_window import StaffWindow
from ui.staff.passphrase import PassphraseDialog

STAFF_ACTOR = "staff"
"""Who the audit trail names until someone signs in (failed sign-ins, for instance)."""
IDLE_VARIABLE = "SIJPRO_STAFF_IDLE_SECONDS"
"""Overrides the clinic's idle-lock setting on one workstation (tests, demonstrations)."""
WINDOW_SIZE = (1280, 800)


class StaffStart(QObject):
    """Opens the first window and keeps the next ones alive (``window`` is the one on screen)."""

    def __init__(self, url: str | None, *, clock: Clock | None = None, demo_path: Path | None = None) -> None:
        super().__init__(QApplication.instance())
        self.url = url
        self.clock = clock
        self.demo_path = demo_path or demo_database_path()
        self.window: QWidget | None = None

    def first_window(self) -> QWidget:
        """The window to show first; raises UserError when the database cannot be opened at all."""
        resolved = resolve_url(self.url)
        where = str(sqlite_path(resolved) or resolved.render_as_string(hide_password=True))
        path = sqlite_path(resolved)
        if is_new_database(self.url):
            return self._keep(self._wizard(self.url, where))
        if path is not None and file_state(path) == "encrypted":
            dialog = PassphraseDialog(self.url, where, actor=STAFF_ACTOR, clock=self.clock)
            dialog.accepted.connect(lambda: self._opened(dialog.clinic))
            return self._keep(dialog)
        return self._keep(self._after_open(Clinic.open(self.url, actor=STAFF_ACTOR, clock=self.clock)))

    def _keep(self, window: QWidget) -> QWidget:
        self.window = window
        return window

    def _wizard(self, url: str | None, where: str) -> FirstRunWizard:
        wizard = FirstRunWizard(url, where, demo_path=self.demo_path, clock=self.clock)
        wizard.completed.connect(self._set_up)
        return wizard

    def _after_open(self, clinic: Clinic) -> QWidget:
        if not clinic.auth.users():
            where = clinic.where
            clinic.close()
            return self._wizard(self.url, where)
        return self.main_window(clinic)

    def _opened(self, clinic: Clinic | None) -> None:
        if clinic is not None:
            self._show(self._after_open(clinic))

    def _set_up(self, outcome: FirstRunOutcome) -> None:
        clinic = Clinic.open(outcome.url, actor=STAFF_ACTOR, clock=self.clock)
        window = self.main_window(clinic)
        window.login.show_notice(outcome.notice_key, **outcome.notice_values)
        window.login.reset(outcome.username)
        self._show(window)

    def _show(self, window: QWidget) -> None:
        self.window = window
        window.show()

    def main_window(self, clinic: Clinic) -> StaffWindow:
        settings = clinic.settings.load()
        idle = seconds_from_env(IDLE_VARIABLE, settings.idle_lock_minutes * 60)
        window = StaffWindow(clinic, clinic_name=settings.name, idle_seconds=idle)
        window.resize(*WINDOW_SIZE)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(clinic.close)
        return window

