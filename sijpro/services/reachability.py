"""Whether the clinic database answers, asked without ever blocking the caller (the desk's GUI thread).

A ping (a new connection and ``SELECT 1``, with the network timeouts of ``sijpro.storage.engine``) runs
on a thread of its own; ``poll`` starts one when none is running and says what is known: the database is
unreachable when the last ping failed or the running one has taken longer than ``deadline`` (a
blackholed network answers nothing at all, so waiting for it to fail is no answer). The desk asks every
second and shows "database unreachable, retrying" while it is so.
"""

from __future__ import annotations

import threading
import time
from typing import Final

from sqlalchemy import URL, create_engine, text
from sqlalchemy.pool import NullPool

from sijpro.storage.engine import NETWORK_TIMEOUTS

DEADLINE_SECONDS: Final = 2.0


class Reachability:
    def __init__(self, url: URL, deadline: float = DEADLINE_SECONDS) -> None:
        self.url = url
        self.deadline = deadline
        self.reachable: bool | None = None
        """The last answer; None before the first ping has ended."""
        self._started: float | None = None
        self._lock = threading.Lock()
        self._local = url.get_backend_name() == "sqlite"

    def poll(self) -> bool | None:
        """True, False, or None (not known yet); never waits."""
        if self._local:
            return True  # a file on this computer: nothing to drop
        with self._lock:
            started = self._started
            if started is None:
                self._started = time.monotonic()
                threading.Thread(target=self._ping, name="sijpro-ping", daemon=True).start()
            elif time.monotonic() - started > self.deadline:
                return False
            return self.reachable

    def _ping(self) -> None:
        answered = False
        try:
            engine = create_engine(self.url, poolclass=NullPool, connect_args=dict(NETWORK_TIMEOUTS))
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                answered = True
            finally:
                engine.dispose()
        except Exception:  # any failure to answer is 'unreachable': the reason does not change what to show
            answered = False
        with self._lock:
            self.reachable = answered
            self._started = None
