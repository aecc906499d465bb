"""Drive the real kiosk in its own process, for the crash test (tests/ui/test_kiosk_crash.py).

    python -m tests.ui.crash_kiosk answer DB K   # a nurse hands over, the patient answers K questions,
                                                 # then the process waits to be killed (prints COMMITTED K)
    python -m tests.ui.crash_kiosk resume DB     # a nurse unlocks, resumes; prints what the kiosk shows (JSON)

Both build the window exactly as ``python main.py --kiosk --db DB`` does (``ui.app.kiosk_window``) and
answer through the real widgets with clicks, on Qt's offscreen platform.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from sijpro.instruments import Item
from tests.ui.driver import choose_language, confirm_identity, hand_over, next_button, screen, tap, unlock
from ui.app import kiosk_window
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.screens import InstructionsScreen, WelcomeScreen
from ui.kiosk.window import KioskWindow


def chosen(item: Item, number: int) -> int | None:
    """The answer given to question ``number``: a skip where allowed, else a value that varies."""
    if item.optional:
        return None
    values = item.kiosk_values()
    return values[number % len(values)]


def start(db: str) -> KioskWindow:
    QApplication.instance() or QApplication([sys.argv[0]])
    window = kiosk_window(db, kiosk_mode=True)
    assert isinstance(window, KioskWindow)
    window.resize(1280, 800)
    window.show()
    QApplication.processEvents()
    unlock(window)
    return window


def answer(db: str, count: int) -> None:
    window = start(db)
    due = window.nurse_screen.model.row_at(0)  # type: ignore[union-attr]
    hand_over(window, due.patient.id)
    choose_language(window, "en")
    given = 0
    while given < count:
        page = screen(window)
        if isinstance(page, InstructionsScreen):
            tap(next_button(window))
            continue
        assert isinstance(page, QuestionScreen)
        number = window.runner.flow.current.number  # type: ignore[union-attr]
        value = chosen(page.item, number)
        tap(page.skip if value is None else page.choices[value])  # type: ignore[arg-type]
        given += 1
        if given < count:
            tap(next_button(window))
    print(f"COMMITTED {given}", flush=True)  # the last tap has returned: its answer is committed
    time.sleep(120)  # the test kills us here


def resume(db: str) -> None:
    window = start(db)
    nurse = window.nurse_screen
    assert nurse is not None
    report: dict[str, object] = {
        "offered": [button.full_text() for button in nurse.resume_buttons.values()],
    }
    tap(next(iter(nurse.resume_buttons.values())))
    confirm_identity(window)
    welcome = screen(window)
    assert isinstance(welcome, WelcomeScreen)
    report["welcome"] = [label.text() for label in welcome.findChildren(type(nurse.empty))]
    choose_language(window, "en")
    report["instructions_first"] = isinstance(screen(window), InstructionsScreen)
    if report["instructions_first"]:
        tap(next_button(window))
    page = screen(window)
    flow = window.runner.flow  # type: ignore[union-attr]
    report["question"] = flow.current.number
    report["item"] = page.item.code if isinstance(page, QuestionScreen) else None
    report["preselected"] = isinstance(page, QuestionScreen) and any(c.isChecked() for c in page.choices.values())
    tap(page.back)  # type: ignore[union-attr]
    if isinstance(screen(window), InstructionsScreen):
        tap(screen(window).back)  # type: ignore[union-attr]
    previous = screen(window)
    assert isinstance(previous, QuestionScreen)
    checked = [value for value, choice in previous.choices.items() if choice.isChecked()]
    skipped = previous.skip is not None and previous.skip.isChecked()
    report["previous"] = {"question": flow.current.number, "item": previous.item.code,
                          "shown": None if skipped else (checked[0] if checked else "nothing")}
    print(json.dumps(report), flush=True)
    window._may_close = True
    window.close()


if __name__ == "__main__":
    mode, database, *rest = sys.argv[1:]
    if mode == "answer":
        answer(database, int(rest[0]))
    else:
        resume(database)
