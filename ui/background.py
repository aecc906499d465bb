"""One call into the core off the GUI thread, its outcome handed back on the GUI thread.

A call into the core may wait on the network: through a dropped Wi-Fi a query can hang until the
kernel gives up, and a poll made by a timer on the GUI thread would freeze the whole window with it.
``in_background`` runs the call on a daemon thread (a call stuck on a dead network never keeps the
program from quitting) and delivers the result, or the error, to callbacks on the GUI thread through a
queued signal. The callbacks run only while ``owner`` still exists, so a page closed meanwhile is never
touched. ``Poll`` is the timer-driven form: one call in flight at a time, a tick while one is still
waiting is skipped rather than piling up threads behind a dead connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

T = TypeVar("T")


class _Delivery(QObject):
    """Lives on the GUI thread until its one outcome is delivered; never deleted under the worker."""

    outcome = Signal(object, object)

    def __init__(self) -> None:
        super().__init__(None)


_in_flight: set[_Delivery] = set()
"""Deliveries whose work is still running: kept alive here, not by a parent that may be destroyed."""


def in_background(owner: QObject, work: Callable[[], T], on_done: Callable[[T], None],
                  on_error: Callable[[Exception], None]) -> None:
    """Run ``work()`` on a daemon thread; then ``on_done(result)`` or ``on_error(error)`` on the GUI thread."""
    delivery = _Delivery()
    _in_flight.add(delivery)

    def deliver(result: object, error: object) -> None:
        _in_flight.discard(delivery)
        delivery.deleteLater()
        if not shiboken6.isValid(owner):
            return
        if isinstance(error, Exception):
            on_error(error)
        else:
            on_done(cast(T, result))  # what work() returned

    delivery.outcome.connect(deliver)

    def run() -> None:
        result: Any = None
        error: Exception | None = None
        try:
            result = work()
        except Exception as failure:  # handed to the GUI thread, which decides how to show it
            error = failure
        delivery.outcome.emit(result, error)

    threading.Thread(target=run, name="sijpro-background", daemon=True).start()


class Poll(QObject, Generic[T]):
    """Every ``interval_ms``, ``work()`` in the background and ``on_done`` with its result; errors go to
    ``on_error`` and the next tick tries again."""

    def __init__(self, owner: QObject, interval_ms: int, work: Callable[[], T], on_done: Callable[[T], None],
                 on_error: Callable[[Exception], None]) -> None:
        super().__init__(owner)
        self.work = work
        self.on_done = on_done
        self.on_error = on_error
        self.waiting = False
        """A call is in flight: ticks are skipped until it answers."""
        self._again = False
        """Asked for now while a call was in flight: its answer may predate the question, so ask again."""
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.now)

    def start(self) -> None:
        self.timer.start()
        self.now()

    def stop(self) -> None:
        self.timer.stop()

    def now(self) -> bool:
        """Ask at once; while a call is still waiting, its answer is dropped and a fresh call follows it.
        True when a call was started now."""
        if self.waiting:
            self._again = True
            return False
        self.waiting = True
        in_background(self, self.work, self._done, self._failed)
        return True

    def _done(self, result: T) -> None:
        self.waiting = False
        if not self._asked_again():
            self.on_done(result)

    def _failed(self, error: Exception) -> None:
        self.waiting = False
        if not self._asked_again():
            self.on_error(error)

    def _asked_again(self) -> bool:
        if not self._again:
            return False
        self._again = False
        self.now()
        return True
