"""Every row of one SIJ-PRO database written into another, value for value, on either engine.

Tables go in foreign-key order with their primary keys, each read in key order and written in
executemany batches on the caller's target connection, so the caller's one transaction decides whether
all of it lands or none. Values pass through the columns' SQLAlchemy types (dates, naive UTC times,
booleans, floats come out as the same Python values on SQLite and PostgreSQL), except JSON columns: they
travel as the text stored, because decoding and encoding again would turn an SQL NULL into a JSON
``null`` and could reformat what the hash of an audit event or a test compares.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from sijpro.errors import UserError
from sijpro.progress import Progress
from sijpro.storage.models import AuditHead, Base, Meta

BATCH_ROWS = 5_000
TABLES: tuple[Table, ...] = tuple(Base.metadata.sorted_tables)
"""Every table of the models, parents before the tables that refer to them."""
BOOKKEEPING = frozenset({Meta.__tablename__, AuditHead.__tablename__})
"""Tables a database holds rows in before it holds any data: settings and release notes, the chain head."""
SCHEMA_TABLE = "alembic_version"
RAW_SUFFIX = "__text"


class WriteFailed(UserError):
    """A batch the target refused (a value too long for a PostgreSQL column, a lost connection...)."""


def sijpro_tables(connection: Connection) -> set[str]:
    """The names of SIJ-PRO's tables (and its schema-version table) that exist in this database."""
    return set(inspect(connection).get_table_names()) & ({table.name for table in TABLES} | {SCHEMA_TABLE})


def row_counts(connection: Connection, tables: tuple[Table, ...] = TABLES) -> dict[str, int]:
    return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one() for table in tables}


def data_rows(connection: Connection) -> dict[str, int]:
    """Tables holding data (anything but bookkeeping) and how many rows each holds; empty: no data."""
    counts = row_counts(connection, tuple(table for table in TABLES if table.name not in BOOKKEEPING))
    return {name: count for name, count in counts.items() if count}


def database_identity(connection: Connection) -> tuple[Any, ...]:
    """What tells two connections to the same database apart from two databases, whatever the URLs say:
    the file itself for SQLite, the server instance, database and schema for PostgreSQL."""
    if connection.dialect.name == "sqlite":
        files = [row[2] for row in connection.exec_driver_sql("PRAGMA database_list") if row[1] == "main"]
        if not files or not files[0]:
            return ("sqlite-memory", id(connection.connection.dbapi_connection))
        status = Path(files[0]).stat()
        return ("sqlite", status.st_dev, status.st_ino)
    return tuple(connection.execute(text(
        "SELECT 'postgresql', pg_postmaster_start_time(), inet_server_addr(), inet_server_port(), "
        "current_database(), current_schema()")).one())


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction seeing one moment of the database while others keep writing to it.

    SQLite in WAL mode gives that to every read transaction; PostgreSQL needs REPEATABLE READ, since its
    default gives each statement a snapshot of its own.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def lock_tables(connection: Connection) -> None:
    """On PostgreSQL, keep every other writer out of the target until the copy commits (readers may read)."""
    if connection.dialect.name != "postgresql":
        return  # the caller's BEGIN IMMEDIATE holds SQLite's one write lock already
    names = ", ".join(connection.dialect.identifier_preparer.format_table(table) for table in TABLES)
    connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def copy_rows(source: Connection, target: Connection, where: str, progress: Progress) -> dict[str, int]:
    """Write every row of ``source`` into ``target``; returns the rows copied per table.

    The target must hold no data (see ``data_rows``); its bookkeeping rows are replaced by the source's.
    """
    counts = row_counts(source)
    total, done = sum(counts.values()), 0
    progress(done, total)
    for table in TABLES:
        if table.name in BOOKKEEPING:
            _write(target, table.delete(), None, table.name, where)
        names = [_parameter_name(column) for column in table.columns]
        statement = _insert(table, target.dialect.name)
        rows = source.execute(select(*(_read(column) for column in table.columns))
                              .order_by(*table.primary_key.columns), execution_options={"yield_per": BATCH_ROWS})
        for batch in rows.partitions():
            _write(target, statement, [dict(zip(names, row, strict=True)) for row in batch], table.name, where)
            done += len(batch)
            progress(done, total)
    return counts


def reset_sequences(connection: Connection) -> None:
    """Point each PostgreSQL id sequence past the largest id copied, so the next record gets a fresh one."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table in TABLES:
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                      {"table": table.name, "column": keys[0].name}).scalar()
        if sequence is not None:
            quoted = connection.dialect.identifier_preparer
            connection.execute(text(
                f"SELECT setval(CAST(:sequence AS regclass), COALESCE(MAX({quoted.quote(keys[0].name)}), 0) + 1, "
                f"false) FROM {quoted.format_table(table)}"), {"sequence": sequence})


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def _parameter_name(column: Column[Any]) -> str:
    """JSON text is bound under another name: SQLAlchemy reserves the column's own for its automatic value."""
    return column.name + RAW_SUFFIX if _is_json(column) else column.name


def _read(column: Column[Any]) -> ColumnElement[Any]:
    return cast(column, Text).label(column.name) if _is_json(column) else column


def _insert(table: Table, dialect: str) -> Any:
    raw: dict[str, Any] = {}
    for column in table.columns:
        if _is_json(column):
            value = bindparam(_parameter_name(column), type_=Text)
            # PostgreSQL wants json, not text; SQLite stores JSON as the text itself
            raw[column.name] = cast(value, column.type) if dialect == "postgresql" else value
    return insert(table).values(raw) if raw else insert(table)


def _write(target: Connection, statement: Any, rows: list[dict[str, Any]] | None, table: str, where: str) -> None:
    try:
        target.execute(statement, rows)
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if str(error.orig) else type(error.orig).__name__
        raise WriteFailed(f"{where} refused the rows of table {table} ({reason}); nothing was copied") from None
