"""One real kiosk in its own process, driven line by line from stdin, for the two-tablet tests.

    SIJPRO_DEVICE_NAME=tablet-A python -m tests.ui.tablet_process DB

The window is built as ``python main.py --kiosk --db DB`` builds it (``ui.app.kiosk_window``). Each
command is carried out with clicks on the real widgets; the reply is one JSON line saying what the
tablet shows afterwards. Commands: ``unlock``, ``hand_over MRN``, ``take_over``, ``language CODE``,
``this_is_me``, ``next``, ``back``, ``answer VALUE``, ``stop``, ``state``, ``quit``.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QPushButton

from tests.ui.driver import tap, unlock
from ui.app import kiosk_window
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.window import KioskWindow, Mode


def state(window: KioskWindow) -> dict[str, object]:
    nurse = window.nurse_screen
    page = window.current_screen()
    error = page.error.text() if isinstance(page, QuestionScreen) and page.error.isVisible() else ""
    return {
        "mode": window.mode.value,
        "screen": type(page).__name__,
        "item": page.item.code if isinstance(page, QuestionScreen) else None,
        "notice": nurse.notice.text() if nurse is not None and nurse.notice.isVisible() else "",
        "take_over": bool(nurse is not None and nurse.take_over_button.isVisible()),
        "rows": [nurse.filter.index(row, 0).data() for row in range(nurse.filter.rowCount())] if nurse else [],
        "error": error,
    }


def overlay_button(window: KioskWindow, index: int) -> QPushButton:
    return window.overlay.choices[index]


def run(window: KioskWindow, command: str, argument: str) -> None:
    page = window.current_screen()
    if command == "unlock":
        unlock(window)
    elif command == "hand_over":
        nurse = window.nurse_screen
        assert nurse is not None
        row = next(r for r in range(nurse.model.rowCount()) if nurse.model.row_at(r).patient.mrn == argument)
        assert nurse.select_patient(nurse.model.row_at(row).patient.id)
        tap(nurse.primary)  # type: ignore[arg-type]
    elif command == "take_over":
        tap(window.nurse_screen.take_over_button)  # type: ignore[union-attr]
        tap(overlay_button(window, 1))  # "Take over", after "Cancel"
    elif command == "this_is_me":
        tap(page.primary)  # type: ignore[attr-defined]
    elif command == "language":
        tap(page.language_buttons[argument])  # type: ignore[attr-defined]
    elif command in {"next", "back"}:
        tap(page.primary if command == "next" else page.back)  # type: ignore[attr-defined]
    elif command == "answer":
        tap(page.choices[int(argument)])  # type: ignore[attr-defined]
    elif command == "stop":
        tap(window.runner.stop_button)  # type: ignore[union-attr]
        tap(overlay_button(window, 1))  # "Stop", after "Continue"
    elif command != "state":
        raise ValueError(f"unknown command {command!r}")


def main(database: str) -> int:
    QApplication.instance() or QApplication([sys.argv[0]])
    window = kiosk_window(database, kiosk_mode=True)
    assert isinstance(window, KioskWindow)
    window.resize(1280, 800)
    window.show()
    QApplication.processEvents()
    print(json.dumps({"ready": window.backend.device}), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "quit":
            break
        try:
            run(window, command, argument)
            reply = state(window)
        except Exception as error:  # reported to the test, which fails with it
            reply = {"failed": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)
    if window.mode is Mode.PATIENT:
        window.lock()
    window._may_close = True
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
