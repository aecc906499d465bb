"""Waiting, in tests, for what the desk does in the background (``ui.tasks``): the work runs on its own
thread and its outcome reaches the page on the GUI thread, so a test clicks and then waits for it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tests.ui.driver import tap
from ui import tasks

TASK_TIMEOUT_MS = 60_000


def finish_tasks(qtbot, timeout: int = TASK_TIMEOUT_MS) -> None:
    """Until every task started has handed its outcome to its page."""
    qtbot.waitUntil(lambda: tasks.running() == 0, timeout=timeout)


def click_and_finish(qtbot, widget: QWidget, timeout: int = TASK_TIMEOUT_MS) -> None:
    """A real click on ``widget``, then the background work it started, to its end."""
    tap(widget)
    finish_tasks(qtbot, timeout)
