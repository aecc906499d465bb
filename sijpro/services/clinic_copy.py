"""A whole clinic copied into another database, exactly: ``sijpro copy`` (SQLite file to PostgreSQL
server, or back).

CSV export and import carry the clinical record only; a move must carry everything (accounts and their
locks, the audit trail, settings, every protocol version) and must never leave a half-filled database
where the clinic will work next. So the source must be at the current schema and verify without fault;
the target must hold no data; the target's tables (when it has none yet), every row and the event
recording the copy go in as one transaction, so a refusal, a failure or Ctrl-C leaves the target as it
was. The target is then verified as ``sijpro verify`` would, and the source's own audit trail records
where its data went.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, Connection, delete, func, insert, select
from sqlalchemy.exc import DBAPIError

from sijpro import __version__
from sijpro.access import Capability
from sijpro.errors import UserError
from sijpro.progress import Progress, no_progress
from sijpro.services.audit import AuditWriter, Change, record
from sijpro.services.clinic import Clinic
from sijpro.services.context import Clock
from sijpro.services.maintenance import Fault, verify
from sijpro.services.session import Session
from sijpro.storage import schema
from sijpro.storage.database import Database
from sijpro.storage.encryption import PassphraseSource, file_state
from sijpro.storage.engine import create_sqlite_file, is_in_memory, resolve_url, sqlite_path
from sijpro.storage.models import AuditEvent, Meta
from sijpro.storage.transfer import (
    SCHEMA_TABLE,
    copy_rows,
    data_rows,
    database_identity,
    lock_tables,
    reset_sequences,
    sijpro_tables,
    snapshot,
)

RELEASE_KEY = "last_init_release"
"""The ``meta`` row naming the release that last brought the schema to its revision: on the target, this one."""
LISTED_FAULTS = 3


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    created_tables: bool
    """True when the copy created SIJ-PRO's tables in the target (it had none)."""
    rows: dict[str, int]
    """Rows copied, per table, in the order they were copied."""
    audit_events: int
    """Events in the target's audit trail, its hash chain verified: the source's and the one of the copy."""
    source_note: str | None = None
    """Why the source's audit trail does not record the copy (a read-only server account...), when it does not."""


def copy_clinic(source: str | None, target: str, *, as_user: Callable[[Clinic], Session],
                passphrase: PassphraseSource = None, clock: Clock | None = None,
                progress: Progress = no_progress) -> CopyReport:
    """Copy the database at ``source`` (opened as ``Clinic.open`` does) into the empty database ``target``.

    ``as_user`` signs in to the opened source (``lambda clinic: clinic.sign_in(name, password)``); the
    session must hold DATABASE, and its actor is named in both audit trails.

    ``progress`` sees (rows copied, rows in all); raising ``Cancelled`` from it leaves the target as it was.
    """
    target_url = _target_url(target)
    with Clinic.open(source, clock=clock, passphrase=passphrase) as clinic:
        origin = as_user(clinic)
        origin.principal.require(Capability.DATABASE)
        actor = origin.actor
        destination, created_file = _open_target(target_url)
        try:
            created_tables, rows = _copy(origin, destination, progress)
        except BaseException:
            destination.close()
            if created_file is not None:
                _remove_sqlite_file(created_file)
            raise
        destination.close()
        note = _record_in_source(origin, destination.where, rows)
    return CopyReport(origin.where, destination.where, created_tables, rows,
                      _verified_events(target, actor, clock), note)


def _target_url(target: str) -> URL:
    if not target.strip():
        raise UserError("give the database to copy into: a PostgreSQL URL or an SQLite file path")
    url = resolve_url(target)
    if is_in_memory(url):
        raise UserError("copying into an in-memory database would keep nothing: give a file or a server URL")
    path = sqlite_path(url)
    state = file_state(path) if path is not None else "server"
    if state == "encrypted":
        raise UserError(f"{path} is an encrypted file: copy into a new file, then encrypt it with "
                        "'sijpro encryption enable'")
    if state == "other":
        raise UserError(f"{path} is not an SQLite database: copy into a new file or a PostgreSQL database")
    return url


def _open_target(url: URL) -> tuple[Database, Path | None]:
    """The target database, and its file when this call created it (to be removed if the copy fails)."""
    path = sqlite_path(url)
    created = None
    if path is not None and not path.exists():
        try:
            create_sqlite_file(path)
        except OSError as error:
            raise UserError(f"cannot create {path}: {error.strerror or error}") from None
        created = path
    return Database(url), created


def _copy(origin: Session, destination: Database, progress: Progress) -> tuple[bool, dict[str, int]]:
    """One transaction on the target: tables if needed, every row, the copy's audit event, sequences.

    What can refuse the copy at once (an unreachable target, the same database twice, a target holding
    data) is checked before the source's verification, which reads the whole source.
    """
    with origin.database.connection() as connection:
        source_identity = database_identity(connection)
    where = destination.where
    with destination.connection(write=True) as connection:
        if database_identity(connection) == source_identity:
            raise UserError(f"the source and the target are the same database ({where}): give another one with --to")
        created = _prepare_schema(connection, where)
        lock_tables(connection)
        held = data_rows(connection)
        if held:
            listed = ", ".join(f"{name} {count:,}" for name, count in held.items())
            raise UserError(f"{where} already holds data (rows: {listed}), so nothing was written: copy into a "
                            "new, empty database (sijpro copy creates the tables itself; do not run 'sijpro init' "
                            "on it first)")
        _refuse_faults(origin.where, verify(origin), "it was not copied. Run 'sijpro verify' on it, and restore "
                       "it from a backup or repair it first")
        with origin.database.translated_errors(), snapshot(origin.database.engine) as reading:
            rows = copy_rows(reading, connection, where, progress)
        connection.execute(delete(Meta).where(Meta.key == RELEASE_KEY))
        connection.execute(insert(Meta).values(key=RELEASE_KEY, value=__version__))
        writer = AuditWriter(connection, origin.context.actor, origin.context.now(), origin.database.audit_key)
        writer.append([_copy_event("copied_from", origin.where, rows)])
        writer.seal()
        reset_sequences(connection)
    return created, rows


def _prepare_schema(connection: Connection, where: str) -> bool:
    """Create the tables in a database without any, or check that the existing ones are this release's."""
    present = sijpro_tables(connection)
    if not present:
        try:
            schema.create_in(connection)
        except DBAPIError as error:
            if "permission denied" not in str(error.orig).lower():
                raise
            raise UserError(f"{where}: SIJ-PRO's tables could not be created ({str(error.orig).splitlines()[0]}): "
                            "copy as the database's owner, or have its administrator grant CREATE") from None
        return True
    if SCHEMA_TABLE not in present:
        raise UserError(f"{where} has tables named like SIJ-PRO's ({', '.join(sorted(present))}) but is not an "
                        "SIJ-PRO database: copy into a new, empty database")
    schema.check_current(connection, where)
    return False


def _copy_event(field: str, other: str, rows: dict[str, int]) -> Change:
    return Change("database", None, field, new={"database": other, "rows": rows}, reason="sijpro copy")


def _record_in_source(origin: Session, target: str, rows: dict[str, int]) -> str | None:
    """Append 'copied to' to the source's trail; a source that cannot be written to is said, not an error:
    the copy is done and verified by then."""
    try:
        with origin.database.writing() as session:
            record(session, origin.context, [_copy_event("copied_to", target, rows)])
    except (UserError, DBAPIError) as error:
        reason = str(error.orig).splitlines()[0] if isinstance(error, DBAPIError) else str(error)
        return f"the audit trail of {origin.where} could not record the copy ({reason})"
    return None


def _verified_events(target: str, actor: str, clock: Clock | None) -> int:
    """Verify the target as ``sijpro verify`` does; the number of audit events whose chain verified."""
    with Clinic.open(target, actor=actor, clock=clock) as copy:
        _refuse_faults(copy.where, verify(copy), "it holds the copy but must not be used: report this, drop its "
                       "tables (or delete the file) and copy again")
        with copy.database.connection() as connection:
            return connection.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _refuse_faults(where: str, faults: list[Fault], consequence: str) -> None:
    if not faults:
        return
    listed = "; ".join(str(fault) for fault in faults[:LISTED_FAULTS])
    more = f" and {len(faults) - LISTED_FAULTS} more" if len(faults) > LISTED_FAULTS else ""
    raise UserError(f"{where} has faults ({listed}{more}), so {consequence}")


def _remove_sqlite_file(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
