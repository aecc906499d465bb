"""This workstation's own choice of database, kept in the user's configuration folder.

What every workstation of a clinic shares (its name, the backup policy) lives in the database; which
database to open cannot. The desktop opens, in this order: ``--db``, ``$SIJPRO_DATABASE_URL``, the
database saved here, the default file in the user data folder. The file is readable by its owner
only, and never holds a password: a PostgreSQL server's password goes to the system's credential store
(``sijpro.credentials``), and where there is none it is asked at each start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from sijpro.errors import UserError

if TYPE_CHECKING:
    import configparser

PasswordPlace = Literal["keyring", "ask"]
"""Where the saved server's password is: the system's credential store, or asked at each start."""
PASSWORD_KEY: Final = "password"

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


def database_for_start(given: str | None, ask_password: Callable[[str], str | None] | None = None) -> str | None:
    """The database the desktop opens: ``--db``, else ``$SIJPRO_DATABASE_URL`` (None lets the core read
    it), else the one saved for this workstation, else None (the default file).

    The saved server's password comes from the credential store, else from ``ask_password(address)``
    (the address shown without a password), else it is left out (the server then says what it wants).
    """
    if given or os.environ.get(DATABASE_VARIABLE):
        return given
    address = saved_database_url()
    if address is None:
        return None
    from sijpro import credentials

    place = password_place()
    if place is None:
        return address
    password = credentials.stored_password(address) if place == "keyring" else None
    if password is None and ask_password is not None:
        password = ask_password(address)
    return credentials.with_password(address, password) if password else address


def password_place() -> PasswordPlace | None:
    """Where the saved database's password is (None: it needs none, or none was given)."""
    parser = _read()
    place = None if parser is None else parser.get(SECTION, PASSWORD_KEY, fallback=None)
    if place == "keyring":
        return "keyring"
    return "ask" if place == "ask" else None


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
    """The database this workstation was told to open (a server's address without its password), or None.

    A file written by an older release with the password in the URL is rewritten without it, the password
    moved to the credential store (or, without one, asked from now on).
    """
    parser = _read()
    url = None if parser is None else parser.get(SECTION, "url", fallback=None) or None
    if url is None:
        return None
    from sijpro import credentials

    address, password = credentials.split_password(url)
    if password is not None:
        try:
            save_database_url(url)
        except UserError:
            return url  # a folder that cannot be written: the old file goes on working as it was
    return address


def save_database_url(url: str) -> PasswordPlace | None:
    """Remember ``url`` for the next start, its password (if any) in the system's credential store.

    Returns where the password went: ``"keyring"``, or ``"ask"`` when this computer has no credential
    store (it is then kept nowhere, and asked at each start); None when the URL has none. The settings
    file is replaced whole, never left half-written, and never holds the password.
    """
    from sijpro import credentials

    address, password = credentials.split_password(url)
    place: PasswordPlace | None = None
    if password is not None:
        place = "keyring" if credentials.store_password(address, password) else "ask"
    _save(SECTION, {"url": address, PASSWORD_KEY: place})
    return place


def remembered_language() -> str | None:
    """The language last chosen at this workstation's desk, or None."""
    parser = _read()
    return None if parser is None else parser.get(INTERFACE, "language", fallback=None) or None


def remember_language(code: str) -> None:
    """Keep the language chosen at the desk for the next start; a settings file that cannot be written
    only costs the choice, never the switch."""
    try:
        _save(INTERFACE, {"language": code})
    except UserError:
        return


def _save(section: str, values: dict[str, str | None]) -> Path:
    """Set values (None removes one), keeping the others; the file is replaced whole, never left
    half-written."""
    import configparser
    import tempfile

    path = settings_path()
    parser = _read() or configparser.ConfigParser(interpolation=None)
    if not parser.has_section(section):
        parser.add_section(section)
    for key, value in values.items():
        if value is None:
            parser.remove_option(section, key)
        else:
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
