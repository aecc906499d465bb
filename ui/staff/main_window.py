"""The staff desktop's window: the sign-in screen until someone signs in, then their workspace.

Idle time (the clinic's setting) locks it back to the sign-in screen: open dialogs are closed (they may
show a patient), the workspace is kept behind the sign-in screen and comes back as it was when the same
person signs in again; anyone else gets a fresh workspace for their own role. Handing the tablet to a
patient hides the window; it comes back locked.

The open database (``clinic``) acts as nobody: it signs people in. Each sign-in makes a session of that
account (``Clinic.session``), handed to the workspace; the services check every action against its role.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from sijpro import __version__
from sijpro.access import Capability, can
from ui.i18n import tr, tr_n
from ui.idle import IdleWatch, seconds_from_env
from ui.staff.inputs import ROLES
from ui.staff.live_text import follow_language, local
from ui.staff.login import LoginPage
from ui.staff.nurse_calls import NurseCallNotice
from ui.staff.style import staff_stylesheet

if TYPE_CHECKING:  # the window shows before the database layers load (see ui.staff.start)
    from sijpro.records import UserRecord
    from sijpro.services.clinic import Clinic
    from sijpro.services.clinic_settings import ClinicSettings
    from sijpro.services.reachability import Reachability
    from sijpro.services.session import Session
    from ui.staff.handover import HandOver
    from ui.staff.menus import StaffMenus
    from ui.staff.workspace import Workspace

STAFF_ACTOR = "staff"
"""Who the audit trail names while nobody is signed in (failed sign-ins, for instance)."""
IDLE_VARIABLE = "SIJPRO_STAFF_IDLE_SECONDS"
"""Overrides the clinic's idle-lock setting on one workstation (tests, demonstrations)."""


def idle_seconds(idle_lock_minutes: int) -> float:
    """The clinic's idle-lock time, unless this workstation's environment overrides it."""
    return seconds_from_env(IDLE_VARIABLE, idle_lock_minutes * 60)


class StaffWindow(QMainWindow):
    def __init__(self, clinic: Clinic | None = None, *, clinic_name: str = "", idle_seconds: float = 600,
                 show_kiosk: Callable[[QWidget], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffWindow")
        self.setStyleSheet(staff_stylesheet())
        self.clinic: Clinic | None = None
        self.clinic_name = clinic_name
        self.show_kiosk = show_kiosk
        self._handover: HandOver | None = None
        self.user: UserRecord | None = None
        self.restored_from: tuple[str, int] | None = None
        """(backup file, patients) of a restore made since the last sign-in: said in the title."""
        self.session: Session | None = None
        """The signed-in account's session, kept with its workspace while the window is locked."""
        self.workspace: Workspace | None = None
        self._workspace_user: UserRecord | None = None
        self.stack = QStackedWidget(self)
        self.login = LoginPage(None, clinic_name, self.stack)
        self.login.signed_in.connect(self._signed_in)
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)
        self.status = QLabel(self)
        self.statusBar().addWidget(self.status, 1)
        self.backup_notice = QLabel(self)
        self.backup_notice.setObjectName("backupNotice")
        self.backup_notice.setWordWrap(True)
        self.backup_notice.setStyleSheet("QLabel#backupNotice { color: #8b0000; font-weight: bold; }")
        self.backup_notice.setVisible(False)
        self.statusBar().addPermanentWidget(self.backup_notice, 2)
        self.unreachable = QLabel(self)
        self.unreachable.setObjectName("databaseUnreachable")
        self.unreachable.setStyleSheet("QLabel#databaseUnreachable { color: #8b0000; font-weight: bold; }")
        self.unreachable.setVisible(False)
        self.statusBar().addPermanentWidget(self.unreachable)
        self._reachability: Reachability | None = None
        self.reachability_timer = QTimer(self)  # asks every second, never waiting on the answer
        self.reachability_timer.setInterval(1000)
        self.reachability_timer.timeout.connect(self._show_reachability)
        self.nurse_call = NurseCallNotice(self)
        self.statusBar().addPermanentWidget(self.nurse_call, 2)
        self.idle = IdleWatch(idle_seconds, self)
        self.idle.idle.connect(lambda: self.lock("staff.login.idle_locked"))
        self.menus: StaffMenus | None = None
        """Built at the first sign-in: the sign-in screen has none, and shows sooner without them."""
        follow_language(self, self.retranslate)
        self._show_login()
        if clinic is not None:
            self.attach(clinic, clinic_name=clinic_name, idle_seconds=idle_seconds)

    def attach(self, clinic: Clinic, *, clinic_name: str = "", idle_seconds: float | None = None) -> None:
        """The open database: until then the sign-in screen shows but cannot sign anyone in."""
        self.clinic = clinic
        self.clinic_name = clinic_name
        from sijpro.services.reachability import Reachability  # with the clinic, not before sign-in shows

        self._reachability = Reachability(clinic.database.url)
        self.reachability_timer.start()
        if idle_seconds is not None:
            self.idle.timer.setInterval(round(idle_seconds * 1000))
        self.login.attach(clinic, clinic_name)
        self.nurse_call.attach(clinic)
        self.retranslate()

    def _show_reachability(self) -> None:
        """'Database unreachable, retrying' while the database does not answer (within seconds of a drop)."""
        state = self._reachability.poll() if self._reachability is not None else True
        self.unreachable.setText(tr("staff.database_unreachable"))
        self.unreachable.setVisible(state is False)

    def apply_clinic_settings(self, settings: ClinicSettings) -> None:
        """Saved clinic settings take effect here at once: the title, the sign-in screen, the kiosk's
        header and the idle lock (restarted, so the new time counts from now)."""
        self.clinic_name = settings.name
        self.idle.timer.setInterval(round(idle_seconds(settings.idle_lock_minutes) * 1000))
        if self.idle.running:
            self.idle.start()
        if self.clinic is not None:
            self.login.attach(self.clinic, settings.name)
        if self._handover is not None:
            self._handover.clinic_name = settings.name
        self.retranslate()

    @property
    def handover(self) -> HandOver:
        """The kiosk, loaded the first time the tablet is handed over."""
        if self._handover is None:
            from ui.staff.handover import HandOver

            assert self.clinic is not None
            self._handover = HandOver(self.clinic, self, clinic_name=self.clinic_name, show_kiosk=self.show_kiosk)
            self._handover.returned.connect(self._kiosk_returned)
        return self._handover

    def retranslate(self) -> None:
        title = f"{tr('common.app_name')} — {self.clinic_name}" if self.clinic_name else tr("common.app_name")
        if self.restored_from is not None:
            title += f" — {tr('staff.title.restored', file=self.restored_from[0])}"
        self.setWindowTitle(title)
        if self.menus is not None:
            self.menus.retranslate()
        self._show_status()

    def _show_status(self) -> None:
        user = self.user
        if user is None:
            self.status.setText(self.clinic.where if self.clinic is not None else tr("staff.login.opening"))
            return
        self.status.setText(tr("staff.status_bar", name=user.full_name or user.username,
                               role=tr(dict(ROLES)[user.role]), where=self.clinic.where if self.clinic else ""))

    # --- signing in and out -----------------------------------------------------------------------------

    def _show_login(self, username: str = "") -> None:
        self.menuBar().setVisible(False)
        self.backup_notice.setVisible(False)
        self.stack.setCurrentWidget(self.login)
        self.login.reset(username)
        self._show_status()

    def _signed_in(self, user: UserRecord) -> None:
        from ui.staff.workspace import Workspace

        if self.restored_from is not None:
            self.restored_from = None
            self.retranslate()

        assert self.clinic is not None
        if self.workspace is None or self._workspace_user != user or self.session is None:
            self._drop_workspace()
            self.session = self.clinic.session(user)
            self.workspace = Workspace(self.session, user, self.stack)
            self.workspace.hand_over_requested.connect(self.hand_over)
            self.workspace.database_replaced.connect(self.database_restored)
            self.workspace.clinic_settings_changed.connect(self.apply_clinic_settings)
            self.stack.addWidget(self.workspace)
            self._workspace_user = user
        else:
            self.workspace.refresh_current()
        self.user = user
        if self.menus is None:
            from ui.staff.menus import StaffMenus

            self.menus = StaffMenus(self.menuBar(), self)
            self.menus.kiosk_requested.connect(self.kiosk_mode)
            self.menus.lock_requested.connect(lambda: self.lock("staff.login.you_locked"))
            self.menus.sign_out_requested.connect(self.sign_out)
            self.menus.quit_requested.connect(self.close)
            self.menus.about_requested.connect(self.about)
            self.menus.find_requested.connect(lambda: self._in_workspace(Workspace.focus_search))
            self.menus.print_requested.connect(lambda: self._in_workspace(Workspace.print_current))
            self.menus.help_requested.connect(lambda: self._in_workspace(Workspace.help_current))
        self.menus.kiosk_action.setVisible(can(user, Capability.HAND_OVER))
        self.menuBar().setVisible(True)
        self.stack.setCurrentWidget(self.workspace)
        self.login.show_notice("")
        self.idle.start()
        self._show_status()
        self._warn_about_backups(user)

    def _in_workspace(self, action: Callable[[Workspace], object]) -> None:
        """A menu's Find, Print or Help acts on the workspace page shown, and only while someone is signed in."""
        if self.workspace is not None and self.user is not None:
            action(self.workspace)

    def _warn_about_backups(self, user: UserRecord) -> None:
        """An administrator is told, on signing in, when the newest automatic backup is of a faulty database."""
        from sijpro.services.backups import backup_warning

        assert self.clinic is not None
        warning = backup_warning(self.clinic) if can(user, Capability.BACKUPS) else None
        self.backup_notice.setVisible(warning is not None)
        if warning is None:
            self.backup_notice.clear()
            return
        good = warning.newest_verified
        self.backup_notice.setText(tr_n(
            "staff.backup_warning", len(warning.faults), taken=warning.faulty.taken_at.strftime("%Y-%m-%d %H:%M"),
            count=len(warning.faults), first=warning.faults[0] if warning.faults else "?",
            good=f"{good.path.name} ({good.taken_at:%Y-%m-%d %H:%M})" if good else tr("staff.backup_warning.none")))

    def lock(self, notice_key: str = "staff.login.idle_locked") -> None:
        """Back to the sign-in screen; the workspace waits behind it for the same person."""
        if self.user is None:
            return
        username = self.user.username
        self.user = None
        self.idle.stop()
        self._close_dialogs()
        self.login.show_notice(notice_key)
        self._show_login(username)

    def database_restored(self, source: str, patients: int) -> None:
        """A backup replaced the database: everyone signs in again against what it holds (accounts may
        differ), and the title and the sign-in screen say what happened until someone does."""
        assert self.clinic is not None
        self.apply_clinic_settings(self.clinic.settings.load())  # the restored clinic's own name and lock
        self.sign_out()
        self.restored_from = (Path(source).name, patients)
        self.login.show_notice("staff.login.restored", file=Path(source).name, patients=patients)
        self.retranslate()

    def sign_out(self) -> None:
        self.user = None
        self.idle.stop()
        self._close_dialogs()
        self._drop_workspace()
        self.login.show_notice("staff.login.signed_out")
        self._show_login()

    def _drop_workspace(self) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
        self.workspace = None
        self._workspace_user = None
        self.session = None

    def _close_dialogs(self) -> None:
        """Dialogs may show a patient: close them (unsaved typing in them is lost, saved data is not)."""
        from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and not isinstance(widget, QProgressDialog) and widget.isVisible() \
                    and _belongs_to(widget, self):
                widget.reject()

    # --- the kiosk --------------------------------------------------------------------------------------

    def hand_over(self, patient_id: int) -> None:
        if self.session is None or not can(self.user, Capability.HAND_OVER):
            return
        if self.handover.to_patient(patient_id, self.session):
            self.lock("staff.login.after_kiosk")
        else:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, tr("staff.handover.title"), tr("staff.handover.nothing_due"))

    def kiosk_mode(self) -> None:
        if can(self.user, Capability.HAND_OVER):
            self.handover.kiosk_mode()

    def _kiosk_returned(self) -> None:
        if self.user is not None:
            self.lock("staff.login.after_kiosk")
        self.show()
        self.raise_()
        self.activateWindow()

    # --- help -------------------------------------------------------------------------------------------

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from sijpro.instruments import bundled_instruments

        licences = "\n\n".join(local(instrument.licence, "") for instrument in bundled_instruments().values()
                               if local(instrument.licence, ""))
        QMessageBox.about(self, tr("staff.menu.about"),
                          tr("staff.about.text", version=__version__) + "\n\n" + licences)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.idle.stop()
        self.idle.detach()
        super().closeEvent(event)


def _belongs_to(dialog: QWidget, window: QWidget) -> bool:
    parent = dialog.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return dialog.windowModality() == Qt.WindowModality.ApplicationModal
