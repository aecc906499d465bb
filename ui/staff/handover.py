"""Handing the tablet to a patient: the staff desktop steps aside for the kiosk, then comes back locked.

For one patient (from the worklist or their record) the kiosk opens straight on that patient's
questionnaires, full screen; when the patient submits or stops (or walks away and the kiosk times out),
the kiosk closes and the staff window returns on its sign-in screen, because the person holding the
tablet now may not be the nurse who handed it over. "Kiosk mode" instead opens the kiosk on its locked
screen for the day, and the staff window returns when a nurse leaves the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from sijpro.services.clinic import Clinic
from sijpro.services.session import Session
from ui.i18n import language, set_language
from ui.kiosk.guard import IDLE_SECONDS, PROMPT_SECONDS, seconds_from_env
from ui.kiosk.offline_backend import JournalledBackend, journalled
from ui.kiosk.window import KioskWindow, Mode


class HandOver(QObject):
    """Runs the kiosk over the staff window's open clinic; ``returned`` when the staff window is back."""

    returned = Signal()

    def __init__(self, clinic: Clinic, staff_window: QWidget, *, clinic_name: str = "",
                 show_kiosk: Callable[[QWidget], None] | None = None) -> None:
        super().__init__(staff_window)
        self.clinic = clinic
        self.staff_window = staff_window
        self.clinic_name = clinic_name
        self.show_kiosk = show_kiosk or (lambda window: window.showFullScreen())
        self.kiosk: KioskWindow | None = None
        self._backend: JournalledBackend | None = None
        self._staff_language = language()

    def _make_kiosk(self, *, kiosk_mode: bool, nurse: Session | None = None) -> KioskWindow:
        """The kiosk over the desk's database; ``nurse`` hands it over herself (the trail names what the
        patient answers "kiosk (nurse)"), else nurses unlock it with their PIN."""
        self._staff_language = language()
        if self._backend is None:  # one journal and relay for every hand-over of this desk
            self._backend = journalled(self.clinic)
        self._backend.attend(nurse)
        return KioskWindow(
            self._backend, kiosk_mode=kiosk_mode, clinic_name=self.clinic_name,
            default_language=self._staff_language,
            idle_seconds=seconds_from_env("SIJPRO_KIOSK_IDLE_SECONDS", IDLE_SECONDS),
            prompt_seconds=seconds_from_env("SIJPRO_KIOSK_PROMPT_SECONDS", PROMPT_SECONDS),
            today=lambda: self.clinic.today,
        )

    def to_patient(self, patient_id: int, nurse: Session) -> bool:
        """The tablet to one patient; False (and nothing shown) when nothing is due for them today."""
        kiosk = self._make_kiosk(kiosk_mode=False, nurse=nurse)
        if not kiosk.hand_over(patient_id):
            kiosk.deleteLater()
            set_language(self._staff_language)
            return False
        kiosk.mode_changed.connect(lambda mode: self._back() if mode == Mode.LOCKED.value else None)
        kiosk.installEventFilter(self)
        self._show(kiosk)
        return True

    def kiosk_mode(self) -> None:
        """The kiosk on its locked screen; nurses unlock it with their PIN for each patient."""
        kiosk = self._make_kiosk(kiosk_mode=True)
        kiosk.exit_requested.connect(self._back)
        self._show(kiosk)

    def _show(self, kiosk: KioskWindow) -> None:
        self.kiosk = kiosk
        self.staff_window.hide()
        self.show_kiosk(kiosk)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """A patient's kiosk closed by the window system (it is closable outside kiosk mode) ends it too."""
        if watched is self.kiosk and event.type() == QEvent.Type.Close and event.isAccepted():
            self._back()
        return False

    def _back(self) -> None:
        kiosk, self.kiosk = self.kiosk, None
        if kiosk is None:
            return
        kiosk.removeEventFilter(self)
        kiosk.idle.stop()
        kiosk.idle.detach()
        kiosk.hide()
        kiosk.deleteLater()
        set_language(self._staff_language)
        self.returned.emit()
