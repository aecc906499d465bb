"""Slow work off the GUI thread, behind a progress dialog with Cancel.

The core's slow functions take a ``progress(done, total)`` callback (``sijpro.progress``). ``run_task``
runs one in a ``QThread``, shows its progress, and when the user presses Cancel the next call of the
callback raises ``Cancelled`` inside the work, which stops it the way the core promises (nothing
half-written). The caller gets the result, ``None`` when cancelled, or the work's own error re-raised
on the GUI thread, where it can become a clear dialog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from sijpro.progress import Cancelled, Progress
from ui.i18n import tr

T = TypeVar("T")

SHOW_AFTER_MS = 300
"""Work that ends sooner never flashes a dialog."""


class _Runner(QThread, Generic[T]):
    progressed = Signal(int, int)

    def __init__(self, work: Callable[[Progress], T]) -> None:
        super().__init__()
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None
        self.cancelled = False
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _report(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            self.result = self.work(self._report)
        except Cancelled:
            self.cancelled = True
        except BaseException as error:  # handed to the GUI thread, which decides how to show it
            self.error = error


class Task(Generic[T]):
    """One run of ``work`` with its dialog; ``run()`` waits (the GUI stays live) and gives the outcome."""

    def __init__(self, parent: QWidget | None, title: str, label: str, work: Callable[[Progress], T], *,
                 cancellable: bool = True, show_after_ms: int = SHOW_AFTER_MS) -> None:
        self.runner: _Runner[T] = _Runner(work)
        self.dialog = QProgressDialog(label, tr("staff.task.cancel") if cancellable else "", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setMinimumDuration(show_after_ms)
        self.dialog.setMinimumWidth(420)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.canceled.connect(self._cancel)
        self.runner.progressed.connect(self._show_progress)
        self._loop = QEventLoop()
        self.runner.finished.connect(self._loop.quit)

    def _show_progress(self, done: int, total: int) -> None:
        if self.runner.cancelled or self.dialog.wasCanceled():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)

    def _cancel(self) -> None:
        self.runner.cancel()
        self.dialog.setLabelText(tr("staff.task.cancelling"))
        self.dialog.show()

    def start(self) -> None:
        self.dialog.setValue(0)
        self.runner.start()

    def wait(self) -> T | None:
        if self.runner.isRunning():
            self._loop.exec()
        self.runner.wait()
        self.dialog.close()
        self.dialog.deleteLater()
        if self.runner.error is not None:
            raise self.runner.error
        return None if self.runner.cancelled else self.runner.result

    def run(self) -> T | None:
        self.start()
        return self.wait()


def run_task(parent: QWidget | None, title: str, label: str, work: Callable[[Progress], T], *,
             cancellable: bool = True) -> T | None:
    """Run ``work(progress)`` in the background with a progress dialog; None when the user cancelled."""
    return Task(parent, title, label, work, cancellable=cancellable).run()
