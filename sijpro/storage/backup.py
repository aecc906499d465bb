"""Backups of an SQLite database that stay consistent while the app keeps writing.

SQLite's online backup API copies every page under one read transaction; in WAL mode that snapshot
does not block writers and is not disturbed by them, so the copy is the database as it was at one
instant. The copy is written beside the target, checked, made a single self-contained file readable by
its owner only, and only then renamed into place: a failed backup never leaves half a file under the
target's name. An encrypted database (SQLCipher) gives a copy encrypted with the same key. A PostgreSQL
database is copied into such a file too (``sijpro.storage.server_copy``).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from sijpro.errors import UserError
from sijpro.storage import encryption
from sijpro.storage.database import Database
from sijpro.storage.engine import BUSY_TIMEOUT_SECONDS, sqlite_path
from sijpro.storage.server_copy import backup_server


def backup_database(database: Database, target: Path) -> Path:
    """Write a consistent copy of ``database`` to ``target``; returns the target's path."""
    source = sqlite_path(database.url)
    if source is None:
        if database.dialect == "postgresql":
            return backup_server(database.engine, database.where, Path(target))
        raise UserError(f"{database.where} is not a database file that can be backed up")
    url = database.url
    passphrase = url.password if url.drivername == encryption.DRIVER else None
    return backup_sqlite(source, Path(target), passphrase=str(passphrase) if passphrase else None)


def backup_sqlite(source: Path, target: Path, *, passphrase: str | None = None) -> Path:
    """Copy ``source`` to ``target``; an encrypted database gives a copy encrypted with the same key."""
    target = target.expanduser().resolve()
    if target == source.resolve():
        raise UserError("the backup cannot overwrite the database itself: choose another file")
    if not target.parent.is_dir():
        raise UserError(f"cannot write the backup: folder {target.parent} does not exist")
    if target.is_dir():
        raise UserError(f"cannot write the backup: {target} is a folder")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    failures: tuple[type[Exception], ...] = (sqlite3.Error, *_sqlcipher_errors(passphrase))
    try:
        _copy(source, partial, passphrase)
        with partial.open("rb") as copy:
            os.fsync(copy.fileno())
        partial.chmod(0o600)
        partial.replace(target)
    except failures as error:
        raise UserError(f"the backup of {source} failed: {error}") from None
    except OSError as error:
        raise UserError(f"cannot write the backup {target}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _connect(path: Path, passphrase: str | None) -> Any:
    if passphrase is None:
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)
    connection = encryption.sqlcipher().connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
    connection.execute(f"PRAGMA key = {encryption.quote(passphrase)}")
    return connection


def _copy(source: Path, copy: Path, passphrase: str | None) -> None:
    reader = _connect(source, passphrase)
    writer = _connect(copy, passphrase)
    try:
        reader.backup(writer)  # all pages in one step: one snapshot of the source
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        problems = [row[0] for row in writer.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            raise UserError(f"the backup copy failed its integrity check ({problems[0]}); the database itself "
                            "may be damaged: run 'sijpro verify'")
    finally:
        writer.close()
        reader.close()


def _sqlcipher_errors(passphrase: str | None) -> tuple[type[Exception], ...]:
    return (encryption.sqlcipher().Error,) if passphrase is not None else ()
