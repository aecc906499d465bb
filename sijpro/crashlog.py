"""Keep the traceback of an unexpected error out of the user's sight but on disk for support.

The user sees one sentence and the path of the log; the engineer gets the whole traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path


def log_directory() -> Path:
    override = os.environ.get("SIJPRO_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs  # loaded when a crash is written, not by every start of the app

    return Path(platformdirs.user_log_dir("sijpro", appauthor=False))


def record_crash(error: BaseException) -> Path | None:
    """Append the traceback to ``crash.log``; returns its path, or None if even that failed."""
    try:
        directory = log_directory()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "crash.log"
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {stamp}\n")
            log.write("".join(traceback.format_exception(error)))
        path.chmod(0o600)
        return path
    except OSError:
        return None
