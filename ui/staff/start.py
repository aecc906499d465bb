"""Which window the staff desktop opens first, and what follows it.

A database nobody has set up opens the first-run wizard; an encrypted one asks its passphrase (unless
``$SIJPRO_PASSPHRASE`` gives it); any other
opens the window on its sign-in screen (the wizard instead if the database turns out to have no account).
The first window is chosen from the file alone and shown before the database layers load: the database
is opened right after, in the event loop, while the person at the desk starts typing their name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from sijpro.errors import UserError
from sijpro.services.places import PASSPHRASE_VARIABLE, database_text, file_state, local_database_file
from ui.autobackup import back_up_around
from ui.errors import show_error
from ui.first_paint import when_painted
from ui.staff.main_window import STAFF_ACTOR, StaffWindow, idle_seconds

if TYPE_CHECKING:  # each loads when its window is needed: most starts are a sign-in
    from sijpro.services.clinic import Clinic
    from sijpro.services.context import Clock
    from ui.staff.first_run import FirstRunOutcome, FirstRunWizard

WINDOW_SIZE = (1280, 800)
FRAME_ROOM = (40, 80)
"""Room a window manager's frame, title bar and panels take around a window."""


def fits_screen(available: tuple[int, int]) -> bool:
    """Whether the usual window (with its frame) fits the screen's free area; else it opens maximised, so
    a 1366x768 laptop shows the bottom buttons instead of hiding them below the screen."""
    return all(size + room <= free for size, room, free in zip(WINDOW_SIZE, FRAME_ROOM, available, strict=True))


def size_to_screen(window: QWidget) -> None:
    """The usual size where the screen has room for it, maximised where it has not."""
    screen = window.screen() or QApplication.primaryScreen()
    free = screen.availableGeometry() if screen is not None else None
    if free is None or fits_screen((free.width(), free.height())):
        window.resize(*WINDOW_SIZE)
    else:
        window.resize(min(WINDOW_SIZE[0], free.width()), min(WINDOW_SIZE[1], free.height()))
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


class StaffStart(QObject):
    """Opens the first window and the ones after it; ``window`` is the one on screen, ``exit_status`` 1
    once the database could not be opened."""

    def __init__(self, url: str | None, *, clock: Clock | None = None, demo_path: Path | None = None,
                 on_failure: Callable[[UserError], None] | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(QApplication.instance())
        self.url = url
        self.clock = clock
        self.demo_path = demo_path
        self.on_failure = on_failure or self._tell_and_quit
        self.on_ready = on_ready
        """Called once a database is open behind the sign-in screen (benchmarks time it)."""
        self.window: QWidget | None = None
        self.exit_status = 0

    def first_window(self) -> QWidget:
        """The window to show first. A server database is opened here (raising UserError when it cannot
        be); a database file is opened once the window shows."""
        path = local_database_file(self.url)
        if path is None:
            return self._keep(self._server_window())
        state = file_state(path)
        if state in {"missing", "empty"}:
            return self._keep(self._wizard(str(path)))
        if state == "encrypted" and os.environ.get(PASSPHRASE_VARIABLE):
            window = self._new_window()
            QTimer.singleShot(0, lambda: self._open_into(window, os.environ[PASSPHRASE_VARIABLE]))
            return self._keep(window)
        if state == "encrypted":
            from ui.staff.passphrase import PassphraseDialog

            dialog = PassphraseDialog(self.url, str(path), actor=STAFF_ACTOR, clock=self.clock)
            dialog.accepted.connect(lambda: self._opened(dialog.clinic))
            return self._keep(dialog)
        window = self._new_window()
        if self.on_ready is None:
            when_painted(window, lambda: self._open_into(window))
        else:  # a start that reports and quits (--exit-after-start): opening is part of what it checks
            QTimer.singleShot(0, lambda: self._open_into(window))
        return self._keep(window)

    def _keep(self, window: QWidget) -> QWidget:
        self.window = window
        return window

    def _server_window(self) -> QWidget:
        from sijpro.services.clinic import Clinic
        from sijpro.services.first_run import is_new_database

        if is_new_database(self.url):
            return self._wizard(database_text(self.url))
        return self._after_open(Clinic.open(self.url, actor=STAFF_ACTOR, clock=self.clock))

    def _open_into(self, window: StaffWindow, passphrase: str | None = None) -> None:
        from sijpro.services.clinic import Clinic

        try:
            clinic = Clinic.open(self.url, actor=STAFF_ACTOR, clock=self.clock, passphrase=passphrase)
        except UserError as error:
            self.exit_status = 1
            self.on_failure(error)
            return
        if not clinic.auth.has_accounts():
            self._no_account(clinic, window)
            return
        self._attach(window, clinic)

    def _no_account(self, clinic: Clinic, window: QWidget) -> None:
        where = clinic.where
        clinic.close()
        wizard = self._wizard(where)
        self._show(wizard)
        window.close()

    def _tell_and_quit(self, error: UserError) -> None:
        show_error(self.window, error)
        QApplication.exit(1)

    def _wizard(self, where: str) -> FirstRunWizard:
        from ui.staff.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.url, where, demo_path=self.demo_path, clock=self.clock)
        wizard.completed.connect(self._set_up)
        return wizard

    def _after_open(self, clinic: Clinic) -> QWidget:
        if not clinic.auth.has_accounts():
            where = clinic.where
            clinic.close()
            return self._wizard(where)
        return self._attach(self._new_window(), clinic)

    def _opened(self, clinic: Clinic | None) -> None:
        if clinic is not None:
            self._show(self._after_open(clinic))

    def _set_up(self, outcome: FirstRunOutcome) -> None:
        from sijpro.services.clinic import Clinic

        clinic = Clinic.open(outcome.url, actor=STAFF_ACTOR, clock=self.clock)
        window = self._attach(self._new_window(), clinic)
        window.login.show_notice(outcome.notice_key, **outcome.notice_values)
        window.login.reset(outcome.username)
        self._show(window)

    def _show(self, window: QWidget) -> None:
        self.window = window
        window.show()

    def _new_window(self) -> StaffWindow:
        window = StaffWindow()
        size_to_screen(window)
        return window

    def _attach(self, window: StaffWindow, clinic: Clinic) -> StaffWindow:
        settings = clinic.settings.load()
        window.attach(clinic, clinic_name=settings.name, idle_seconds=idle_seconds(settings.idle_lock_minutes))
        back_up_around(clinic)
        if self.on_ready is not None:
            self.on_ready()
        return window
