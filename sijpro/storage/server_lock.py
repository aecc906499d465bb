"""Which SIJ-PRO programs have a PostgreSQL clinic database open: a session-level advisory lock.

The server's counterpart of ``process_lock``. Every process that opens a PostgreSQL clinic database
holds a *shared* session-level advisory lock on a key derived from the clinic's schema (advisory locks
belong to one database of the server already), on one dedicated connection kept for as long as the
process has the database open. Not a pooled connection: the pool recycles its connections, and a
session's locks end with it. A restore takes the same key *exclusively* (``pg_try_advisory_lock``) on
that same session, which its own shared hold does not stand in the way of, and is refused, naming how
many other programs hold it, while any other session does. The server frees the locks of a session
whose program exited, crashed or was killed as soon as the connection is gone.

A lock lives as long as its connection. A thread watches it (a trivial query every few seconds, bounded
by the network timeouts of ``engine.NETWORK_TIMEOUTS``); when the connection drops (the network went
away, the server restarted) the thread connects again, every few seconds, and takes the lock again once
the server answers. Nobody waits for it: a desk or a kiosk keeps working (or keeps its answers on the
tablet) while the lock is being taken again, and its GUI thread never touches this connection.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine

from sijpro.errors import UserError
from sijpro.storage.deadline import shut_down
from sijpro.storage.engine import NETWORK_TIMEOUTS
from sijpro.storage.process_lock import WAIT_SECONDS

CLASS_ID: Final = 0x534A50
"""The first half of every SIJ-PRO advisory key ("SJP"), apart from other applications' on the server."""
CHECK_SECONDS: Final = 3.0
"""How often the lock's connection is checked."""
RETRY_SECONDS: Final = 2.0
"""How often a lost lock is taken again."""
ANSWER_SECONDS: Final = 5.0
"""How long the server may take to answer the lock's connection before it counts as gone: a silent
network (a dead access point that swallows packets) acknowledges nothing and resets nothing, so no driver
timeout ends the wait; the connection's socket is shut down instead."""
HELD, RESTORING, UNREACHABLE = "held", "restoring", "unreachable"
OTHERS = """
SELECT l.pid, coalesce(a.application_name, ''), host(a.client_addr)
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid = %s::oid AND l.objid = %s::oid AND l.pid <> pg_backend_pid()
ORDER BY l.pid
"""


def lock_key(schema: str) -> int:
    """The second half of the clinic's key: its schema's name, hashed into a positive 32-bit number."""
    return int.from_bytes(hashlib.sha256(f"sijpro:{schema}".encode()).digest()[:4], "big") & 0x7FFFFFFF


def program_label() -> str:
    """What other sessions see of this program (``application_name``): enough for an administrator to
    find it (the computer and the process id)."""
    return f"SIJ-PRO pid {os.getpid()} on {socket.gethostname()}"[:63]


@dataclass(frozen=True)
class Holder:
    """Another session holding the clinic's lock, as the server shows it."""

    backend: int
    program: str
    address: str | None

    def __str__(self) -> str:
        named = self.program or f"server session {self.backend}"
        return f"{named} from {self.address}" if self.address else named


def refusal(action: str, where: str, others: list[Holder]) -> str:
    count = len(others)
    programs = "1 other SIJ-PRO program has" if count == 1 else f"{count} other SIJ-PRO programs have"
    listed = "; ".join(str(holder) for holder in others[:5]) + ("; ..." if count > 5 else "")
    return (f"cannot {action}: {programs} {where} open ({listed}): a desk, a kiosk or a command. Close "
            f"{'it' if count == 1 else 'them'}, then try again; nothing was changed")


class Keeper:
    """This process's lock on one clinic database: its connection, and the thread that keeps it."""

    def __init__(self, connect: Callable[[], Any], where: str) -> None:
        self._connect = connect
        self.where = where
        self.holders = 0
        self.retaken = 0
        """How many times the lock was lost with its connection and taken again."""
        self.problem = ""
        """Why the last attempt to take the lock failed (the driver's first line)."""
        self._connection: Any = None
        self._key: int | None = None
        self._held = threading.Event()
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def held(self) -> bool:
        return self._held.is_set()

    def start(self, wait_seconds: float = WAIT_SECONDS) -> None:
        """Take the lock, waiting out a restore in progress; an unreachable server is left to the thread."""
        deadline = time.monotonic() + wait_seconds
        while self._attempt() == RESTORING:
            if time.monotonic() > deadline:
                self._close()
                raise UserError(f"{self.where} is being restored from a backup by another program; try again "
                                "when it has finished")
            time.sleep(0.2)
        self._thread = threading.Thread(target=self._watch, name="sijpro-database-lock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Let go (the thread closes the connection, which drops the lock, at once unless a check is under
        way on a dead network, which its timeouts end)."""
        self._stop.set()
        if self._thread is None:
            self._close()

    def _attempt(self) -> str:
        with self._mutex:
            try:
                if self._connection is None:
                    self._connection = self._connect()  # libpq's connect_timeout ends a silent connect
                with self._answer_deadline():
                    if self._key is None:
                        schema = self._connection.execute("SELECT current_schema()").fetchone()[0]
                        self._key = lock_key(schema or "")
                    granted = self._connection.execute("SELECT pg_try_advisory_lock_shared(%s, %s)",
                                                       (CLASS_ID, self._key)).fetchone()[0]
            except Exception as error:  # any failure of the driver or the network: try again later
                self.problem = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                self._drop()
                return UNREACHABLE
            if not granted:
                return RESTORING
            self._held.set()
            return HELD

    def _watch(self) -> None:
        try:
            while not self._stop.wait(CHECK_SECONDS if self.held else RETRY_SECONDS):
                if self.held:
                    self._check()
                elif self._attempt() == HELD:
                    self.retaken += 1
        finally:
            self._close()

    def _check(self) -> None:
        with self._mutex:
            try:
                with self._answer_deadline():
                    self._connection.execute("SELECT 1").fetchone()
            except Exception:  # the connection is gone, and the lock with it
                self._drop()

    @contextmanager
    def _answer_deadline(self) -> Iterator[None]:
        """Shut the connection's socket down if the server has not answered within ``ANSWER_SECONDS``, so
        the statement waiting on it fails instead of waiting for ever."""
        connection = self._connection
        timer = threading.Timer(ANSWER_SECONDS, shut_down, (connection,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _drop(self) -> None:
        self._held.clear()
        connection, self._connection = self._connection, None
        if connection is not None:
            with suppress(Exception):
                connection.close()

    def _close(self) -> None:
        with self._mutex:
            self._drop()

    @contextmanager
    def exclusive(self, action: str) -> Iterator[None]:
        """Hold the clinic's lock alone for ``action``, refused while any other session holds it."""
        state = HELD if self.held else self._attempt()
        if state == RESTORING:
            raise UserError(f"cannot {action}: another program is restoring {self.where} right now; nothing was "
                            "changed")
        if state == UNREACHABLE:
            raise UserError(f"cannot {action}: cannot reach the database {self.where} ({self.problem}); nothing "
                            "was changed")
        if not self._mutex.acquire(timeout=WAIT_SECONDS):
            raise UserError(f"cannot {action}: {self.where} does not answer; nothing was changed")
        try:
            connection = self._connection
            try:
                with self._answer_deadline():
                    granted = connection.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                                 (CLASS_ID, self._key)).fetchone()[0]
                    others = [] if granted else [Holder(*row) for row in connection.execute(OTHERS,
                                                                                            (CLASS_ID, self._key))]
            except Exception as error:
                self._drop()
                raise UserError(f"cannot {action}: the connection to {self.where} was lost ({error}); nothing "
                                "was changed") from None
        finally:
            self._mutex.release()
        if not granted:
            raise UserError(refusal(action, self.where, others or [Holder(0, "", None)]))
        try:
            yield
        finally:
            with self._mutex:
                if self._connection is connection:
                    try:
                        with self._answer_deadline():
                            connection.execute("SELECT pg_advisory_unlock(%s, %s)", (CLASS_ID, self._key))
                    except Exception:  # gone: the server dropped the lock with the session
                        self._drop()


_keepers: dict[str, Keeper] = {}
_guard = threading.Lock()


def _connector(engine: Engine) -> Callable[[], Any]:
    """A connection of its own to the engine's database (the URL's every option), outside the pool."""
    arguments, options = engine.dialect.create_connect_args(engine.url)
    options = {**options, **NETWORK_TIMEOUTS, "autocommit": True, "application_name": program_label()}

    def connect() -> Any:
        return engine.dialect.loaded_dbapi.connect(*arguments, **options)

    return connect


def hold(engine: Engine, where: str) -> Keeper:
    """Take this process's shared lock on the clinic database of ``engine`` (counted: the first holder
    connects, the last one's ``release`` lets go)."""
    name = engine.url.render_as_string(hide_password=False)
    with _guard:
        keeper = _keepers.get(name)
        if keeper is None:
            keeper = Keeper(_connector(engine), where)
            keeper.start()
            _keepers[name] = keeper
        keeper.holders += 1
        return keeper


def release(keeper: Keeper | None) -> None:
    if keeper is None:
        return
    with _guard:
        keeper.holders -= 1
        if keeper.holders > 0:
            return
        for name, known in list(_keepers.items()):
            if known is keeper:
                del _keepers[name]
    keeper.stop()


@contextmanager
def alone(engine: Engine, where: str, action: str) -> Iterator[None]:
    """Hold the clinic database of ``engine`` exclusively for ``action``; refused while any other SIJ-PRO
    program has it open. Programs that open it meanwhile wait (see ``Keeper.start``)."""
    keeper = hold(engine, where)
    try:
        with keeper.exclusive(action):
            yield
    finally:
        release(keeper)
