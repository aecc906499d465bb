"""Start the GUI: ``python main.py [--kiosk] [--windowed] [--db URL] [--exit-after-start]``.

``--kiosk`` starts the patient kiosk locked and full screen; without it the staff desktop starts (the
first-run wizard on a new database). ``--exit-after-start`` shows the first window, prints its object
name, and quits as soon as the event loop is idle: tests and benchmarks use it to time a cold start.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, qVersion
from PySide6.QtWidgets import QApplication, QWidget

from sijpro import __version__
from sijpro.errors import UserError
from sijpro.logs import record_crash, setup_logging
from ui.errors import install_excepthook
from ui.i18n import set_language, start_language, system_language, tr
from ui.workstation import database_for_start

if TYPE_CHECKING:  # the services load SQLAlchemy: only once the window is being built
    from sijpro.services.clinic import Clinic
    from ui.staff.start import StaffStart

log = logging.getLogger(__name__)


DESKTOP_ID = "org.sijpro.sijpro"
"""The name of the installed .desktop file and AppStream component (packaging/linux)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sijpro-gui", description="SIJ-PRO desktop and patient kiosk.")
    parser.add_argument("--kiosk", action="store_true", help="start the patient kiosk, locked and full screen")
    parser.add_argument("--windowed", action="store_true", help="use a normal window instead of full screen")
    parser.add_argument("--db", metavar="URL",
                        help="database: an SQLAlchemy URL or an SQLite file (default: $SIJPRO_DATABASE_URL, "
                        "else the one an administrator saved for this workstation, else sijpro.sqlite in the user "
                        "data directory)")
    parser.add_argument("--exit-after-start", action="store_true", help=argparse.SUPPRESS)
    return parser


def _report_unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Last line of defence in the event loop: log it for support; a patient never sees a traceback."""
    path = record_crash(error.with_traceback(trace))
    where = f"; details in {path}" if path else ""
    print(f"sijpro: unexpected error ({kind.__name__}){where}", file=sys.stderr)  # its words may quote data


def ask_server_password(address: str) -> str | None:
    """The password of the saved server, asked because this computer keeps it nowhere (no credential
    store), or its store lost it; None when the user gives none."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from sijpro.services.places import shown

    text, given = QInputDialog.getText(None, tr("common.app_name"), tr("common.server_password", where=shown(address)),
                                       QLineEdit.EchoMode.Password)
    return text if given and text else None


def ask_passphrase() -> str:
    """The passphrase of an encrypted database: ``$SIJPRO_PASSPHRASE``, else asked in a dialog."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from sijpro.services.places import PASSPHRASE_VARIABLE

    from_environment = os.environ.get(PASSPHRASE_VARIABLE)
    if from_environment:
        return from_environment
    text, given = QInputDialog.getText(None, tr("common.app_name"), tr("common.passphrase"),
                                       QLineEdit.EchoMode.Password)
    if not given or not text:
        raise UserError("the database is encrypted and no passphrase was given")
    return text


def open_clinic(url: str | None) -> Clinic:
    """Open the kiosk's database (its automatic backups come once its window is up: ``kiosk_window``)."""
    from sijpro.access import KIOSK_ACTOR
    from sijpro.services.clinic import Clinic

    return Clinic.open(url, actor=KIOSK_ACTOR, passphrase=ask_passphrase)


def kiosk_language() -> str:
    """The tablet's own language (locked and staff screens): ``$SIJPRO_KIOSK_LANGUAGE``, else the system's.

    A dedicated kiosk session often runs without a desktop's locale, so a clinic names it here.
    """
    from ui.i18n import LANGUAGES

    chosen = os.environ.get("SIJPRO_KIOSK_LANGUAGE", "").strip().lower()
    return chosen if chosen in LANGUAGES else system_language()


def kiosk_window(url: str | None, *, kiosk_mode: bool) -> QWidget:
    from ui.kiosk.guard import IDLE_SECONDS, PROMPT_SECONDS, seconds_from_env
    from ui.kiosk.offline_backend import journalled
    from ui.kiosk.window import KioskWindow

    clinic = open_clinic(url)
    window = KioskWindow(
        journalled(clinic), kiosk_mode=kiosk_mode, clinic_name=os.environ.get("SIJPRO_CLINIC_NAME", ""),
        default_language=kiosk_language(),
        idle_seconds=seconds_from_env("SIJPRO_KIOSK_IDLE_SECONDS", IDLE_SECONDS),
        prompt_seconds=seconds_from_env("SIJPRO_KIOSK_PROMPT_SECONDS", PROMPT_SECONDS),
        today=lambda: clinic.today,
    )
    from ui.autobackup import back_up_around

    back_up_around(clinic, window)  # the day's backup once the locked screen has painted, one on quitting
    return window


def staff_start(url: str | None, *, exit_after_start: bool) -> StaffStart:
    """The staff desktop's start: its first window is the first-run wizard, a passphrase, or sign-in."""
    from ui.staff.start import StaffStart

    def refuse_quietly(error: UserError) -> None:
        print(f"sijpro: {error}", file=sys.stderr)
        QApplication.exit(1)

    def say_ready() -> None:
        print("database open", flush=True)

    if not exit_after_start:
        return StaffStart(url)
    return StaffStart(url, on_failure=refuse_quietly, on_ready=say_ready)


def set_app_icon(app: QApplication) -> None:
    """The icon of every window; the desktop file name lets Wayland and the task bar match the windows to
    the installed menu entry (packaging/linux), whose icon they then show."""
    from PySide6.QtGui import QIcon

    from sijpro.resources import resource_path

    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addFile(str(resource_path("icons", f"sijpro-{size}.png")))
    app.setWindowIcon(icon)
    app.setDesktopFileName(DESKTOP_ID)


DISPLAY_PLATFORMS = frozenset({"xcb", "wayland", "wayland-egl"})
"""Qt platforms that need a display server (X11 or Wayland) to connect to."""


def missing_display(qt_args: Sequence[str], environ: os._Environ[str] | dict[str, str] = os.environ,
                    platform: str = sys.platform) -> str | None:
    """Why no window can be opened, or None: on Linux, Qt's X11 or Wayland platform (the default) with
    neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` set. Qt itself would abort the process (exit 134) instead
    of saying so; ``offscreen``, ``vnc`` and other platforms chosen on purpose are left to Qt."""
    if not platform.startswith("linux") or QApplication.instance() is not None:
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if "-platform" in qt_args[:-1]:
        chosen = qt_args[list(qt_args).index("-platform") + 1]
    names = {part.split(":")[0].strip() for part in chosen.split(";") if part.strip()}
    if names and not names <= DISPLAY_PLATFORMS:
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start SIJ-PRO "
            "from a desktop session, or give a command (sijpro --help)")


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = build_parser().parse_known_args(list(sys.argv[1:] if argv is None else argv))
    reason = missing_display(qt_args)
    if reason is not None:
        print(f"sijpro: {reason}", file=sys.stderr)
        return 1
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("SIJ-PRO")
    app.setOrganizationName("SIJ-PRO")
    set_app_icon(app)
    setup_logging(crash_stacks=True)
    log.info("SIJ-PRO %s starts the %s (Qt %s, Python %s)", __version__, "kiosk" if args.kiosk else "desktop",
             qVersion(), platform.python_version())
    if args.kiosk:
        sys.excepthook = _report_unexpected
    else:
        set_language(start_language())
        install_excepthook()
    database = database_for_start(args.db, ask_server_password)
    staff = None if args.kiosk else staff_start(database, exit_after_start=args.exit_after_start)
    try:
        window = kiosk_window(database, kiosk_mode=True) if staff is None else staff.first_window()
    except UserError as error:
        print(f"sijpro: {error}", file=sys.stderr)
        if not args.exit_after_start:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, tr("common.app_name"), str(error))
        return 1
    if args.kiosk and not args.windowed:
        from ui.kiosk.lockdown import keep_in_front

        keep_in_front(window)  # full screen with or without a window manager, kept in front
    elif args.kiosk:
        window.resize(1280, 800)
        window.show()
    else:
        window.show()  # sized by the staff start: a wizard is smaller than the desk window
    if args.exit_after_start:
        window.repaint()
        print(f"first window: {window.objectName()}", flush=True)
        # exit(), not quit(): quit() first asks every window to close, and the kiosk refuses. Posted after
        # the staff desktop's own start-up work (opening the database), so that is checked too.
        QTimer.singleShot(0, lambda: app.exit(staff.exit_status if staff is not None else 0))
    return app.exec()
