"""The clinic's database as one object: open it, sign in, then reach every use case through the session.

    Clinic.init(url)                     # create or upgrade (what `sijpro init` does)
    with Clinic.open(url) as clinic:
        nurse = clinic.sign_in("nurse1", password)
        patient = nurse.patients.register(draft)
        nurse.procedures.record(patient.id, surgery)
        nurse.schedule.worklist(day)

``url`` is an SQLAlchemy URL or a path to an SQLite file; None means ``$SIJPRO_DATABASE_URL``, else
``sijpro.sqlite`` in the user data folder. The clinic itself is a session of nobody (``actor`` is the name
the audit trail gives what is done before anyone signs in: failed sign-ins, for instance): it may sign
in, verify and take the scheduled backup, and nothing else (``sijpro.services.session``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from sijpro import __version__
from sijpro.access import AccessDenied, Principal
from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.services.audit import AuditWriter, Change
from sijpro.services.auth import load_account
from sijpro.services.context import Clock, SystemClock
from sijpro.services.session import Session
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


class Clinic(Session):
    def __init__(self, database: Database, *, actor: str = "system", clock: Clock | None = None) -> None:
        super().__init__(database, Principal.nobody(actor), clock or SystemClock())

    @classmethod
    def open(cls, url: str | None = None, *, actor: str = "system", clock: Clock | None = None,
             passphrase: PassphraseSource = None, current_schema: bool = True) -> Clinic:
        """Open an existing database at the current schema; refuses anything else with a clear message.

        ``passphrase`` (a string, or a function asked only when needed) unlocks an encrypted file.
        ``current_schema=False`` opens an older schema too, only to sign in before ``init`` upgrades it.
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
            if current_schema:
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

    def session(self, account: UserRecord | str) -> Session:
        """A session acting as ``account``, with the role the database holds for it now (not the one the
        caller's copy says). Whoever calls this has checked the person's password or PIN (``sign_in``,
        ``unlock`` or their own ``auth`` call); a deactivated or deleted account gets no session."""
        username = account if isinstance(account, str) else account.username
        user = load_account(self.context, username)
        if user is None or not user.active:
            raise AccessDenied(f"{username} cannot sign in: the account is not active")
        return Session(self.database, Principal.staff(user.username, user.role), self.context.clock, user)

    def sign_in(self, username: str, password: str) -> Session:
        """Check the password (refusals and lock-outs as ``Auth.authenticate`` says), then a session."""
        return self.session(self.auth.authenticate(username, password))

    def unlock(self, username: str | None, pin: str, *, device: str | None = None) -> Session:
        """A PIN (alone, or with a username) typed on the kiosk ``device``, then that nurse's session."""
        return self.session(self.auth.check_pin(username, pin, device=device))

    def system_session(self, actor: str) -> Session:
        """Every capability, for an in-process program that owns the database outright (the demo
        generator building a training clinic, a test): no front end uses it, the CLI and the desktop act
        through sign-in."""
        return Session(self.database, Principal.system(actor), self.context.clock)

    def delivery_session(self, actor: str, clock: Clock, device: str) -> Session:
        """What a tablet's journal delivers (``services.relay``): the answers, Sends and releases a kiosk
        session recorded while the database was out of reach, applied as that kiosk ("kiosk (nina)"), at
        the time they were given, from that tablet. It may answer and nothing else; the visit's claim
        still decides where it may write."""
        return Session(self.database, Principal.delivery(actor), clock, device=device)

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Clinic:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _remember(session: OrmSession, key: str, value: str, *, replace: bool) -> None:
    row = session.scalar(select(Meta).where(Meta.key == key))
    if row is None:
        session.add(Meta(key=key, value=value))
    elif replace:
        row.value = value
