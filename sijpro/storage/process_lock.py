"""Which SIJ-PRO programs have an SQLite database open: an advisory lock every one of them takes.

Every process that opens the database holds a shared POSIX record lock on a small file beside it
(``clinic.sqlite.lock``, mode 0600) for as long as it has it open. A restore, which replaces the file
under everyone's feet, needs the lock alone: if any other process holds it, the restore is refused
instead of silently losing what that program saves afterwards. POSIX locks belong to a process, so the
restoring program's own shared lock does not stand in its way, and the operating system drops the locks
of a program that crashed or was killed.

One descriptor per lock file per process, counted: closing any descriptor of a file drops every POSIX
lock the process holds on it, so the file is opened once and closed when the last holder lets go.
Where ``fcntl`` does not exist (Windows) the lock is not taken and a restore cannot tell; the README says
to close the other windows there.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sijpro.errors import UserError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no such module on Windows: no lock is taken there

SUFFIX: Final = ".lock"
WAIT_SECONDS: Final = 30.0
"""How long an opening program waits for a restore in progress to finish."""


@dataclass
class _Held:
    descriptor: int
    holders: int


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def hold(database: Path) -> Path | None:
    """Take this process's shared lock on ``database`` (waiting out a restore); returns what to release."""
    if fcntl is None:
        return None
    path = lock_path(database.resolve())
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.holders += 1
            return path
        try:
            descriptor = _open(path)
        except OSError:
            return None  # a read-only folder: nothing can replace the file there either
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    os.close(descriptor)
                    raise UserError(f"{database} is being restored from a backup by another program; try again "
                                    "when it has finished") from None
                time.sleep(0.1)
        _held[path] = _Held(descriptor, 1)
        return path


def release(path: Path | None) -> None:
    if path is None or fcntl is None:
        return
    with _guard:
        held = _held.get(path)
        if held is None:
            return
        held.holders -= 1
        if held.holders == 0:
            del _held[path]
            os.close(held.descriptor)  # drops the lock


@contextmanager
def alone(database: Path, action: str) -> Iterator[None]:
    """Hold ``database`` exclusively for ``action``, refused while any other SIJ-PRO process has it open.

    While held, programs that try to open the database wait (see ``hold``).
    """
    if fcntl is None:
        yield
        return
    path = lock_path(database.resolve())
    with _guard:
        held = _held.get(path)
        if held is None:  # registered while held, so an opening in another thread shares the descriptor
            held = _held[path] = _Held(_open(path), 0)
        try:
            fcntl.lockf(held.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            _let_go(path, held)
            raise UserError(f"cannot {action}: another SIJ-PRO program has {database} open (a desk, a kiosk or "
                            "a command). Close it, then try again; nothing was changed") from None
    try:
        yield
    finally:
        with _guard:
            _let_go(path, held)


def _let_go(path: Path, held: _Held) -> None:
    """Back to this process's shared lock, or none when nothing of this process holds the database."""
    if held.holders:
        fcntl.lockf(held.descriptor, fcntl.LOCK_SH)
    else:
        del _held[path]
        os.close(held.descriptor)
