"""Slow work off the GUI thread with progress and Cancel; errors as dialogs, never a traceback."""

from __future__ import annotations

import sys
import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton, QWidget

from sijpro.errors import UserError
from ui import errors, tasks
from ui.tasks import Task, start_task

pytestmark = pytest.mark.gui


def counting(steps: int, seconds: float = 0.01):
    seen_threads: list[int] = []

    def work(progress) -> str:
        seen_threads.append(threading.get_ident())
        for step in range(steps):
            time.sleep(seconds)
            progress(step + 1, steps)
        return "done"

    return work, seen_threads


def test_the_work_runs_on_another_thread_and_the_gui_never_waits_for_it(qtbot) -> None:
    work, threads = counting(20)
    outcome: list[str] = []
    task = start_task(None, "Title", "Working", work, on_done=outcome.append)
    assert tasks.running() == 1 and outcome == []  # start returned at once: no nested event loop ran the work
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert outcome == ["done"] and tasks.running() == 0
    assert threads and threads[0] != threading.get_ident()


def test_progress_reaches_the_dialog_and_cancel_stops_the_work_between_steps(qtbot) -> None:
    work, _ = counting(500, seconds=0.005)
    cancelled: list[bool] = []
    done: list[str] = []
    task = Task(None, "Title", "Working", work, show_after_ms=0, on_done=done.append,
                on_cancelled=lambda: cancelled.append(True))
    values: list[int] = []
    task.runner.progressed.connect(lambda step, total: values.append(step))
    task.start()
    qtbot.waitUntil(lambda: bool(values) and task.dialog.isVisible(), timeout=10_000)
    button = task.dialog.findChild(QPushButton)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # what the user presses
    assert cancelled == [True] and done == []
    assert 0 < len(values) < 500 and task.runner.cancelled


def test_an_error_in_the_work_comes_back_to_its_callback(qtbot) -> None:
    def failing(progress) -> None:
        progress(1, 2)
        raise UserError("the file is not a CSV export")

    failures: list[Exception] = []
    task = start_task(None, "Title", "Working", failing, on_done=lambda _: None, on_error=failures.append)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert [str(error) for error in failures] == ["the file is not a CSV export"]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_a_page_closed_while_its_work_runs_is_never_called_back(qtbot) -> None:
    page = QWidget()
    release = threading.Event()
    called: list[object] = []
    task = start_task(page, "Title", "Working", lambda progress: release.wait(10), on_done=called.append,
                      on_error=called.append)
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(page), timeout=5000)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        release.set()
    assert called == [] and tasks.running() == 0


def read_message_box(into: list[str]) -> None:
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    into.append(box.text())
    box.accept()


def test_a_user_error_is_its_own_sentence_in_a_dialog(qtbot) -> None:
    shown: list[str] = []
    QTimer.singleShot(0, lambda: read_message_box(shown))
    errors.show_error(None, UserError("MRN K-1 is already registered"))
    assert shown == ["MRN K-1 is already registered."]


def test_an_unexpected_error_is_logged_and_shown_briefly_without_a_traceback(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIJPRO_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    errors.install_excepthook()
    shown: list[str] = []
    QTimer.singleShot(0, lambda: read_message_box(shown))
    try:
        raise KeyError("internal detail")
    except KeyError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    assert len(shown) == 1 and shown[0].startswith("Something went wrong")
    assert "Traceback" not in shown[0] and "internal detail" not in shown[0]
    assert str(tmp_path / "sijpro.log") in shown[0]
    log = (tmp_path / "sijpro.log").read_text()
    assert "Traceback" in log and "KeyError" in log and "test_tasks_and_errors.py" in log
    assert "internal detail" not in log  # an error's words may quote a patient's data: only its type is kept
