"""An open database: sessions for reading and for writing, and plain messages for driver failures.

Every service call is one transaction: ``writing()`` commits when the block ends and rolls everything
back when it raises, so nothing is ever half-written. After each committed write the audit chain's head
is appended to the database's witness file (``sijpro.storage.clinic_key``), outside the database.
Driver errors a user can act on (a busy or damaged file, an unreachable server, a concurrent edit)
become ``UserError``s here, once, for every service. Opening a database takes this process's share of
the clinic's lock (``process_lock`` for a file, ``server_lock`` on PostgreSQL), which a restore needs alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Connection, Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sijpro.errors import ConflictError, StorageFull, Unreachable, UserError
from sijpro.problems import Problem
from sijpro.storage import clinic_key, deadline, encryption, process_lock, server_lock
from sijpro.storage.engine import WRITE_OPTION, display_url, is_in_memory, make_engine, sqlite_path
from sijpro.storage.models import AuditHead, Meta

SIMULTANEOUS_MESSAGE = ("the same record was created elsewhere at the same moment; nothing was saved. "
                        "Reload and check before trying again")
FULL_DISK = "the disk holding"
UNREACHABLE = "cannot reach the database"
CLINIC_ID_KEY = "clinic_id"
"""The ``meta`` row naming this clinic's database, as its witness lines do."""
KEY_CHECK_KEY = "audit_key_check"
"""The ``meta`` row holding the fingerprint of the clinic key the audit trail is sealed with."""
AUDITED = "sijpro.audited"
"""Set in a connection's ``info`` by the audit writer when it appends to the chain: a write transaction
that appended nothing leaves the head where it was, so it need not read it again or witness it."""
CONFLICT_MESSAGE = ("someone else saved this record while you were editing it; nothing was overwritten. "
                    "Reload it, check their change, and make yours again")


class Database:
    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._connections = deadline.Connections(self.engine) if self.engine.dialect.name == "postgresql" else None
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})
        self._key: bytes | None = None
        path = sqlite_path(url)
        self._lock = process_lock.hold(path) if path is not None else None
        self._server_lock = server_lock.hold(self.engine, self.where) if self.dialect == "postgresql" else None
        self._witnessed: tuple[str, int, str] | None = None

    def cut_connections(self) -> None:
        """Shut every server connection of this database down (``sijpro.storage.deadline``): what a caller
        whose deadline passed does, so that calls waiting on a silent network fail now. Nothing for a file."""
        if self._connections is not None:
            self._connections.cut()

    @property
    def clinic_lock(self) -> server_lock.Keeper | None:
        """This process's hold on a PostgreSQL clinic's lock (None for a file: ``process_lock`` there)."""
        return self._server_lock

    @property
    def audit_key(self) -> bytes:
        """The clinic key sealing the audit trail (read once; refused with a message when missing)."""
        if self._key is None:
            self._key = clinic_key.load_key(create=False)
        return self._key

    def use_key(self, key: bytes) -> None:
        """The key ``init`` just found or made, so the first write need not read it again."""
        self._key = key

    @property
    def witnessed(self) -> bool:
        """Whether the chain head of this database is kept in a witness file (not for in-memory ones)."""
        return not is_in_memory(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def file(self) -> Path | None:
        """The SQLite file holding the clinic; None for a server database."""
        return sqlite_path(self.url)

    @property
    def address(self) -> str:
        """What opens this database again (``Clinic.open``, a restore): its file, or its URL in full."""
        path = sqlite_path(self.url)
        return str(path) if path is not None else self.url.render_as_string(hide_password=False)

    @property
    def passphrase(self) -> str | None:
        """The SQLCipher passphrase this database was opened with (a backup is encrypted with it)."""
        url = self.url
        return str(url.password) if url.drivername == encryption.DRIVER and url.password else None

    @property
    def where(self) -> str:
        """The database as named in messages."""
        return display_url(self.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A consistent snapshot for several queries; never writes."""
        with self.translated_errors(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self.translated_errors(), Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                connection = session.connection()
                connection.info.pop(AUDITED, None)
                yield session
                session.flush()
                head = self.head(connection) if connection.info.pop(AUDITED, False) else None
            self.witness(head)

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A Core connection in a transaction, for bulk work (imports, checks)."""
        engine = self._writer if write else self.engine
        with self.translated_errors():
            with engine.begin() as connection:
                connection.info.pop(AUDITED, None)
                yield connection
                head = self.head(connection) if write and connection.info.pop(AUDITED, False) else None
            self.witness(head)

    def head(self, connection: Connection) -> tuple[str, int, str] | None:
        """The clinic's id and the chain head, as the witness records them (None: nothing to witness)."""
        if not self.witnessed:
            return None
        clinic = select(Meta.value).where(Meta.key == CLINIC_ID_KEY).scalar_subquery()
        row = connection.execute(select(AuditHead.last_id, AuditHead.last_hash, clinic.label("clinic"))).first()
        return None if row is None or row.clinic is None else (row.clinic, row.last_id, row.last_hash)

    def witness(self, head: tuple[str, int, str] | None, kind: str = "write") -> None:
        """Record a committed chain head outside the database (once per head)."""
        if head is None or (head == self._witnessed and kind == "write"):
            return
        clinic_key.witness(self.where, *head, kind=kind)
        self._witnessed = head

    @contextmanager
    def translated_errors(self) -> Iterator[None]:
        try:
            yield
        except StaleDataError:
            raise ConflictError(CONFLICT_MESSAGE) from None
        except IntegrityError as error:
            if "unique" not in str(error.orig).lower():
                raise
            raise ConflictError(f"{SIMULTANEOUS_MESSAGE} ({str(error.orig).splitlines()[0]})") from None
        except DBAPIError as error:
            message = user_message(error, self.where)
            if message is None:
                raise
            if isinstance(message, Problem):
                raise Unreachable(message) from None
            kind = StorageFull if message.startswith(FULL_DISK) else (
                Unreachable if message.startswith(UNREACHABLE) else UserError)
            raise kind(message) from None
        except UnicodeDecodeError:  # the SQLite driver decoding text from a damaged page
            raise UserError(f"{self.where} is damaged: it holds unreadable text; restore it from a backup") from None

    def close(self) -> None:
        self.engine.dispose()
        process_lock.release(self._lock)
        server_lock.release(self._server_lock)
        self._lock = self._server_lock = None


UNKNOWN_HOST = re.compile(r"failed to resolve host '([^']*)'|could not translate host name \"([^\"]*)\"|"
                          r"name or service not known|nodename nor servname|no such host", re.IGNORECASE)
"""A server name the network cannot resolve, as psycopg and libpq word it."""


def user_message(error: DBAPIError, where: str) -> str | Problem | None:
    """A sentence for the driver errors people cause and can fix (a ``Problem`` when a screen words it
    itself); None for bugs."""
    text = str(error.orig)
    lowered = text.lower()
    if "database is locked" in lowered or "database is busy" in lowered or "lock timeout" in lowered:
        return f"{where} is busy: another program is writing to it. Try again in a moment"
    if "database or disk is full" in lowered or "no space left" in lowered:
        return (f"{FULL_DISK} {where} is full: nothing was saved. Free some space (or ask the clinic's IT), "
                "then try again")
    if "could not decode to utf-8" in lowered:
        column = re.search(r"column '([^']+)'", text)
        named = f" (column {column.group(1)})" if column else ""
        return (f"{where} is damaged: it holds text that is not UTF-8{named}; run 'sijpro verify' to find the row, "
                "and restore it from a backup")
    if "file is not a database" in lowered or "malformed" in lowered or "disk image" in lowered:
        return f"{where} is damaged or is not an SIJ-PRO database ({text}); restore it from a backup"
    if "unable to open database" in lowered or "readonly database" in lowered:
        return f"{where} cannot be opened for writing ({text}): check the file and folder permissions"
    if "append-only" in lowered:
        return f"refused: {text.splitlines()[0]}"
    if "deadlock detected" in lowered or "could not serialize" in lowered:
        return f"{where} was busy with a conflicting change; nothing was saved. Try again"
    unknown_host = UNKNOWN_HOST.search(text)
    if isinstance(error, OperationalError) and unknown_host:
        host = next(name for name in unknown_host.groups() if name) if any(unknown_host.groups()) else ""
        if not host:
            return Problem(None, "unknown_server", {"where": where})
        return Problem(None, "unknown_host", {"where": where, "host": host})
    if isinstance(error, OperationalError) and (error.connection_invalidated or "connect" in lowered):
        first_line = text.splitlines()[0] if text else type(error.orig).__name__
        return f"{UNREACHABLE} {where}: {first_line}"
    return None
