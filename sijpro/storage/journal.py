"""The tablet's own journal: every answer is written here first, then delivered to the clinic database.

A patient's tap commits to a small SQLite file on the tablet (mode 0600; encrypted with SQLCipher under
the clinic's passphrase when the clinic database is encrypted), so it never waits on the network and is
never lost when the Wi-Fi drops. Each entry has its own id (a UUID); the relay
(``sijpro.services.relay``) delivers the entries in order and the clinic database records each id it
has applied, so an entry sent twice (its acknowledgement lost with the connection) is applied once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sijpro.errors import StorageFull, UserError
from sijpro.storage import encryption

FOLDER_VARIABLE: Final = "SIJPRO_JOURNAL_DIR"
KEEP_DELIVERED: Final = dt.timedelta(days=7)
SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    reason TEXT
)"""


@dataclass(frozen=True)
class Entry:
    seq: int
    id: str
    kind: str
    """'answer' (response_id, item, value), 'complete' (response_ids) or 'release' (visit_ids)."""
    payload: dict[str, Any]
    actor: str
    at: dt.datetime
    """When it was given on the tablet (UTC): the time the clinic database records."""


def journal_path(device: str, database: str) -> Path:
    """One journal per tablet and database (named by where it is), so answers given against one database
    (the demo clinic, say) are never delivered to another; in ``$SIJPRO_JOURNAL_DIR`` or the user data
    folder."""
    named = os.environ.get(FOLDER_VARIABLE)
    if named:
        folder = Path(named).expanduser()
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("sijpro", appauthor=False)) / "journals"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in device) or "kiosk"
    return folder / f"{safe}-{hashlib.sha256(database.encode('utf-8')).hexdigest()[:16]}.sqlite"


class Journal:
    """One tablet's entries; safe to use from the GUI thread and the relay thread at once."""

    def __init__(self, path: Path, passphrase: str | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            driver = encryption.sqlcipher() if passphrase else sqlite3
            self._errors: tuple[type[Exception], ...] = (sqlite3.Error, driver.Error)
            self._db = driver.connect(str(path), check_same_thread=False, isolation_level=None)
            if passphrase:
                self._db.execute(f"PRAGMA key = {encryption.quote(passphrase)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(SCHEMA)
        except Exception as error:  # OSError, or sqlite3's or SQLCipher's own error classes
            raise UserError(f"the tablet's answer journal {path} cannot be opened: {error}") from None
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                companion.chmod(0o600)
        self.prune()

    def append(self, kind: str, payload: dict[str, Any], actor: str, at: dt.datetime) -> str:
        """Commit one entry (fsync'd); returns its id."""
        entry_id = str(uuid.uuid4())
        with self._lock:
            try:
                self._db.execute("INSERT INTO entries (id, kind, payload, actor, at) VALUES (?, ?, ?, ?, ?)",
                                 (entry_id, kind, json.dumps(payload), actor, at.isoformat()))
            except self._errors as error:
                refusal = StorageFull if "full" in str(error).lower() else UserError
                raise refusal(f"the answer could not be kept on the tablet ({error})") from None
        return entry_id

    def pending(self, limit: int = 100) -> list[Entry]:
        with self._lock:
            rows = self._db.execute("SELECT seq, id, kind, payload, actor, at FROM entries WHERE state = 'pending' "
                                    "ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [Entry(seq, entry_id, kind, json.loads(payload), actor, dt.datetime.fromisoformat(at))
                for seq, entry_id, kind, payload, actor, at in rows]

    def mark(self, entry_id: str, state: str, reason: str | None = None) -> None:
        with self._lock:
            self._db.execute("UPDATE entries SET state = ?, reason = ? WHERE id = ?", (state, reason, entry_id))

    def counts(self) -> dict[str, int]:
        """Entries by state ('pending', 'delivered', 'refused')."""
        with self._lock:
            return dict(self._db.execute("SELECT state, count(*) FROM entries GROUP BY state").fetchall())

    def waiting_answers(self) -> int:
        """Answers given on this tablet not yet in the clinic database: what the nurse is shown."""
        with self._lock:
            return self._db.execute(
                "SELECT count(*) FROM entries WHERE state = 'pending' AND kind = 'answer'").fetchone()[0]

    def pending_answers(self, response_id: int) -> dict[str, int | None]:
        """The answers of one questionnaire still waiting, latest last (a resumed run shows them)."""
        answers: dict[str, int | None] = {}
        for entry in self.pending(limit=100_000):
            if entry.kind == "answer" and entry.payload["response_id"] == response_id:
                answers[entry.payload["item"]] = entry.payload["value"]
        return answers

    def prune(self) -> None:
        cutoff = (dt.datetime.now(dt.UTC) - KEEP_DELIVERED).isoformat()
        with self._lock:
            self._db.execute("DELETE FROM entries WHERE state = 'delivered' AND at < ?", (cutoff,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
