"""Where the database is, told without loading SQLAlchemy: the desktop decides its first window (the
first-run wizard, a passphrase, the sign-in screen) from this before the heavy layers load."""

from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "SIJPRO_DATABASE_URL"
DEFAULT_FILE_NAME = "sijpro.sqlite"
DEMO_FILE_NAME = "sijpro-demo.sqlite"


def default_database_path() -> Path:
    import platformdirs  # only when no --db was given

    return Path(platformdirs.user_data_dir("sijpro", appauthor=False)) / DEFAULT_FILE_NAME


def demo_database_path() -> Path:
    """The demo clinic's own file (``sijpro.demo.sandbox``), beside the default database."""
    return default_database_path().with_name(DEMO_FILE_NAME)


def database_text(url: str | None = None) -> str:
    """What names the database: ``--db``, else ``$SIJPRO_DATABASE_URL``, else the default file."""
    return url or os.environ.get(ENVIRONMENT_VARIABLE) or str(default_database_path())


def local_database_file(url: str | None = None) -> Path | None:
    """The SQLite file when the database is named by a plain path (the usual case); None for a URL."""
    text = database_text(url)
    return None if "://" in text else Path(text).expanduser().resolve()
