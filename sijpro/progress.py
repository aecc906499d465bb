"""Progress reporting for slow work (batch PDFs, import, export, scoring big files).

Slow work is a plain function that takes a ``Progress`` callback; the GUI adapts it to a progress dialog
(and raises ``Cancelled`` from it when the user presses Cancel), the CLI to a terminal bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[int, int], None]
"""Called with (done, total) as work advances; total may be 0 when unknown."""


class Cancelled(Exception):
    """Raised by a progress callback to stop the work; the work leaves nothing half-written."""


def no_progress(done: int, total: int) -> None:
    """The callback for callers that do not watch."""


class TerminalBar:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self._last_draw = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        fraction = done / total if total else 0.0
        filled = int(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if total and done >= total:
            self.stream.write("\n")
        self.stream.flush()
