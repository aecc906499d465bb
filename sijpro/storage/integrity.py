"""Structural checks of the database itself, below the clinical meaning of its rows.

SQLite checks its own pages (``PRAGMA integrity_check``) and foreign keys (``PRAGMA foreign_key_check``).
PostgreSQL keeps its pages consistent itself; there the checks are the equivalents a clinic can run
without superuser rights: no orphaned reference, no constraint left unvalidated, the B-tree indexes
(with the ``amcheck`` extension, when the server has it installed).  On both engines the triggers that
keep the audit trail append-only must still be there.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, ForeignKeyConstraint, String, Text, and_, func, select, text
from sqlalchemy.exc import DBAPIError

from sijpro.storage.models import Base

APPEND_ONLY_TRIGGERS = {
    "sqlite": {"audit_events_refuse_update", "audit_events_refuse_delete"},
    "postgresql": {"audit_events_refuse_change", "audit_events_refuse_truncate"},
}
MAX_LISTED = 20
QUOTED_TEXT = re.compile(r" with text '.*", re.DOTALL)


DAMAGE_PREFIXES = ("integrity check:", "the database could not be read", "unreadable text:")


def is_damage(fault: str) -> bool:
    """A fault of the file's own pages: nothing read from it further can be trusted."""
    return fault.startswith(DAMAGE_PREFIXES)


def structural_faults(connection: Connection) -> list[str]:
    """Every structural problem found, as sentences; empty when the database is sound."""
    try:
        check = _sqlite_faults if connection.dialect.name == "sqlite" else _postgresql_faults
        return check(connection) + _trigger_faults(connection)
    except DBAPIError as error:
        return [f"the database could not be read to the end ({driver_text(error)}): it is damaged; "
                "restore it from a backup"]


def driver_text(error: DBAPIError) -> str:
    """The driver's first line, without the damaged text it quotes (which may be a patient's name)."""
    return QUOTED_TEXT.sub(" with text that is not UTF-8", str(error.orig).splitlines()[0] if str(error.orig) else "")


def _sqlite_faults(connection: Connection) -> list[str]:
    faults = [f"integrity check: {row[0]}" for row in connection.exec_driver_sql("PRAGMA integrity_check")
              if row[0] != "ok"]
    faults += _undecodable_text(connection)
    for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()[:MAX_LISTED]:
        faults.append(f"foreign key: row {rowid} of {table} refers to a missing row of {parent}")
    return faults


def _undecodable_text(connection: Connection) -> list[str]:
    """Text cells that are not UTF-8 (a damaged page, or bytes written behind the app's back): SQLite
    stores them, then every read of the row fails. Each is named by table, row and column, never quoted."""
    faults: list[str] = []
    for table in Base.metadata.sorted_tables:
        texts = [column.name for column in table.columns if isinstance(column.type, String | Text)]
        if not texts:
            continue
        keys = [column.name for column in table.primary_key.columns]
        blobs = ", ".join(f"CAST({name} AS BLOB)" for name in texts)
        query = f"SELECT {', '.join(keys)}, {blobs} FROM {table.name}"
        for row in connection.exec_driver_sql(query):
            for name, value in zip(texts, row[len(keys):], strict=True):
                if value is None:
                    continue
                try:
                    bytes(value).decode("utf-8")
                except UnicodeDecodeError:
                    where = ", ".join(f"{key} {part}" for key, part in zip(keys, row[:len(keys)], strict=True))
                    faults.append(f"unreadable text: row ({where}) of table {table.name}: column {name} is not "
                                  "UTF-8 text; restore the database from a backup")
                    if len(faults) >= MAX_LISTED:
                        return faults
    return faults


def _postgresql_faults(connection: Connection) -> list[str]:
    faults = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint):
                faults += _orphans(connection, constraint)
    unvalidated = connection.execute(text(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE NOT convalidated AND connamespace = current_schema()::regnamespace")).all()
    faults += [f"constraint {name} on {table} is not validated" for table, name in unvalidated]
    if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")).first():
        indexes = connection.execute(text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' "
            "AND c.relnamespace = current_schema()::regnamespace")).scalars().all()
        for index in indexes:
            try:
                with connection.begin_nested():
                    connection.execute(text("SELECT bt_index_check(CAST(:index AS regclass))"), {"index": index})
            except DBAPIError as error:
                faults.append(f"index {index}: {str(error.orig).splitlines()[0]}")
    return faults


def _orphans(connection: Connection, constraint: ForeignKeyConstraint) -> list[str]:
    child, parent = constraint.table, constraint.referred_table
    [element] = constraint.elements
    column, target = element.parent, element.column
    orphans = connection.execute(
        select(func.count()).select_from(child.outerjoin(parent, column == target))
        .where(and_(column.is_not(None), target.is_(None)))
    ).scalar_one()
    if not orphans:
        return []
    return [f"foreign key: {orphans} row(s) of {child.name} refer to missing rows of {parent.name}"]


def _trigger_faults(connection: Connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        present = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    else:
        present = set(connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST('audit_events' AS regclass) AND tgenabled <> 'D'"
        )).scalars())
    missing = sorted(APPEND_ONLY_TRIGGERS[connection.dialect.name] - present)
    return [f"the trigger {name}, which keeps the audit trail append-only, is missing or disabled"
            for name in missing]
