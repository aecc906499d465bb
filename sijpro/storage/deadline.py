"""Cutting database connections that went silent, so a statement fails at once instead of waiting for ever.

A dead network (a Wi-Fi access point or a router that drops packets without a reset) leaves a statement
waiting on its socket, and TCP alone can take minutes to give up; behind a proxy or a NAT that still
acknowledges what it is sent, it never does. Shutting the socket down makes the waiting call fail with a
disconnection, which ``Database`` turns into "cannot reach the database" and the pool replaces.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def shut_down(dbapi_connection: Any) -> None:
    """Shut a psycopg connection's socket down (both ways); nothing if it is already gone."""
    with contextlib.suppress(Exception):
        duplicate = socket.socket(fileno=os.dup(dbapi_connection.pgconn.socket))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


class Connections:
    """Every connection an engine opens (held weakly: the pool decides how long they live), so that all of
    them can be cut at once."""

    def __init__(self, engine: Engine) -> None:
        self._open: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        event.listen(engine, "connect", self._connected)

    def _connected(self, dbapi_connection: Any, _record: object) -> None:
        with self._lock:
            self._open.add(dbapi_connection)

    def cut(self) -> None:
        with self._lock:
            connections = [connection for connection in self._open if not connection.closed]
        for connection in connections:
            shut_down(connection)


class Deadline:
    """Call ``on_expiry`` (once) unless cancelled within ``seconds``: a timer on a daemon thread."""

    def __init__(self, seconds: float, on_expiry: Callable[[], None]) -> None:
        self.expired = False
        self._on_expiry = on_expiry
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        self._on_expiry()

    def cancel(self) -> None:
        self._timer.cancel()
