"""An open database: sessions for reading and for writing, and plain messages for driver failures.

Every service call is one transaction: ``writing()`` commits when the block ends and rolls everything
back when it raises, so nothing is ever half-written. Driver errors a user can act on (a busy or damaged
file, an unreachable server, a concurrent edit) become ``UserError``s here, once, for every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from sijpro.errors import ConflictError, UserError
from sijpro.storage.engine import WRITE_OPTION, display_url, make_engine

SIMULTANEOUS_MESSAGE = ("the same record was created elsewhere at the same moment; nothing was saved. "
                        "Reload and check before trying again")
CONFLICT_MESSAGE = ("someone else saved this record while you were editing it; nothing was overwritten. "
                    "Reload it, check their change, and make yours again")


class Database:
    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

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
        with self.translated_errors(), Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A Core connection in a transaction, for bulk work (imports, checks)."""
        engine = self._writer if write else self.engine
        with self.translated_errors(), engine.begin() as connection:
            yield connection

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
            raise UserError(message) from None
        except UnicodeDecodeError:  # the SQLite driver decoding text from a damaged page
            raise UserError(f"{self.where} is damaged: it holds unreadable text; restore it from a backup") from None

    def close(self) -> None:
        self.engine.dispose()


def user_message(error: DBAPIError, where: str) -> str | None:
    """A sentence for the driver errors people cause and can fix; None for bugs."""
    text = str(error.orig)
    lowered = text.lower()
    if "database is locked" in lowered or "database is busy" in lowered or "lock timeout" in lowered:
        return f"{where} is busy: another program is writing to it. Try again in a moment"
    if "file is not a database" in lowered or "malformed" in lowered or "disk image" in lowered:
        return f"{where} is damaged or is not an SIJ-PRO database ({text}); restore it from a backup"
    if "unable to open database" in lowered or "readonly database" in lowered:
        return f"{where} cannot be opened for writing ({text}): check the file and folder permissions"
    if "append-only" in lowered:
        return f"refused: {text.splitlines()[0]}"
    if "deadlock detected" in lowered or "could not serialize" in lowered:
        return f"{where} was busy with a conflicting change; nothing was saved. Try again"
    if isinstance(error, OperationalError) and (error.connection_invalidated or "connect" in lowered):
        first_line = text.splitlines()[0] if text else type(error.orig).__name__
        return f"cannot reach the database {where}: {first_line}"
    return None
