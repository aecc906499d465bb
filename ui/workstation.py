"""This workstation's own choice of database, kept in the user's configuration folder.

What every workstation of a clinic shares (its name, the backup policy) lives in the database; which
database to open cannot. The desktop opens, in this order: ``--db``, ``$SIJPRO_DATABASE_URL``, the
database saved here, the default file in the user data folder. The file may hold a PostgreSQL password,
so it is readable by its owner only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sijpro.errors import UserError

if TYPE_CHECKING:
    import configparser

CONFIG_VARIABLE = "SIJPRO_CONFIG_DIR"
"""Moves the configuration folder (tests, a portable installation)."""
FILE_NAME = "workstation.ini"
SECTION = "database"
INTERFACE = "interface"


DATABASE_VARIABLE = "SIJPRO_DATABASE_URL"


def settings_path() -> Path:
    folder = os.environ.get(CONFIG_VARIABLE)
    if not folder:
        import platformdirs  # only when no folder was given: it is the app's first second

        folder = platformdirs.user_config_dir("sijpro", appauthor=False)
    return Path(folder) / FILE_NAME


def database_for_start(given: str | None) -> str | None:
    """The database the desktop opens: ``--db``, else ``$SIJPRO_DATABASE_URL`` (None lets the core read
    it), else the one saved for this workstation, else None (the default file)."""
    if given or os.environ.get(DATABASE_VARIABLE):
        return given
    return saved_database_url()


def _read() -> configparser.ConfigParser | None:
    """The workstation's settings file, or None when there is none (or it cannot be read)."""
    path = settings_path()
    if not path.is_file():
        return None
    import configparser  # read before the first window shows: loaded only when there is a file to read

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    return parser


def saved_database_url() -> str | None:
    """The database this workstation was told to open, or None."""
    parser = _read()
    return None if parser is None else parser.get(SECTION, "url", fallback=None) or None


def save_database_url(url: str) -> Path:
    """Remember ``url`` for the next start; the file is replaced whole, never left half-written."""
    return _save(SECTION, "url", url)


def remembered_language() -> str | None:
    """The language last chosen at this workstation's desk, or None."""
    parser = _read()
    return None if parser is None else parser.get(INTERFACE, "language", fallback=None) or None


def remember_language(code: str) -> None:
    """Keep the language chosen at the desk for the next start; a settings file that cannot be written
    only costs the choice, never the switch."""
    try:
        _save(INTERFACE, "language", code)
    except UserError:
        return


def _save(section: str, key: str, value: str) -> Path:
    """Set one value, keeping the others; the file is replaced whole, never left half-written."""
    import configparser
    import tempfile

    path = settings_path()
    parser = _read() or configparser.ConfigParser(interpolation=None)
    if not parser.has_section(section):
        parser.add_section(section)
    parser[section][key] = value
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, name = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=path.parent)
        partial = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            parser.write(stream)
        partial.chmod(0o600)
        partial.replace(path)
    except OSError as error:
        raise UserError(f"cannot save the workstation settings in {path}: {error.strerror or error}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return path
