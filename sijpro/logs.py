"""The program's log: what support needs to find a bug, and nothing about a patient.

One rotating file (``sijpro.log`` in the user's log directory, at most ``MAX_BYTES`` and ``BACKUPS`` old
copies, each readable by its owner only) receives the records of the ``sijpro`` and ``ui`` loggers, and
``faulthandler`` writes the stacks of a hard crash (a segfault in Qt or a driver) into the same file.

A log is read by people who must not see health data (support, a colleague at the desk), so nothing in
it may carry a patient's name, MRN, birth date or answer. Messages written here say what happened, never
to whom; an unexpected error is logged as its traceback *without its message*: the message of a
database error quotes the SQL parameters (the answer, the name being saved), and any exception may
quote a value (and so may the source line it was raised on). What stays is enough to find the bug: each
frame (file, line, function), the exception's type and its driver's error code (errno, SQLite's error
name, PostgreSQL's SQLSTATE). Other libraries' loggers (SQLAlchemy can log statements with their
parameters) never reach the file.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import os
import threading
import time
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, Final

LOG_NAME: Final = "sijpro.log"
MAX_BYTES: Final = 1_000_000
BACKUPS: Final = 5
LOGGERS: Final = ("sijpro", "ui")
"""The project's own loggers (``logging.getLogger(__name__)`` in its modules); no one else's."""
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(process)d %(threadName)s] %(message)s"

log = logging.getLogger(__name__)


def log_directory() -> Path:
    override = os.environ.get("SIJPRO_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs  # loaded when the log is first written

    return Path(platformdirs.user_log_dir("sijpro", appauthor=False))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files are created readable by their owner only, and which points
    ``faulthandler`` at each new file after a rotation (a hard crash then lands in the current file)."""

    crash_stacks = False
    """``faulthandler`` writes into this file."""

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        Path(self.baseFilename).chmod(0o600)  # a file made by an older release may be wider
        return os.fdopen(descriptor, "a", encoding=self.encoding or "utf-8")

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        super().doRollover()
        if self.crash_stacks:
            self.catch_crashes()

    def catch_crashes(self) -> None:
        if self.stream is None:  # closed after a rollover until the next record: open it now
            self.stream = self._open()
        faulthandler.enable(self.stream, all_threads=True)
        self.crash_stacks = True

    def close(self) -> None:
        if self.crash_stacks:
            faulthandler.disable()
            self.crash_stacks = False
        super().close()


class PrivacyFormatter(logging.Formatter):
    """Records as ``FORMAT`` stamped in UTC; an exception as its stack and its type, never its message."""

    converter = staticmethod(time.gmtime)
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        error = ei[1]
        if not isinstance(error, BaseException):
            return ""
        return "".join(scrubbed_traceback(error)).rstrip("\n")



def scrubbed_traceback(error: BaseException) -> list[str]:
    """The traceback of ``error`` and of the errors it came from, each as frames and a type: no message."""
    chain: list[tuple[BaseException, str]] = []
    """(error, how it follows the one before), from the first error raised to ``error``."""
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen, _ in chain):
        if current.__cause__ is not None:
            chain.insert(0, (current, "The above error was the direct cause of the following:"))
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            chain.insert(0, (current, "During handling of the above error, another occurred:"))
            current = current.__context__
        else:
            chain.insert(0, (current, ""))
            current = None
    lines: list[str] = []
    for position, (each, link) in enumerate(chain):
        if position:
            lines.append(f"\n{link}\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n'
                     for frame in traceback.extract_tb(each.__traceback__))  # no source line: it may quote data
        lines.append(f"{error_kind(each)}\n")
    return lines


def error_kind(error: BaseException) -> str:
    """``module.Type`` and the error codes it carries: what can be said of an error without its words."""
    kind = type(error)
    parts = [kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"]
    original = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if isinstance(original, BaseException):
        parts.append(f"from {type(original).__module__}.{type(original).__qualname__}")
    for source in (error, original):
        for attribute in ("errno", "sqlite_errorname", "sqlstate", "pgcode"):
            value = getattr(source, attribute, None)
            if isinstance(value, int | str) and value != "":
                parts.append(f"{attribute}={value}")
    if isinstance(error, OSError) and error.strerror:
        parts.append(f"({error.strerror})")  # the system's words, never the file name
    return " ".join(parts)


class _Installed:
    """The one handler this process writes its log with (None before the first record)."""

    lock = threading.Lock()
    handler: PrivateRotatingFileHandler | None = None


def setup_logging(*, crash_stacks: bool = False) -> Path | None:
    """Send the project's loggers to the rotating file; idempotent. ``crash_stacks``: also enable
    ``faulthandler`` into it (the desktop and the kiosk, whose Qt code can crash below Python).

    Returns the log's path, or None when the folder cannot be written (the program goes on without one).
    A changed ``$SIJPRO_LOG_DIR`` moves the log there.
    """
    path = (log_directory() / LOG_NAME).absolute()
    with _Installed.lock:
        if _Installed.handler is not None and Path(_Installed.handler.baseFilename) != path:
            crash_stacks = crash_stacks or _Installed.handler.crash_stacks
            _detach()
        if _Installed.handler is None:
            try:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                     encoding="utf-8")
            except OSError:
                return None
            handler.setFormatter(PrivacyFormatter(FORMAT))
            handler.setLevel(logging.INFO)
            for name in LOGGERS:
                logger = logging.getLogger(name)
                logger.addHandler(handler)
                logger.setLevel(logging.INFO)
            _Installed.handler = handler
        if crash_stacks and not _Installed.handler.crash_stacks:
            _Installed.handler.catch_crashes()
        return path


def stop_logging() -> None:
    """Detach and close the file (a test, or a program pointing its log elsewhere)."""
    with _Installed.lock:
        _detach()


def _detach() -> None:
    handler, _Installed.handler = _Installed.handler, None
    if handler is None:
        return
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    handler.close()


def record_crash(error: BaseException) -> Path | None:
    """Log an unexpected error (its stack and type); returns the log's path, or None if there is none."""
    path = setup_logging()
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return path
