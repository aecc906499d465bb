"""The staff desk's side of "call a nurse": a discreet notice in the status bar naming the tablet that
asks for a nurse (never the patient, whoever may glance at the screen), with "On my way" to end it.

The desk looks for calls every few seconds (one small query); a call also ends when a nurse unlocks the
tablet that made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from sijpro.crashlog import record_crash
from ui.i18n import tr

if TYPE_CHECKING:
    from sijpro.services.clinic import Clinic

POLL_MS = 5000
"""How often the desk looks for calls: soon enough for a patient waiting, cheap enough to forget."""


class NurseCallNotice(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nurseCall")
        self.setStyleSheet("QFrame#nurseCall { background: #fff3c4; border: 2px solid #8a6d00; border-radius: 6px; }"
                           "QFrame#nurseCall QLabel { color: #000000; font-weight: bold; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        self.text = QLabel(self)
        self.answer_button = QPushButton(self)
        self.answer_button.clicked.connect(self._answer)
        row.addWidget(self.text, 1)
        row.addWidget(self.answer_button)
        self.clinic: Clinic | None = None
        self.device = ""
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.hide()

    def attach(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Show the oldest open call (and how many more), or nothing."""
        if self.clinic is None:
            return
        try:
            calls = self.clinic.calls.pending()
        except Exception as error:  # the database away: the next look will tell
            record_crash(error)
            return
        if not calls:
            self.device = ""
            self.hide()
            return
        first = calls[0]
        self.device = first.device
        text = tr("staff.nurse_call", device=first.device, time=first.local_time)
        if len(calls) > 1:
            text += " " + tr("staff.nurse_call.more", count=len(calls) - 1)
        self.text.setText(text)
        self.answer_button.setText(tr("staff.nurse_call.answer"))
        self.show()

    def _answer(self) -> None:
        if self.clinic is not None and self.device:
            try:
                self.clinic.calls.answer(self.device)
            except Exception as error:
                record_crash(error)
        self.refresh()
