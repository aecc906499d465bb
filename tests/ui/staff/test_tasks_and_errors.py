"""Slow work off the GUI thread with progress and Cancel; errors as dialogs, never a traceback."""

from __future__ import annotations

import sys
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from sijpro.errors import UserError
from ui import errors
from ui.tasks import Task, run_task

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


def test_the_work_runs_on_another_thread_and_returns_its_result(qtbot) -> None:
    work, threads = counting(5)
    assert run_task(None, "Title", "Working", work) == "done"
    assert threads and threads[0] != threading.get_ident()


def test_progress_reaches_the_dialog_and_cancel_stops_the_work_between_steps(qtbot) -> None:
    work, _ = counting(500, seconds=0.005)
    task = Task(None, "Title", "Working", work, show_after_ms=0)
    values: list[int] = []
    task.runner.progressed.connect(lambda done, total: values.append(done))

    def cancel_when_started() -> None:
        if values:
            assert task.dialog.isVisible()
            task.dialog.findChild(QPushButton).click()  # what the user presses
        else:
            QTimer.singleShot(10, cancel_when_started)

    QTimer.singleShot(10, cancel_when_started)
    assert task.run() is None
    assert 0 < len(values) < 500 and task.runner.cancelled


def test_an_error_in_the_work_comes_back_to_the_caller(qtbot) -> None:
    def failing(progress) -> None:
        progress(1, 2)
        raise UserError("the file is not a CSV export")

    with pytest.raises(UserError, match="not a CSV export"):
        run_task(None, "Title", "Working", failing)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


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
    assert str(tmp_path / "crash.log") in shown[0]
    log = (tmp_path / "crash.log").read_text()
    assert "Traceback" in log and "KeyError: 'internal detail'" in log
