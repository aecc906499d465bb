"""Slow work off the GUI thread, behind a progress dialog with Cancel: the desk's one background runner.

The core's slow functions take a ``progress(done, total)`` callback (``sijpro.progress``). ``start_task``
runs one in a ``QThread``, shows its progress, and when the user presses Cancel the next call of the
callback raises ``Cancelled`` inside the work, which stops it the way the core promises (nothing
half-written). Nothing waits: when the work ends, on the GUI thread, ``on_done`` gets the result, or
``on_error`` the work's own error (by default a ``UserError`` becomes a clear dialog and anything else
goes to the crash handler), or ``on_cancelled`` is called. Each UI action is one call into the core
started here, as Anki's CollectionOp does; no nested event loop runs the rest of the program meanwhile.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from sijpro.errors import UserError
from sijpro.progress import Cancelled, Progress
from ui.i18n import tr

T = TypeVar("T")

SHOW_AFTER_MS = 300
"""Work that ends sooner never flashes a dialog."""

_running: set[Task[object]] = set()
"""Tasks started and not yet finished: kept alive here until their callbacks ran."""


def running() -> int:
    """How many tasks are still at work (tests wait for none)."""
    return len(_running)


class _Runner(QThread, Generic[T]):
    progressed = Signal(int, int)

    def __init__(self, work: Callable[[Progress], T]) -> None:
        super().__init__()
        self.work = work
        self.result: T | None = None
        self.error: Exception | None = None
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
        except Exception as error:  # handed to the GUI thread, which decides how to show it
            self.error = error


class Task(QObject, Generic[T]):
    """One run of ``work`` with its dialog; ``finished`` once its outcome was handed to the callbacks.

    The task is nobody's child: a page closed while its work runs is never called back, and the task
    still ends cleanly when the work does."""

    finished = Signal()

    def __init__(self, parent: QWidget | None, title: str, label: str, work: Callable[[Progress], T], *,
                 on_done: Callable[[T], None], on_error: Callable[[Exception], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None, cancellable: bool = True,
                 show_after_ms: int = SHOW_AFTER_MS) -> None:
        super().__init__(None)
        self.parent_widget = parent
        self.on_done = on_done
        self.on_error = on_error or (lambda error: default_error(parent, error))
        self.on_cancelled = on_cancelled or (lambda: None)
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
        self.runner.finished.connect(self._finish)

    def _show_progress(self, done: int, total: int) -> None:
        if self.runner.cancelled or self.dialog.wasCanceled():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)

    def _cancel(self) -> None:
        self.runner.cancel()
        self.dialog.setLabelText(tr("staff.task.cancelling"))
        self.dialog.show()

    def start(self) -> Task[T]:
        _running.add(cast("Task[object]", self))
        self.dialog.setValue(0)
        self.runner.start()
        return self

    def _finish(self) -> None:
        self.runner.wait()
        if shiboken6.isValid(self.dialog):
            self.dialog.close()
            self.dialog.deleteLater()
        try:
            if self.parent_widget is not None and not shiboken6.isValid(self.parent_widget):
                pass  # its page was closed meanwhile: nobody to tell
            elif self.runner.error is not None:
                self.on_error(self.runner.error)
            elif self.runner.cancelled:
                self.on_cancelled()
            else:
                self.on_done(cast(T, self.runner.result))
        finally:
            _running.discard(cast("Task[object]", self))
            self.finished.emit()
            self.deleteLater()


def default_error(parent: QWidget | None, error: Exception) -> None:
    """A refusal or bad input as a clear dialog; anything else is a bug, for the crash handler."""
    from ui.errors import show_error

    if isinstance(error, UserError):
        show_error(parent, error)
    else:
        sys.excepthook(type(error), error, error.__traceback__)


def start_task(parent: QWidget | None, title: str, label: str, work: Callable[[Progress], T], *,
               on_done: Callable[[T], None], on_error: Callable[[Exception], None] | None = None,
               on_cancelled: Callable[[], None] | None = None, cancellable: bool = True) -> Task[T]:
    """Run ``work(progress)`` in the background with a progress dialog; its outcome goes to the callbacks."""
    return Task(parent, title, label, work, on_done=on_done, on_error=on_error, on_cancelled=on_cancelled,
                cancellable=cancellable).start()
