"""A PostgreSQL clinic database backed up into one SQLite file, and such a file restored onto the server.

A backup of the server is an SIJ-PRO database file like any other: every row of every table, value for
value (``sijpro.storage.transfer``), read in one REPEATABLE READ snapshot while the app keeps writing,
so the copy is the database as it was at one instant, its audit trail and chain head included. It is
written beside the target, its rows counted against the snapshot's, its pages checked, made a single
self-contained file readable by its owner only and only then renamed into place. ``sijpro verify --db
FILE`` checks it as it checks a database; the desk and ``sijpro restore`` check it before restoring it.

Restoring it onto the server replaces every row of the clinic's tables in one transaction: the tables
locked, emptied, the backup's rows written, the id sequences moved past them, the rows counted, and the
restore's mark written (see ``clinic_key``: the other workstations' witnesses learn of the restore from
it); any failure leaves the database as it was. Emptying the audit trail needs its append-only trigger disabled
for the length of the transaction, which only the tables' owner may do: the app's own role (see
``app_role``) cannot restore, as it cannot rewrite the trail.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, delete, insert, text
from sqlalchemy.exc import DBAPIError

from sijpro.errors import UserError
from sijpro.progress import Progress, no_progress
from sijpro.storage import schema
from sijpro.storage.clinic_key import RESTORE_MARK_KEY
from sijpro.storage.engine import make_engine
from sijpro.storage.models import AuditEvent, Meta
from sijpro.storage.transfer import TABLES, copy_rows, reset_sequences, row_counts, sijpro_tables, snapshot

TRUNCATE_TRIGGER = "audit_events_refuse_truncate"
"""The trigger refusing to empty the audit trail (migration 0001), off inside a restore's transaction only."""
OWNER_ONLY = ("a restore replaces the audit trail, which only the owner of the tables may do: connect as the role "
              "that ran 'sijpro init', not as the app's role")


def backup_server(engine: Engine, where: str, target: Path, progress: Progress = no_progress) -> Path:
    """Copy the PostgreSQL clinic database of ``engine`` into the new SQLite file ``target`` (mode 0600)."""
    target = checked_target(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    copy = make_engine(URL.create("sqlite", database=str(partial)))
    try:
        try:
            with snapshot(engine) as reading, copy.begin() as writing:
                schema.check_current(reading, where)
                schema.create_in(writing)
                copied = copy_rows(reading, writing, str(target), progress)
                _same_counts(writing, copied, str(target))
        except DBAPIError as error:
            raise UserError(f"the backup of {where} failed: {str(error.orig).splitlines()[0]}") from None
        finally:
            copy.dispose()
        _single_checked_file(partial)
        partial.replace(target)
    except OSError as error:
        raise UserError(f"cannot write the backup {target}: {error.strerror or error}") from None
    finally:
        for leftover in (partial, *(Path(f"{partial}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    return target


def checked_target(target: Path) -> Path:
    """Where a backup may be written: a file (not a folder) in a folder that exists."""
    target = Path(target).expanduser().resolve()
    if not target.parent.is_dir():
        raise UserError(f"cannot write the backup: folder {target.parent} does not exist")
    if target.is_dir():
        raise UserError(f"cannot write the backup: {target} is a folder")
    return target


def _single_checked_file(path: Path) -> None:
    """Fold the copy's ``-wal`` in, check every page, sync it to the disk, owner only."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
    connection.close()
    if problems:
        raise UserError(f"the backup copy failed its integrity check ({problems[0]}); nothing was written")
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    path.chmod(0o600)


def _same_counts(connection: Connection, expected: dict[str, int], where: str) -> None:
    found = row_counts(connection)
    wrong = [f"{name} {found.get(name)} of {count}" for name, count in expected.items() if found.get(name) != count]
    if wrong:
        raise UserError(f"{where} did not receive every row ({', '.join(wrong)}); nothing was written")


def holds_clinic(connection: Connection, where: str) -> bool:
    """Whether the server database holds SIJ-PRO's tables (at this release's schema; another is refused)."""
    present = sijpro_tables(connection)
    if not present:
        return False
    if schema.VERSION_TABLE not in present:
        raise UserError(f"{where} has tables named like SIJ-PRO's ({', '.join(sorted(present))}) but is not an "
                        "SIJ-PRO database: nothing was restored")
    schema.check_current(connection, where)
    return True


def refuse_unless_owner(connection: Connection, where: str) -> None:
    """Refuse, before anything is done, a restore by a role that does not own the tables (the app's role)."""
    owner = connection.execute(text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = :table"),
        {"table": AuditEvent.__tablename__}).scalar()
    if owner is not None and not connection.execute(
            text("SELECT pg_has_role(current_user, :owner, 'USAGE')"), {"owner": owner}).scalar():
        raise UserError(f"{where} was not restored, it is unchanged: {OWNER_ONLY} (the tables belong to {owner})")


def replace_rows(backup: Engine, engine: Engine, where: str, mark: str | None,
                 progress: Progress = no_progress) -> dict[str, int]:
    """Every row of the server database of ``engine`` replaced by the rows of the SQLite ``backup``, in one
    transaction, with the restore ``mark`` (``clinic_key.restore_mark``); returns the rows written per table."""
    try:
        with snapshot(backup) as reading, engine.begin() as writing:
            if not holds_clinic(writing, where):
                schema.create_in(writing)
            _empty(writing, where)
            copied = copy_rows(reading, writing, where, progress)
            reset_sequences(writing)
            _same_counts(writing, copied, where)
            writing.execute(delete(Meta).where(Meta.key == RESTORE_MARK_KEY))
            if mark is not None:
                writing.execute(insert(Meta).values(key=RESTORE_MARK_KEY, value=mark))
    except DBAPIError as error:
        raise UserError(f"{where} was not restored, it is unchanged: {str(error.orig).splitlines()[0]}") from None
    return copied


def _empty(connection: Connection, where: str) -> None:
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.format_table(table) for table in TABLES)
    trail = quote.format_table(AuditEvent.__table__)
    try:
        connection.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
        connection.execute(text(f"ALTER TABLE {trail} DISABLE TRIGGER {TRUNCATE_TRIGGER}"))
    except DBAPIError as error:
        if "must be owner" not in str(error.orig) and "permission denied" not in str(error.orig):
            raise
        raise UserError(f"{where} was not restored, it is unchanged: {OWNER_ONLY} "
                        f"({str(error.orig).splitlines()[0]})") from None
    connection.execute(text(f"TRUNCATE {names}"))
    connection.execute(text(f"ALTER TABLE {trail} ENABLE TRIGGER {TRUNCATE_TRIGGER}"))
