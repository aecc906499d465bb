"""Automatic rotating backups, and restores that check a backup before it replaces anything.

The app backs itself up when it closes and once a day when it opens (the GUI calls ``on_close`` and
``on_open``), into a folder beside the database unless the admin chose another, keeping the newest
``keep`` automatic backups; files someone wrote with ``sijpro backup -o`` are never touched. An
encrypted database's backups are copies of its encrypted pages: they stay encrypted.

A restore first copies the backup beside the database, opens the copy (it must be an SIJ-PRO database
at the current schema, unlocked by its passphrase if encrypted) and verifies it (integrity, foreign
keys, audit chain, scores). Only a copy without fault replaces the database, by an atomic rename, and
the replaced file is kept in the backup folder first. A corrupt or foreign file is refused with the
current database untouched.

Settings live in the database (``meta`` rows ``backup.*``), so every workstation of a clinic follows
the same policy; changing them is recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy import URL, func, select

from sijpro.access import Capability
from sijpro.errors import UserError
from sijpro.problems import Problem
from sijpro.progress import Progress, no_progress
from sijpro.services.audit import Change, record
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import Fault, verify, witnessed_copy
from sijpro.services.session import Session
from sijpro.storage import clinic_key, process_lock, server_lock
from sijpro.storage.backup import backup_sqlite
from sijpro.storage.database import Database
from sijpro.storage.encryption import PassphraseSource, file_state
from sijpro.storage.engine import make_engine, resolve_url, sqlite_path
from sijpro.storage.location import default_database_path
from sijpro.storage.models import Meta, Patient
from sijpro.storage.server_copy import backup_server, holds_clinic, refuse_unless_owner, replace_rows

AUTOMATIC_NAME = re.compile(r"^sijpro-(\d{8}-\d{6})(?:-(\d+))?-(close|daily|before-restore)(-faulty)?\.sqlite$")
FAULTY_MARK = "-faulty"
"""Added to the name of an automatic backup of a database ``verify`` found faults in."""
FAULTS_SUFFIX = ".faults.txt"
"""Beside a faulty backup: the faults ``verify`` found, one a line."""
STAMP = "%Y%m%d-%H%M%S"
DEFAULT_FOLDER_NAME = "backups"
SETTING_PREFIX = "backup."
MAX_KEEP = 1000


@dataclass(frozen=True)
class BackupSettings:
    keep: int = 14
    """How many automatic backups to keep (the newest)."""
    folder: str = ""
    """Where automatic backups go; empty: a 'backups' folder beside the database file."""
    on_close: bool = True
    daily: bool = True

    def problems(self) -> list[Problem]:
        found = []
        if not 1 <= self.keep <= MAX_KEEP:
            found.append(Problem("keep", "keep_range", {"value": str(self.keep), "high": str(MAX_KEEP)}))
        if self.folder and not Path(self.folder).expanduser().is_absolute():
            found.append(Problem("folder", "folder_absolute", {"value": repr(self.folder)}))
        return found


@dataclass(frozen=True)
class AutomaticBackup:
    path: Path
    taken_at: dt.datetime
    reason: str
    faulty: bool = False
    """``verify`` found faults in the database when this copy was taken (see its ``.faults.txt``)."""
    number: int = 1
    """Tells apart (and orders) backups taken within the same second."""

    @property
    def verified(self) -> bool:
        """Taken from a database that passed the whole of ``verify`` (a before-restore copy never is)."""
        return not self.faulty and self.reason != "before-restore"

    def faults(self) -> list[str]:
        try:
            return Path(f"{self.path}{FAULTS_SUFFIX}").read_text(encoding="utf-8").splitlines()
        except OSError:
            return []


@dataclass(frozen=True)
class BackupWarning:
    """What the administrator is told when the newest automatic backup is of a faulty database."""

    faulty: AutomaticBackup
    faults: tuple[str, ...]
    newest_verified: AutomaticBackup | None


def load_settings(clinic: Session) -> BackupSettings:
    with clinic.database.reading() as session:
        stored = {row.key.removeprefix(SETTING_PREFIX): row.value for row in session.scalars(
            select(Meta).where(Meta.key.startswith(SETTING_PREFIX)))}
    values: dict[str, Any] = {}
    for field in fields(BackupSettings):
        text = stored.get(field.name)
        if text is None:
            continue
        if field.type == "int":
            values[field.name] = int(text) if text.isdigit() else BackupSettings.keep
        elif field.type == "bool":
            values[field.name] = text == "1"
        else:
            values[field.name] = text
    return replace(BackupSettings(), **values)


def save_settings(clinic: Session, settings: BackupSettings) -> BackupSettings:
    """Store the policy (an admin action, recorded in the audit trail)."""
    clinic.principal.require(Capability.BACKUPS)
    problems = settings.problems()
    if problems:
        raise UserError("backup settings: " + "; ".join(map(str, problems)))
    before = load_settings(clinic)
    changes = []
    with clinic.database.writing() as session:
        for field in fields(BackupSettings):
            old, new = getattr(before, field.name), getattr(settings, field.name)
            if old == new:
                continue  # nothing written without its audit event (the settings rows are fingerprinted)
            text = ("1" if new else "0") if isinstance(new, bool) else str(new)
            row = session.get(Meta, SETTING_PREFIX + field.name)
            if row is None:
                session.add(Meta(key=SETTING_PREFIX + field.name, value=text))
            else:
                row.value = text
            changes.append(Change("setting", None, SETTING_PREFIX + field.name, old, new))
        session.flush()
        if changes:
            record(session, clinic.context, changes)
    return settings


def backup_folder(clinic: Session, settings: BackupSettings) -> Path | None:
    """The folder of automatic backups; None for a PostgreSQL database (its server backs it up)."""
    if settings.folder:
        return Path(settings.folder).expanduser()
    database = sqlite_path(clinic.database.url)
    return None if database is None else database.parent / DEFAULT_FOLDER_NAME


def automatic_backups(folder: Path) -> list[AutomaticBackup]:
    """The automatic backups in ``folder``, oldest first (files of any other name are not ours).

    Names carry the local time they were taken at, as a person looking at the folder reads them.
    """
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = AUTOMATIC_NAME.match(path.name)
            if match and path.is_file():
                found.append(AutomaticBackup(path, dt.datetime.strptime(match.group(1), STAMP), match.group(3),
                                             faulty=match.group(4) is not None, number=int(match.group(2) or 1)))
    return sorted(found, key=lambda item: (item.taken_at, item.number, item.path.name))


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups, except the newest verified one, which is kept
    whatever its age (copies of a damaged database must not push the last good copy out); returns what
    was deleted."""
    existing = automatic_backups(folder)
    last_good = newest_verified(existing)
    doomed = [item.path for item in existing[: max(len(existing) - keep, 0)] if item != last_good]
    for path in doomed:
        path.unlink(missing_ok=True)
        for companion in ("-wal", FAULTS_SUFFIX):  # beside a 'before-restore' or a faulty copy, if any
            Path(f"{path}{companion}").unlink(missing_ok=True)
    return doomed


def newest_verified(existing: list[AutomaticBackup]) -> AutomaticBackup | None:
    return next((item for item in reversed(existing) if item.verified), None)


def backup_warning(clinic: Session) -> BackupWarning | None:
    """A warning for the administrator when the newest automatic backup is of a faulty database."""
    folder = backup_folder(clinic, load_settings(clinic))
    existing = [item for item in automatic_backups(folder) if item.reason != "before-restore"] if folder else []
    if not existing or not existing[-1].faulty:
        return None
    return BackupWarning(existing[-1], tuple(existing[-1].faults()), newest_verified(existing))


def _name_in(folder: Path, moment: dt.datetime, reason: str, mark: str = "") -> Path:
    """A new backup's name; a second one within the same second gets the next number, so the order of
    the backups stays the order they were taken in."""
    stamp = moment.strftime(STAMP)
    taken = [item.number for item in automatic_backups(folder) if item.path.name.startswith(f"sijpro-{stamp}-")]
    number = max(taken, default=0) + 1
    while True:
        candidate = folder / (f"sijpro-{stamp}-{reason}{mark}.sqlite" if number == 1
                              else f"sijpro-{stamp}-{number}-{reason}{mark}.sqlite")
        if not candidate.exists():
            return candidate
        number += 1


def auto_backup(clinic: Session, settings: BackupSettings | None = None, *, reason: str = "close") -> Path | None:
    """Verify the database (the whole of ``verify``), back it up into the backup folder and rotate; None
    when there is nothing this app can back up.

    A database with faults is still copied (the copy may be all there is), but the copy's name says
    ``-faulty`` and its faults are written beside it; rotation never removes the newest verified copy.

    Needs no account (``sijpro backups --now`` from a scheduled task): where the copy goes is the policy an
    administrator set, not the caller's choice.
    """
    clinic.principal.require(Capability.SCHEDULED_BACKUP)
    settings = settings or load_settings(clinic)
    folder = backup_folder(clinic, settings)
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise UserError(f"cannot create the backup folder {folder}: {error.strerror or error}") from None
    faults = [str(fault) for fault in verify(clinic)]
    target = _name_in(folder, clinic.context.now().astimezone(), reason, FAULTY_MARK if faults else "")
    listed = Path(f"{target}{FAULTS_SUFFIX}")
    if faults:
        _write_owner_only(listed, "".join(f"{fault}\n" for fault in faults))
    try:
        written = witnessed_copy(clinic, target)
    except UserError:
        listed.unlink(missing_ok=True)
        raise
    rotate(folder, settings.keep)
    return written


def _write_owner_only(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def on_close(clinic: Session) -> Path | None:
    """What the GUI calls when it closes: a backup, if the policy asks for one."""
    settings = load_settings(clinic)
    return auto_backup(clinic, settings, reason="close") if settings.on_close else None


def on_open(clinic: Session) -> Path | None:
    """What the GUI calls when it opens: the day's backup, unless one was taken today already."""
    settings = load_settings(clinic)
    folder = backup_folder(clinic, settings)
    if not settings.daily or folder is None:
        return None
    today = clinic.context.today()
    if any(item.taken_at.date() == today for item in automatic_backups(folder)):
        return None
    return auto_backup(clinic, settings, reason="daily")


# --- checking and restoring a backup ------------------------------------------------------------------

@dataclass(frozen=True)
class BackupCheck:
    source: Path
    patients: int
    schema: str
    encrypted: bool
    faults: tuple[Fault, ...]
    head: tuple[str, int, str] | None = None
    """The clinic's id and the chain head the backup holds."""

    @property
    def ok(self) -> bool:
        return not self.faults


@dataclass(frozen=True)
class RestoreReport:
    database: str
    """The database restored into, as messages name it."""
    check: BackupCheck
    kept_previous: Path | None


def _copy_beside(source: Path, folder: Path) -> Path:
    if source.is_dir():
        raise UserError(f"{source} is a folder: give the backup file in it")
    if not source.is_file():
        raise UserError(f"{source}: there is no such backup file")
    handle, name = tempfile.mkstemp(prefix=".sijpro-restore-", suffix=".sqlite", dir=folder)
    os.close(handle)
    copy = Path(name)
    try:
        shutil.copyfile(source, copy)
    except OSError as error:
        copy.unlink(missing_ok=True)
        raise UserError(f"cannot copy {source}: {error.strerror or error}") from None
    return copy


def _check_copy(copy: Path, source: Path, passphrase: PassphraseSource) -> BackupCheck:
    """Open and verify ``copy`` (never the backup itself: opening a database may write to it)."""
    encrypted = file_state(copy) == "encrypted"
    try:
        clinic = Clinic.open(str(copy), actor="restore", passphrase=passphrase)
    except UserError as error:
        message = str(error).replace(str(copy), str(source))
        if "is not an SIJ-PRO database yet" in message:  # advice to run 'init' is for a new database, not here
            message = f"{source} is not an SIJ-PRO database (it has none of its tables)"
        return BackupCheck(source, 0, "", encrypted, (Fault("database", message),))
    with clinic:
        faults = tuple(verify(clinic))
        with clinic.database.connection() as connection:
            patients = connection.execute(select(func.count()).select_from(Patient)).scalar() or 0
            schema = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() or ""
            head = clinic.database.head(connection)
    return BackupCheck(source, patients, str(schema), encrypted, faults, head)


def check_backup(source: Path, passphrase: PassphraseSource = None) -> BackupCheck:
    """Verify a backup file as ``sijpro verify`` verifies a database, without changing the file."""
    source = Path(source).expanduser().resolve()
    with tempfile.TemporaryDirectory(prefix="sijpro-verify-") as folder:
        copy = _copy_beside(source, Path(folder))
        return _check_copy(copy, source, passphrase)


def restore(url: str | None, source: Path, *, passphrase: PassphraseSource = None,
            backups_folder: Path | None = None, progress: Progress = no_progress) -> RestoreReport:
    """Replace the database at ``url`` by the backup ``source``, if the backup passes every check; refused
    while any other SIJ-PRO program has the database open."""
    resolved = resolve_url(url)
    if resolved.get_backend_name() == "postgresql":
        return _restore_server(resolved, source, passphrase, backups_folder, progress)
    database = sqlite_path(resolved)
    if database is None:
        raise UserError("an in-memory database has nothing a backup could be restored into")
    source = Path(source).expanduser().resolve()
    if source == database.resolve():
        raise UserError("the backup to restore is the database itself")
    if not database.parent.is_dir():
        raise UserError(f"cannot restore into {database}: folder {database.parent} does not exist")
    progress(0, 4)
    with process_lock.alone(database, "restore the database"):
        copy = _copy_beside(source, database.parent)
        try:
            progress(1, 4)
            check = _check_copy(copy, source, passphrase)
            if not check.ok:
                listed = "; ".join(str(fault) for fault in check.faults[:5])
                raise UserError(f"{source} was not restored, the database is unchanged: {listed}")
            progress(2, 4)
            kept = _keep_previous(database, backups_folder or database.parent / DEFAULT_FOLDER_NAME, passphrase)
            progress(3, 4)
            copy.replace(database)
            for suffix in ("-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            if check.head is not None:  # the witness starts again from the restored head: the trail went back
                clinic_key.witness(str(database), *check.head, kind="restore")
        finally:
            copy.unlink(missing_ok=True)
            process_lock.lock_path(copy).unlink(missing_ok=True)
    progress(4, 4)
    return RestoreReport(str(database), check, kept)


def _restore_server(url: URL, source: Path, passphrase: PassphraseSource, backups_folder: Path | None,
                    progress: Progress) -> RestoreReport:
    """Restore onto PostgreSQL: the backup checked (a copy of it, in a private folder), then, holding the
    clinic's lock alone, the database kept as a backup and its rows replaced in one transaction."""
    source = Path(source).expanduser().resolve()
    progress(0, 4)
    with tempfile.TemporaryDirectory(prefix="sijpro-restore-") as folder:
        copy = _copy_beside(source, Path(folder))
        check = _check_copy(copy, source, passphrase)
        if not check.ok:
            listed = "; ".join(str(fault) for fault in check.faults[:5])
            raise UserError(f"{source} was not restored, the database is unchanged: {listed}")
        if check.encrypted:
            raise UserError(f"{source} is the backup of an encrypted database file: restore it onto that file "
                            "(to move a clinic onto the server, use 'sijpro copy'); nothing was restored")
        progress(1, 4)
        database = Database(url)
        try:
            with server_lock.alone(database.engine, database.where, "restore the database"):
                progress(2, 4)
                kept = _keep_server(database, backups_folder)
                progress(3, 4)
                mark = None if check.head is None else clinic_key.restore_mark(database.audit_key, *check.head)
                backup_engine = make_engine(URL.create("sqlite", database=str(copy)))
                try:
                    replace_rows(backup_engine, database.engine, database.where, mark)
                finally:
                    backup_engine.dispose()
                if check.head is not None:  # the witness starts again from the restored head
                    clinic_key.witness(database.where, *check.head, kind="restore")
        finally:
            database.close()
    progress(4, 4)
    return RestoreReport(database.where, check, kept)


def _keep_server(database: Database, folder: Path | None) -> Path | None:
    """The server database about to be replaced, backed up whole into ``folder`` (else the backup folder
    its settings name, else the user's), or None when it holds no SIJ-PRO tables yet."""
    with database.translated_errors(), database.engine.connect() as connection:
        try:
            if not holds_clinic(connection, database.where):
                return None
        except UserError as error:
            raise UserError(f"nothing was restored: {error}") from None
        refuse_unless_owner(connection, database.where)
        chosen = connection.execute(select(Meta.value).where(Meta.key == SETTING_PREFIX + "folder")).scalar()
    folder = folder or (Path(chosen).expanduser() if chosen else default_database_path().parent / DEFAULT_FOLDER_NAME)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise UserError(f"cannot create the backup folder {folder}: {error.strerror or error}; nothing was "
                        "restored") from None
    return backup_server(database.engine, database.where, _name_in(folder, dt.datetime.now().astimezone(),
                                                                   "before-restore"))


def _keep_previous(database: Path, folder: Path, passphrase: PassphraseSource = None) -> Path | None:
    """Copy the database about to be replaced into ``folder``: one whole file, readable by its owner only.

    SQLite's backup API folds in what its ``-wal`` holds, for an encrypted file too when the restore's
    passphrase opens it (the same clinic's backup usually has the same passphrase; the copy stays
    encrypted with it). Only a file it cannot read (damaged, or encrypted with another passphrase) is
    kept as it is, its ``-wal`` beside it, both 0600.
    """
    if not database.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _name_in(folder, dt.datetime.now().astimezone(), "before-restore")
    key = None
    if file_state(database) == "encrypted":
        key = (passphrase() if callable(passphrase) else passphrase) or None
    if key is not None or file_state(database) != "encrypted":
        try:
            return backup_sqlite(database, target, passphrase=key)
        except UserError:
            target.unlink(missing_ok=True)  # damaged, or another passphrase: keep the bytes as they are
    _owner_only_copy(database, target)
    wal = Path(f"{database}-wal")
    if wal.exists() and wal.stat().st_size:
        _owner_only_copy(wal, Path(f"{target}-wal"))
    return target


def _owner_only_copy(source: Path, target: Path) -> None:
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as out, source.open("rb") as data:
        shutil.copyfileobj(data, out)
