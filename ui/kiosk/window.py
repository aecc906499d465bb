"""The kiosk window: locked until a nurse unlocks it, then one patient's run, then locked again.

In kiosk mode the window cannot be closed (close, Alt+F4 and Escape do nothing); only a nurse who has
unlocked it can leave. Idle time locks it: a nurse screen at once (it lists patients), a patient's run
after asking "Are you still there?". Locking drops every screen that showed a patient.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QLayout, QStackedWidget, QVBoxLayout, QWidget

from sijpro.errors import UserError
from sijpro.logs import record_crash
from sijpro.records import UserRecord
from sijpro.services.auth import AuthError
from sijpro.services.claims import VisitClaimed
from ui.i18n import set_language, tr
from ui.kiosk.backend import KioskBackend
from ui.kiosk.flow import QuestionnaireFlow, StepKind, visit_ids
from ui.kiosk.guard import IDLE_SECONDS, PROMPT_SECONDS, IdleWatch, Overlay, still_there_text
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.runner import SETTLE_SECONDS, KioskRunner
from ui.kiosk.screens import KioskScreen
from ui.kiosk.staff_screens import LockedScreen, NurseScreen, UnlockScreen, show_waiting
from ui.kiosk.style import metrics_for, stylesheet


def refusal_detail(error: AuthError) -> str:
    """What an unlock refusal adds to "wrong PIN or password", in the tablet's language."""
    if error.code == "pin_wait":
        return tr("kiosk.unlock.refused.pin_wait", seconds=error.params.get("seconds", 0))
    if error.code == "pin_shared":
        return tr("kiosk.unlock.refused.pin_shared")
    if error.code == "locked" and "minutes" in error.params:
        return tr("kiosk.unlock.refused.locked", minutes=error.params["minutes"])
    return ""


class Mode(enum.Enum):
    LOCKED = "locked"
    UNLOCK = "unlock"
    NURSE = "nurse"
    PATIENT = "patient"


class KioskWindow(QWidget):
    """Locked screen, nurse unlock, patient choice and the runner, in one window."""

    mode_changed = Signal(str)
    exit_requested = Signal()
    """A nurse chose to leave the kiosk (the app quits, or the staff desktop takes over)."""

    def __init__(self, backend: KioskBackend, *, kiosk_mode: bool = True, clinic_name: str = "",
                 default_language: str = "en", idle_seconds: float = IDLE_SECONDS,
                 prompt_seconds: float = PROMPT_SECONDS, today: Callable[[], dt.date] = dt.date.today,
                 settle_seconds: float = SETTLE_SECONDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(tr("common.app_name"))
        self.backend = backend
        self.kiosk_mode = kiosk_mode
        self.clinic_name = clinic_name
        self.default_language = default_language
        self.prompt_seconds = prompt_seconds
        self.settle_seconds = settle_seconds
        self._call_time: str | None = None
        """When a patient at this tablet called a nurse (HH:MM), until a nurse unlocks it."""
        self.today = today
        self.staff: UserRecord | None = None
        self.runner: KioskRunner | None = None
        self.nurse_screen: NurseScreen | None = None
        self._may_close = not kiosk_mode
        self._styled_for: tuple[QSize, str] | None = None
        self._overlay_styled_for: tuple[QSize, int, str] | None = None
        self.mode = Mode.LOCKED

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack)
        set_language(default_language)
        self.locked_screen = LockedScreen(clinic_name, backend.device)
        self.unlock_screen = UnlockScreen()
        self._build_static_screens()
        self.overlay = Overlay(self)
        self.idle = IdleWatch(idle_seconds, self)
        self.idle.idle.connect(self._on_idle)
        self.waiting_timer = QTimer(self)  # the nurse's count of answers waiting for the database
        self.waiting_timer.setInterval(1000)
        self.waiting_timer.timeout.connect(self._show_waiting)
        self.waiting_timer.start()
        self._apply_style()
        self._set_mode(Mode.LOCKED, self.locked_screen)

    # --- states -------------------------------------------------------------------------------------

    def _set_mode(self, mode: Mode, page: QWidget) -> None:
        self.mode = mode
        self.stack.setCurrentWidget(page)
        if mode is Mode.LOCKED:
            self.idle.stop()
        else:
            self.idle.start()
        self.mode_changed.emit(mode.value)

    def lock(self, notice: str = "") -> None:
        """Back to the locked screen; any patient or staff screen is destroyed, saved answers stay.

        The visits the tablet held are given back, so another tablet may resume them at once. ``notice``
        is a word for the nurse on the locked screen (the tablet went to the wrong person).
        """
        self.overlay.dismiss()
        self.stack.setEnabled(True)
        self.staff = None
        if self.runner is not None:
            self._release(self.runner.flow)
        for page in (self.runner, self.nurse_screen):
            if page is not None:
                self.stack.removeWidget(page)
                page.deleteLater()
        self.runner = None
        self.nurse_screen = None
        self._apply_style("standard")
        self.unlock_screen.reset()
        set_language(self.default_language)
        self._build_static_screens()
        self.locked_screen.show_notice(notice)
        self.locked_screen.show_call(self._call_time)  # known here: locking never waits on the network
        self._set_mode(Mode.LOCKED, self.locked_screen)

    def show_unlock(self) -> None:
        self.unlock_screen.reset()
        self._set_mode(Mode.UNLOCK, self.unlock_screen)
        self.unlock_screen.secret.setFocus()

    def try_unlock(self, username: str, secret: str) -> None:
        try:
            user = self.backend.unlock(username or None, secret) if secret else None
        except AuthError as error:  # worded here, in the tablet's language
            self.unlock_screen.refused(refusal_detail(error))
            return
        except UserError as error:
            self.unlock_screen.refused(str(error))
            return
        if user is None:
            self.unlock_screen.refused()
            return
        self.staff = user
        if self._call_time:  # the nurse is here: the tablet's call is answered
            self._call_time = None
            try:
                self.backend.answer_call()
            except Exception as error:
                record_crash(error)
        self.show_nurse()

    def _show_waiting(self) -> None:
        """The locked and the nurse's screens say how many answers wait for the database."""
        screens = {Mode.NURSE: self.nurse_screen, Mode.LOCKED: self.locked_screen}
        screen = screens.get(self.mode)
        if screen is None:
            return
        try:
            show_waiting(screen.waiting, self.backend.waiting_answers())
        except Exception as error:  # a count is a convenience: never let it stop the kiosk
            record_crash(error)

    def show_nurse(self, notice: str = "") -> None:
        """The patient choice, rebuilt from the database so it is never stale."""
        if self.staff is None:
            self.lock()
            return
        today = self.today()
        screen = NurseScreen(self.staff.full_name or self.staff.username, self.backend.due_patients(today),
                             self.backend.unfinished(), can_exit=self.kiosk_mode)
        screen.hand_over.connect(self.hand_over)
        screen.take_over.connect(self._confirm_take_over)
        screen.lock_requested.connect(self.lock)
        screen.exit_requested.connect(self.leave)
        if self.nurse_screen is not None:
            self.stack.removeWidget(self.nurse_screen)
            self.nurse_screen.deleteLater()
        self.nurse_screen = screen
        self.stack.addWidget(screen)
        screen.show_notice(notice)
        self._show_waiting()
        self._set_mode(Mode.NURSE, screen)
        screen.search.setFocus()

    def hand_over(self, patient_id: int, *, take_over: bool = False) -> bool:
        """Give the tablet to one patient for their due questionnaires (the staff desktop calls this too).

        The visits are claimed for this tablet first. Returns False, and says why on the nurse screen,
        when nothing is due for them today or another tablet is answering the visit (the nurse may then
        take it over, with ``take_over``).
        """
        planned = self.backend.hand_over(patient_id, self.today())
        if not planned:
            self._notice(tr("kiosk.nurse.nothing_due"))
            return False
        try:
            self.backend.claim(visit_ids(planned), take_over=take_over)
        except VisitClaimed as refused:
            self._notice(tr("kiosk.nurse.claimed", device=refused.holder.device,
                            since=refused.holder.local_time))
            if self.nurse_screen is not None:
                self.nurse_screen.offer_take_over(patient_id, refused.holder.device)
            return False
        except UserError as error:
            self._notice(str(error))
            return False
        patient = self.backend.patient(patient_id)
        flow = QuestionnaireFlow(self.backend, planned)
        runner = KioskRunner(flow, patient,
                             remember_language=lambda code: self.backend.remember_language(patient_id, code),
                             settle_seconds=self.settle_seconds)
        runner.finished.connect(self.lock)
        runner.stopped.connect(self.lock)
        runner.wrong_person.connect(lambda: self.lock(tr("kiosk.locked.not_me")))
        runner.contrast_changed.connect(self._apply_style)
        runner.text_step_changed.connect(lambda _step: self._style_overlay())
        runner.call_requested.connect(self._call_nurse)
        runner.stop_confirm = self._confirm_stop
        if self.nurse_screen is not None:
            self.stack.removeWidget(self.nurse_screen)
            self.nurse_screen.deleteLater()
            self.nurse_screen = None
        self.staff = None
        self.runner = runner
        self.stack.addWidget(runner)
        self._apply_style(runner.contrast)
        self._set_mode(Mode.PATIENT, runner)
        runner.fit_screen()
        return True

    def _call_nurse(self) -> None:
        try:
            self.backend.call_nurse()
        except Exception as error:  # the database away: the patient is told to wave instead
            record_crash(error)
            if self.runner is not None and isinstance(self.runner.page, QuestionScreen):
                self.runner.page.show_error(tr("kiosk.call.failed"))
            return
        self._call_time = self._call_time or dt.datetime.now().strftime("%H:%M")
        if self.runner is not None:
            self.runner.show_nurse_called()

    def _notice(self, text: str) -> None:
        if self.nurse_screen is not None:
            self.nurse_screen.show_notice(text)

    def _confirm_take_over(self, patient_id: int, device: str) -> None:
        """Taking a visit from another tablet is a deliberate act: asked, then audited by the core."""
        self.stack.setEnabled(False)

        def take() -> None:
            self.stack.setEnabled(True)
            self.hand_over(patient_id, take_over=True)

        self.overlay.ask(
            tr("kiosk.take_over.title"), tr("kiosk.take_over.text", device=device),
            [(tr("kiosk.take_over.cancel"), "secondary", lambda: self.stack.setEnabled(True)),
             (tr("kiosk.take_over.confirm"), "primary", take)],
        )

    def _release(self, flow: QuestionnaireFlow) -> None:
        try:
            self.backend.release(visit_ids(flow.planned))
        except Exception as error:  # the database away: the claim lapses by itself
            record_crash(error)

    def leave(self) -> None:
        """A nurse, unlocked, leaves kiosk mode."""
        if self.mode is not Mode.NURSE:
            return
        self._may_close = True
        self.exit_requested.emit()
        self.close()

    # --- idle ---------------------------------------------------------------------------------------

    def _on_idle(self) -> None:
        if self.mode in {Mode.UNLOCK, Mode.NURSE}:
            self.lock()
            return
        if self.mode is not Mode.PATIENT or self.overlay.isVisible():
            return
        if self.runner is not None and self.runner.flow.current.kind is StepKind.THANKS:
            self.lock()
            return
        self.stack.setEnabled(False)
        self.overlay.ask(
            tr("kiosk.idle.title"), still_there_text,
            [(tr("kiosk.idle.continue"), "primary", self._still_there)],
            seconds=self.prompt_seconds, on_expiry=self.lock,
        )

    def _still_there(self) -> None:
        self.stack.setEnabled(True)
        self.idle.start()
        if self.runner is not None:
            self.runner.show_current()

    def _confirm_stop(self) -> None:
        self.stack.setEnabled(False)
        self.overlay.ask(
            tr("kiosk.stop.title"), tr("kiosk.stop.text"),
            [(tr("kiosk.stop.continue"), "secondary", self._still_there),
             (tr("kiosk.stop.confirm"), "primary", self.lock)],
        )

    # --- window behaviour ---------------------------------------------------------------------------

    def _apply_style(self, contrast: str | None = None) -> None:
        """The window's stylesheet at its size, in the theme of the patient's run (standard when locked);
        the run styles itself at the text size the patient chose, and so does what is asked over it."""
        size = self.size() if self.width() > 1 else QSize(1280, 800)
        if contrast is None:
            contrast = self.runner.contrast if self.runner is not None else "standard"
        if (size, contrast) != self._styled_for:
            self._styled_for = (size, contrast)
            self.setStyleSheet(stylesheet(metrics_for(size, 0), contrast))
        self._style_overlay()

    def _style_overlay(self) -> None:
        """The idle prompt and Stop's question over a patient's run read at the run's text size and theme."""
        size = self.size() if self.width() > 1 else QSize(1280, 800)
        key = (size, self.runner.text_step, self.runner.contrast) if self.runner is not None else None
        if key != self._overlay_styled_for:
            self._overlay_styled_for = key
            self.overlay.setStyleSheet(stylesheet(metrics_for(key[0], key[1]), key[2]) if key else "")

    def _build_static_screens(self) -> None:
        """(Re)build the locked and unlock screens, so their texts follow the current language."""
        for old in (self.locked_screen, self.unlock_screen):
            if self.stack.indexOf(old) >= 0:
                self.stack.removeWidget(old)
                old.deleteLater()
        self.locked_screen = LockedScreen(self.clinic_name, self.backend.device)
        self.unlock_screen = UnlockScreen()
        self.locked_screen.unlock_requested.connect(self.show_unlock)
        self.unlock_screen.submitted.connect(self.try_unlock)
        self.unlock_screen.cancelled.connect(self.lock)
        self.stack.insertWidget(0, self.locked_screen)
        self.stack.insertWidget(1, self.unlock_screen)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._apply_style()
        if self.overlay.isVisible():
            self.overlay.setGeometry(self.rect())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Escape (and anything else unhandled) does nothing; screens get Enter and Back keys."""
        page = self.stack.currentWidget()
        if isinstance(page, KioskScreen) and self.stack.isEnabled() and page.handle_key(event):
            event.accept()
            return
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self._may_close:
            event.ignore()
            return
        self.idle.stop()
        self.idle.detach()
        super().closeEvent(event)

    def current_screen(self) -> QWidget | None:
        """What is on screen now: a runner's page in a patient's run, else the window's page."""
        if self.mode is Mode.PATIENT and self.runner is not None and self.runner.page is not None:
            return self.runner.page
        return self.stack.currentWidget()

