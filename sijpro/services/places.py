"""Where a clinic database is and what state it is in, as the front ends may know it.

The desktop decides its first window (the first-run wizard, a passphrase, the sign-in screen) and the
administrator's database page tests a database before saving it: both need a few facts about files and
URLs that the storage layer owns. This module is the one door to them, so the UI never reaches into
``sijpro.storage`` (an import-linter contract holds it to that). It stays light: what the first window
needs loads no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sijpro.errors import PassphraseError, UserError
from sijpro.storage.encryption import PASSPHRASE_VARIABLE, file_state
from sijpro.storage.location import database_text, demo_database_path, local_database_file

__all__ = ["PASSPHRASE_VARIABLE", "PassphraseError", "Probe", "database_text", "demo_database_path",
           "file_state", "local_database_file", "probe", "shown"]

PROBE_ACTOR = "database-check"


def shown(url: str | None) -> str:
    """The database named by ``url`` (or the default one) as messages name it, without its password."""
    from sijpro.storage.engine import display_url, resolve_url

    return display_url(resolve_url(url))


@dataclass(frozen=True)
class Probe:
    """What a test of a database found."""

    url: str
    state: Literal["ready", "new", "encrypted"]
    where: str
    users: int = 0


def probe(url: str) -> Probe:
    """Reach the database at ``url`` and say what it is; a UserError says why it cannot be used."""
    from sijpro.services.clinic import Clinic
    from sijpro.services.first_run import is_new_database
    from sijpro.storage.engine import display_url, resolve_url, sqlite_path

    resolved = resolve_url(url)
    where = display_url(resolved)
    path = sqlite_path(resolved)
    if path is not None:
        if not path.is_absolute() or path.is_dir():
            raise UserError(f"{path}: give the full path of a database file, not a folder")
        if not path.parent.is_dir():
            raise UserError(f"{path}: the folder {path.parent} does not exist")
    if is_new_database(url):
        return Probe(url, "new", where)
    if path is not None and file_state(path) == "encrypted":
        return Probe(url, "encrypted", where)
    with Clinic.open(url, actor=PROBE_ACTOR) as clinic:
        return Probe(url, "ready", where, clinic.auth.account_count())
