"""The clinic key that seals the audit trail, and the witness file that remembers how far the trail got.

Both live outside the database file, so someone who can edit the file with ``sqlite3`` can neither
recompute the chain (its hashes are HMAC-SHA-256 under the key, not plain SHA-256 of public fields) nor
cut its end unnoticed (the witness names the last event every write and backup saw).

The key is 32 random bytes in a file readable by its owner only: ``$SIJPRO_CLINIC_KEY_FILE``, else
``clinic.key`` in the user data folder, beside the default database's ``backups`` folder. Every
workstation writing to a shared PostgreSQL database needs the same key file (point the variable at it).

The witness is one small append-only file per database (named after its location) in a ``witness``
folder beside the key: one JSON line per committed write, backup or restore giving the chain head. A
restore writes a line that starts the count again from the restored head. A server database has one
witness file per workstation, and only the restoring one sees that line; so a restore also leaves a
*restore mark* in the database (``meta`` row ``last_restore``): when it happened and the head it
restored, sealed with the clinic key, so no one without the key can forge one to excuse a cut trail.
Every witness counts only what it saw after the newest genuine mark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sijpro.errors import UserError

KEY_FILE_VARIABLE: Final = "SIJPRO_CLINIC_KEY_FILE"
KEY_FILE_NAME: Final = "clinic.key"
KEY_BYTES: Final = 32
WITNESS_FOLDER: Final = "witness"
WITNESS_COMPACT_BYTES: Final = 256 * 1024
WITNESS_KEEP_LINES: Final = 200
KEY_CHECK_LABEL: Final = b"sijpro clinic key check"
RESTORE_MARK_KEY: Final = "last_restore"
"""The ``meta`` row holding the restore mark (not fingerprinted with the settings: it is sealed itself)."""


def key_path() -> Path:
    named = os.environ.get(KEY_FILE_VARIABLE)
    if named:
        return Path(named).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sijpro", appauthor=False)) / KEY_FILE_NAME


def load_key(*, create: bool = True) -> bytes:
    """The clinic key; created (mode 0600) the first time when ``create``. A damaged file is refused."""
    path = key_path()
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise UserError(f"the clinic key {path} is missing: the audit trail cannot be checked or extended "
                            "without it. Put back the key file from the clinic's safe copy") from None
        return _create_key(path)
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"the clinic key {path} cannot be read: {getattr(error, 'strerror', None) or error}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise UserError(f"the clinic key {path} is damaged (expected {KEY_BYTES * 2} hexadecimal digits)")
    return key


def _create_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return load_key(create=False)
    except OSError as error:
        raise UserError(f"cannot create the clinic key {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def key_check(key: bytes) -> str:
    """A fingerprint of the key stored in the database, so a wrong key is told apart from tampering."""
    return hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


# --- the witness ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Witnessed:
    clinic: str
    last_id: int
    last_hash: str
    at: str
    kind: str
    """'write', 'backup' or 'restore' (a restore starts the count again)."""


def witness_path(location: str) -> Path:
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:20]
    return key_path().parent / WITNESS_FOLDER / f"{digest}.jsonl"


def witness(location: str, clinic: str, last_id: int, last_hash: str, kind: str = "write") -> None:
    """Append the chain head to the database's witness file (best effort: a full disk must not stop care)."""
    path = witness_path(location)
    line = json.dumps({"db": location, "clinic": clinic, "id": last_id, "hash": last_hash, "kind": kind,
                       "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        if path.stat().st_size > WITNESS_COMPACT_BYTES:
            _compact(path)
    except OSError:
        pass


def _compact(path: Path) -> None:
    """Keep the newest lines (and so the highest head since the last restore) once the file grows."""
    lines = path.read_text(encoding="utf-8").splitlines()[-WITNESS_KEEP_LINES:]
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    partial.replace(path)


def witnessed(location: str, clinic: str) -> list[Witnessed]:
    """What the witness holds for this database since its last restore, oldest first."""
    path = witness_path(location)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found: list[Witnessed] = []
    for line in lines:
        try:
            item = json.loads(line)
            entry = Witnessed(str(item["clinic"]), int(item["id"]), str(item["hash"]), str(item["at"]),
                              str(item["kind"]))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by a crash
        if entry.clinic != clinic or item.get("db") != location:
            continue
        if entry.kind == "restore":
            found = []
        found.append(entry)
    return found


# --- the restore mark -------------------------------------------------------------------------------

def restore_mark(key: bytes, clinic: str, last_id: int, last_hash: str, at: dt.datetime | None = None) -> str:
    """The ``last_restore`` value for a restore, now, to the head (last_id, last_hash) of ``clinic``."""
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps({"at": moment, "id": last_id, "hash": last_hash,
                       "seal": _seal(key, clinic, moment, last_id, last_hash)}, separators=(",", ":"))


def restored_at(key: bytes, clinic: str, mark: str | None) -> dt.datetime | None:
    """When the restore the mark records happened; None without a mark, or for one the key did not seal."""
    if not mark:
        return None
    try:
        item = json.loads(mark)
        moment, last_id, last_hash, seal = str(item["at"]), int(item["id"]), str(item["hash"]), str(item["seal"])
        when = dt.datetime.fromisoformat(moment)
    except (ValueError, KeyError, TypeError):
        return None
    if not hmac.compare_digest(seal, _seal(key, clinic, moment, last_id, last_hash)):
        return None
    return when


def _seal(key: bytes, clinic: str, moment: str, last_id: int, last_hash: str) -> str:
    return hmac.new(key, f"restore|{clinic}|{moment}|{last_id}|{last_hash}".encode(), hashlib.sha256).hexdigest()
