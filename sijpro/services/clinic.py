"""The clinic's database as one object: open it, then reach every use case through it.

    Clinic.init(url)                     # create or upgrade (what `sijpro init` does)
    with Clinic.open(url, actor="nurse1") as clinic:
        patient = clinic.patients.register(draft)
        clinic.procedures.record(patient.id, surgery)
        clinic.schedule.worklist(day)

``url`` is an SQLAlchemy URL or a path to an SQLite file; None means ``$SIJPRO_DATABASE_URL``, else
``sijpro.sqlite`` in the user data folder. ``actor`` is the username written in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijpro import __version__
from sijpro.errors import UserError
from sijpro.services.audit import AuditTrail, AuditWriter, Change
from sijpro.services.auth import Auth
from sijpro.services.claims import Claims
from sijpro.services.clinic_settings import Settings
from sijpro.services.cohort import Cohort
from sijpro.services.collection import Collection
from sijpro.services.complications import Complications
from sijpro.services.context import Clock, ServiceContext, SystemClock
from sijpro.services.exports import Exports
from sijpro.services.imports import Imports
from sijpro.services.outcomes import Outcomes
from sijpro.services.patients import Patients
from sijpro.services.procedures import Procedures
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import Schedule
from sijpro.storage import clinic_key, schema
from sijpro.storage.database import CLINIC_ID_KEY, KEY_CHECK_KEY, Database
from sijpro.storage.encryption import PassphraseSource, unlock
from sijpro.storage.engine import create_sqlite_file, is_in_memory, resolve_url, sqlite_path
from sijpro.storage.models import Meta


@dataclass(frozen=True)
class InitReport:
    where: str
    created_file: bool
    revision_before: str | None
    revision_after: str
    stored_default_protocol: bool

    @property
    def summary(self) -> str:
        if self.revision_before is None:
            return f"created the SIJ-PRO database {self.where} (schema {self.revision_after})"
        if self.revision_before != self.revision_after:
            return f"upgraded {self.where} from schema {self.revision_before} to {self.revision_after}"
        return f"{self.where} is up to date (schema {self.revision_after})"


class Clinic:
    def __init__(self, database: Database, *, actor: str = "system", clock: Clock | None = None) -> None:
        self.database = database
        self.context = ServiceContext(database, actor, clock or SystemClock())
        self.protocols = Protocols(self.context)
        self.patients = Patients(self.context)
        self.procedures = Procedures(self.context, self.protocols)
        self.complications = Complications(self.context)
        self.schedule = Schedule(self.context)
        self.collection = Collection(self.context, self.protocols)
        self.claims = Claims(self.context)
        self.outcomes = Outcomes(self.context)
        self.cohort = Cohort(self.context, self.outcomes, self.protocols)
        self.imports = Imports(self.context, self.protocols)
        self.exports = Exports(self.context, self.protocols)
        self.audit = AuditTrail(self.context)
        self.auth = Auth(self.context)
        self.settings = Settings(self.context)

    @classmethod
    def open(cls, url: str | None = None, *, actor: str = "system", clock: Clock | None = None,
             passphrase: PassphraseSource = None) -> Clinic:
        """Open an existing database at the current schema; refuses anything else with a clear message.

        ``passphrase`` (a string, or a function asked only when needed) unlocks an encrypted file.
        An in-memory SQLite URL (``sqlite://``) gives a private, initialised database that lives as long
        as the Clinic: for experiments and quick tests.
        """
        resolved = resolve_url(url)
        path = sqlite_path(resolved)
        if path is not None and not path.is_file():
            raise UserError(f"there is no SIJ-PRO database at {path}: run 'sijpro init' to create it")
        database = Database(unlock(resolved, passphrase))
        try:
            if is_in_memory(resolved):
                clinic = cls(database, actor=actor, clock=clock)
                clinic._prepare()
                return clinic
            with database.translated_errors(), database.engine.connect() as connection:
                schema.check_current(connection, database.where)
        except BaseException:
            database.close()
            raise
        return cls(database, actor=actor, clock=clock)

    @classmethod
    def init(cls, url: str | None = None, *, actor: str = "system", clock: Clock | None = None,
             passphrase: PassphraseSource = None) -> InitReport:
        """Create the database (an SQLite file readable by its owner only) or upgrade it; idempotent."""
        resolved = resolve_url(url)
        path = sqlite_path(resolved)
        created = path is not None and not path.exists()
        if created:
            assert path is not None
            try:
                create_sqlite_file(path)
            except OSError as error:
                raise UserError(f"cannot create {path}: {error.strerror}") from None
        database = Database(unlock(resolved, passphrase))
        try:
            return cls(database, actor=actor, clock=clock)._prepare(created_file=created)
        finally:
            database.close()

    @staticmethod
    def grant_app_role(url: str | None, role: str) -> bool:
        """PostgreSQL: the role the app connects as, owning nothing (``sijpro.storage.app_role``); True when
        it was created. Run as the tables' owner."""
        from sijpro.storage.app_role import grant_app_role

        database = Database(resolve_url(url))
        try:
            with database.connection(write=True) as connection:
                return grant_app_role(connection, role)
        finally:
            database.close()

    def _prepare(self, *, created_file: bool = False) -> InitReport:
        """Schema to head, the default protocol in an empty database, and when and by what it was made."""
        with self.database.translated_errors():
            before, after = schema.upgrade(self.database.engine)
        with self.database.reading() as session:
            sealed = session.get(Meta, KEY_CHECK_KEY) is not None
        # A new database gets the clinic key (made once per installation); an existing one must find it.
        key = clinic_key.load_key(create=not sealed)
        self.database.use_key(key)
        with self.database.writing() as session:
            _remember(session, CLINIC_ID_KEY, uuid.uuid4().hex, replace=False)
            _remember(session, KEY_CHECK_KEY, clinic_key.key_check(key), replace=False)
            stored = self.protocols.ensure_default(session)
            _remember(session, "created_by_release", __version__, replace=False)
            _remember(session, "created_at", self.context.now().isoformat(), replace=False)
            _remember(session, "last_init_release", __version__, replace=True)
            if sealed and before is not None and before != after:
                # the migrations may have rewritten rows (a new column filled in): record it, and the rows
                writer = AuditWriter(session.connection(), self.context.actor, self.context.now(), key)
                writer.append([Change("database", None, "schema", before, after, "sijpro init (upgrade)")])
                writer.seal(everything=True)
        return InitReport(self.database.where, created_file, before, after, stored)

    @property
    def where(self) -> str:
        return self.database.where

    @property
    def dialect(self) -> str:
        return self.database.dialect

    @property
    def today(self) -> dt.date:
        return self.context.today()

    def act_as(self, actor: str) -> None:
        """Name ``actor`` in the audit trail from now on: the staff desktop keeps one database open while
        people sign in and out of it."""
        self.context.actor = actor

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Clinic:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _remember(session: Session, key: str, value: str, *, replace: bool) -> None:
    row = session.scalar(select(Meta).where(Meta.key == key))
    if row is None:
        session.add(Meta(key=key, value=value))
    elif replace:
        row.value = value
