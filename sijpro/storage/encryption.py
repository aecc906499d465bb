"""Encryption at rest for the SQLite database file, with SQLCipher (the ``sqlcipher3`` package).

A clinic workstation may be lost or stolen; an encrypted database file (and every backup of it, which
is a copy of the same encrypted pages) is unreadable without its passphrase. SQLCipher derives the key
from the passphrase (PBKDF2-HMAC-SHA512, 256,000 iterations) and encrypts every page with AES-256 and
an HMAC, so a wrong passphrase is detected on the first page read.

The file tells whether it is encrypted: a plain SQLite file starts with ``SQLite format 3``, an
SQLCipher file with random salt. Turning encryption on or off (an admin decision) rewrites the whole
file into a new one beside it, checks the copy, then swaps it in, so a failure leaves the original.
Close every other SIJ-PRO window first: a program still holding the old file would write into it.
PostgreSQL is encrypted (or not) by its server; this module is for SQLite files only.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from sijpro.errors import PassphraseError, UserError

if TYPE_CHECKING:
    from sqlalchemy import URL

SQLITE_HEADER = b"SQLite format 3\x00"
PASSPHRASE_VARIABLE = "SIJPRO_PASSPHRASE"
MINIMUM_LENGTH = 8
DRIVER = "sqlite+pysqlcipher"

FileState = Literal["missing", "empty", "plain", "encrypted", "other"]
PassphraseSource = str | Callable[[], str] | None
"""A passphrase, or a function that asks for it (called only when the file is encrypted)."""


def file_state(path: Path) -> FileState:
    """What the file at ``path`` is, from its first 16 bytes and its size.

    An SQLCipher file has no readable header, but it is whole pages (a multiple of 512 bytes, at least
    two pages); anything else without the SQLite header is some other file.
    """
    try:
        with Path(path).open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
            size = handle.seek(0, 2)
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        raise UserError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if not header:
        return "empty"
    if header == SQLITE_HEADER:
        return "plain"
    return "encrypted" if size >= 1024 and size % 512 == 0 else "other"


def sqlcipher() -> ModuleType:
    """The SQLCipher driver, with its own error log silenced (we report wrong passphrases ourselves)."""
    try:
        import sqlcipher3
    except ImportError:
        raise UserError("this database is encrypted, but the sqlcipher3 package is not installed") from None
    probe = sqlcipher3.connect(":memory:")
    try:
        probe.execute("PRAGMA cipher_log_level = NONE")  # process-wide: no "hmac check failed" on stderr
    finally:
        probe.close()
    return sqlcipher3


def keyed_url(url: URL, passphrase: str) -> URL:
    """The SQLAlchemy URL that opens an encrypted SQLite file with SQLCipher and this passphrase."""
    sqlcipher()
    return url.set(drivername=DRIVER, password=passphrase)


def unlock(url: URL, passphrase: PassphraseSource) -> URL:
    """The URL to open: unchanged for a plain file or a server, keyed for an encrypted file.

    The passphrase is checked here, so a wrong one is a clear message and not a 'damaged file' later.
    """
    path = None if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") else Path(url.database)
    if path is None or file_state(path) != "encrypted":
        return url
    given = passphrase() if callable(passphrase) else passphrase
    if not given:
        raise PassphraseError(f"{path} is encrypted: give its passphrase ({PASSPHRASE_VARIABLE}, "
                              "--passphrase-stdin, or type it when asked)")
    check_passphrase(path, given)
    return keyed_url(url, given)


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_strength(passphrase: str) -> None:
    if len(passphrase) < MINIMUM_LENGTH:
        raise PassphraseError(f"a passphrase needs at least {MINIMUM_LENGTH} characters")
    if not passphrase.strip() or passphrase != passphrase.strip():
        raise PassphraseError("a passphrase may not start or end with spaces")


@contextlib.contextmanager
def open_encrypted(path: Path, passphrase: str) -> Iterator[Any]:
    """A raw SQLCipher connection to an encrypted file, the passphrase checked on the first page."""
    driver = sqlcipher()
    connection = driver.connect(str(path), isolation_level=None)
    try:
        connection.execute(f"PRAGMA key = {quote(passphrase)}")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except driver.DatabaseError:
            raise PassphraseError(f"wrong passphrase for {path} (or the file is damaged)") from None
        yield connection
    finally:
        connection.close()


def check_passphrase(path: Path, passphrase: str) -> None:
    with open_encrypted(path, passphrase):
        pass


def _new_file_beside(path: Path) -> Path:
    """An empty file readable by its owner only (mkstemp's mode), in the same folder (atomic rename)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(name)


def _swap_in(new: Path, path: Path) -> None:
    """Replace ``path`` by ``new`` and drop the old write-ahead log, which belonged to the old file."""
    with new.open("rb") as handle:
        os.fsync(handle.fileno())
    new.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _export(source: Any, target: Path, target_key: str) -> None:
    """Copy every table, index and the user_version of ``source`` into ``target`` under ``target_key``."""
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.execute(f"ATTACH DATABASE {quote(str(target))} AS exported KEY {quote(target_key)}")
    try:
        source.execute("SELECT sqlcipher_export('exported')")
        version = source.execute("PRAGMA main.user_version").fetchone()[0]
        source.execute(f"PRAGMA exported.user_version = {int(version)}")
    finally:
        source.execute("DETACH DATABASE exported")


def _require_state(path: Path, wanted: FileState, action: str) -> None:
    state = file_state(path)
    if state == wanted:
        return
    if state == "missing":
        raise UserError(f"there is no database at {path}")
    if state == "encrypted":
        raise UserError(f"{path} is already encrypted; nothing to {action}")
    raise UserError(f"{path} is not encrypted; nothing to {action}")


def encrypt_database(path: Path, passphrase: str) -> None:
    """Encrypt a plain SQLite database file in place (through a checked copy)."""
    path = Path(path)
    _require_state(path, "plain", "encrypt")
    check_strength(passphrase)
    driver = sqlcipher()
    new = _new_file_beside(path)
    try:
        source = driver.connect(str(path), isolation_level=None)
        try:
            _export(source, new, passphrase)
        finally:
            source.close()
        _verify_copy(new, passphrase, path)
        _swap_in(new, path)
    finally:
        new.unlink(missing_ok=True)


def decrypt_database(path: Path, passphrase: str) -> None:
    """Turn an encrypted database back into a plain SQLite file (through a checked copy)."""
    path = Path(path)
    _require_state(path, "encrypted", "decrypt")
    new = _new_file_beside(path)
    try:
        with open_encrypted(path, passphrase) as source:
            _export(source, new, "")
        _verify_copy(new, None, path)
        _swap_in(new, path)
    finally:
        new.unlink(missing_ok=True)


def change_passphrase(path: Path, old: str, new: str) -> None:
    """Re-key an encrypted database (SQLCipher rewrites every page in one transaction)."""
    path = Path(path)
    _require_state(path, "encrypted", "re-key")
    check_strength(new)
    with open_encrypted(path, old) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute(f"PRAGMA rekey = {quote(new)}")
    check_passphrase(path, new)


def _verify_copy(copy: Path, passphrase: str | None, original: Path) -> None:
    """The copy must pass SQLite's integrity check before it may replace the original."""
    driver = sqlcipher()
    connection = driver.connect(str(copy), isolation_level=None)
    try:
        if passphrase is not None:
            connection.execute(f"PRAGMA key = {quote(passphrase)}")
        result = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    if result != [("ok",)]:
        raise UserError(f"the rewritten copy of {original} failed its integrity check; the original is untouched")
