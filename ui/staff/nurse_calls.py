"""The staff desk's side of "call a nurse": a discreet notice in the status bar naming the tablet that
asks for a nurse (never the patient, whoever may glance at the screen), with "On my way" to end it.

The desk looks for calls every few seconds (one small query, in the background: a desk whose network
dropped keeps answering while the look waits); a call also ends when a nurse unlocks the tablet that made
it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from sijpro.logs import record_crash
from ui.background import Poll, in_background
from ui.i18n import tr, tr_n

if TYPE_CHECKING:
    from sijpro.services.calls import CallRecord
    from sijpro.services.clinic import Clinic

POLL_MS = 5000
"""How often the desk looks for calls: soon enough for a patient waiting, cheap enough to forget."""


class NurseCallNotice(QFrame):
    refreshed = Signal()
    """The notice shows what the last look found (or the look failed and it kept what it showed)."""

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
        self.poll: Poll[list[CallRecord]] = Poll(self, POLL_MS, self._pending, self._show, self._failed)
        self.hide()

    def attach(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.poll.start()

    def refresh(self) -> None:
        """Look for calls now (in the background); ``refreshed`` tells when the notice shows the answer."""
        if self.clinic is not None:
            self.poll.now()

    def _pending(self) -> list[CallRecord]:
        assert self.clinic is not None
        return self.clinic.calls.pending()

    def _failed(self, error: Exception) -> None:
        record_crash(error)  # the database away: the next look will tell
        self.refreshed.emit()

    def _show(self, calls: list[CallRecord]) -> None:
        """Show the oldest open call (and how many more), or nothing."""
        if not calls:
            self.device = ""
            self.hide()
        else:
            first = calls[0]
            self.device = first.device
            text = tr("staff.nurse_call", device=first.device, time=first.local_time)
            if len(calls) > 1:
                text += " " + tr_n("staff.nurse_call.more", len(calls) - 1, count=len(calls) - 1)
            self.text.setText(text)
            self.answer_button.setText(tr("staff.nurse_call.answer"))
            self.show()
        self.refreshed.emit()

    def _answer(self) -> None:
        clinic, device = self.clinic, self.device
        if clinic is None or not device:
            return
        self.answer_button.setEnabled(False)

        def answered(_: None) -> None:
            self.answer_button.setEnabled(True)
            self.hide()  # this desk's nurse is on the way; the next look shows any other call
            self.refresh()

        def failed(error: Exception) -> None:
            self.answer_button.setEnabled(True)
            record_crash(error)

        in_background(self, lambda: clinic.calls.answer(device), answered, failed)
