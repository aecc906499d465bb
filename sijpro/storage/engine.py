"""Where the database is and how to connect to it safely.

SQLite (the default, one file per clinic workstation) is opened in WAL mode with ``synchronous=FULL``
and foreign keys on, so a committed answer survives a power cut; write transactions start with
``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing halfway. PostgreSQL (the shared
clinic database) goes through psycopg 3.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from sijpro.errors import UserError
from sijpro.storage.location import DEFAULT_FILE_NAME, ENVIRONMENT_VARIABLE, database_text, default_database_path

__all__ = ["DEFAULT_FILE_NAME", "ENVIRONMENT_VARIABLE", "default_database_path"]
BUSY_TIMEOUT_SECONDS = 30
STATEMENT_TIMEOUT_SECONDS = 300
NETWORK_TIMEOUTS: dict[str, int] = {
    "connect_timeout": 3, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
    "tcp_user_timeout": 10_000,
}
"""libpq's: seconds to connect; keepalive probes after 5 s idle, every 2 s, 2 lost = dead; 10 s (in ms)
for sent data to be acknowledged."""
WRITE_OPTION = "sijpro_write"
"""Execution option marking a connection whose transaction will write (SQLite: ``BEGIN IMMEDIATE``)."""


def resolve_url(url: str | None = None) -> URL:
    """An SQLAlchemy URL from ``--db``, ``$SIJPRO_DATABASE_URL`` or the default file, in that order.

    A plain path means an SQLite file; ``postgresql://`` without a driver means psycopg 3.
    """
    text = database_text(url)
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        parsed = make_url(text)
    except ArgumentError as error:
        raise UserError(f"database URL {text!r} is not valid: {error}") from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise UserError(f"database URL {parsed.render_as_string()!r}: only SQLite and PostgreSQL are supported")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite URL; None for PostgreSQL and in-memory databases."""
    if url.get_backend_name() != "sqlite" or is_in_memory(url) or url.database is None:
        return None
    return Path(url.database)


def is_in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in {None, "", ":memory:"}


def create_sqlite_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (WAL and SHM files copy the mode)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return _postgresql_engine(url)


def _postgresql_engine(url: URL) -> Engine:
    # A dropped network must be noticed in seconds, not in TCP's quarter of an hour: give up connecting
    # after a few seconds, probe an idle connection, and drop one whose sent data goes unacknowledged.
    engine = create_engine(url, pool_pre_ping=True, connect_args=dict(NETWORK_TIMEOUTS))

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: object) -> None:
        # Wait for a lock as long as SQLite would, then fail with a message instead of hanging a tablet;
        # no statement of the app's runs for minutes, so one that does is stopped.
        dbapi_connection.autocommit = True
        dbapi_connection.execute(f"SET lock_timeout = '{BUSY_TIMEOUT_SECONDS}s'")
        dbapi_connection.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_SECONDS}s'")
        dbapi_connection.autocommit = False

    return engine


def _sqlite_engine(url: URL) -> Engine:
    options: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_SECONDS}}
    if sqlite_path(url) is None:
        options["poolclass"] = StaticPool
        options["connect_args"]["check_same_thread"] = False
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control from the driver so BEGIN is ours (see _begin) and DDL is transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def display_url(url: URL) -> str:
    """The URL for messages: the password hidden, an SQLite file shown as its path."""
    path = sqlite_path(url)
    return str(path) if path else url.render_as_string(hide_password=True)
