"""The automatic backups the backups service expects from the GUI: the day's one when a database opens,
another when the app quits. A backup that fails is reported and logged, but never keeps the kiosk or
the desk from working (a full disk must not stop patients answering)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from sijpro.logs import record_crash
from ui.application import application

if TYPE_CHECKING:
    from sijpro.services.clinic import Clinic


def backup_or_warn(take: Callable[[Clinic], object], clinic: Clinic) -> None:
    try:
        take(clinic)
    except Exception as error:  # reported, never fatal
        record_crash(error)
        print(f"sijpro: automatic backup failed: {error}", file=sys.stderr)


def back_up_around(clinic: Clinic, window: QWidget | None = None) -> None:
    """Take the day's backup now, or once ``window`` has painted (the kiosk: its locked screen is up
    before the day's verify and copy run, and at the latest when the app quits); take the closing one,
    then close the clinic, when the app quits."""
    from sijpro.services import backups

    pending = [True]

    def daily() -> None:
        if pending:
            pending.clear()
            backup_or_warn(backups.on_open, clinic)

    if window is None:
        daily()
    else:
        from ui.first_paint import when_painted

        when_painted(window, daily)

    def closing() -> None:
        daily()
        backup_or_warn(backups.on_close, clinic)
        clinic.close()

    application().aboutToQuit.connect(closing)
