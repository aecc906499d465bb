"""Errors as the people using the desktop should see them: one clear dialog, never a traceback.

A ``UserError`` is a refusal or bad input and its message is the whole story. Anything else is a bug:
its stack goes to the program's log (``sijpro.logs``) and the user sees one sentence and where the
log is, so support can ask for it.
"""

from __future__ import annotations

import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from sijpro.errors import InputErrors, UserError
from sijpro.logs import record_crash
from sijpro.problems import Problem
from ui.i18n import tr


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """A modal message for ``error``: its own words for a UserError, a short apology for a bug."""
    if isinstance(error, UserError):
        said = error.problems if isinstance(error, InputErrors) else [error_words(error)]
        text = sentence("\n".join(problem_words(problem) for problem in said))
        QMessageBox.warning(parent, tr("staff.error.title"), text)
        return
    log = record_crash(error)
    details = tr("staff.error.logged", path=str(log)) if log else ""
    QMessageBox.critical(parent, tr("staff.error.title"), f"{tr('staff.error.unexpected')} {details}".strip())


def problem_words(problem: Problem | str) -> str:
    """A problem in the user's language, by its code (``staff.problem.<code>``); a located sentence (an
    import file's line) is said as it is."""
    if isinstance(problem, str):
        return problem
    return tr(f"staff.problem.{problem.code}", **problem.params)


def error_words(error: UserError) -> str:
    """A refusal in the user's language when it carries its problem, else its own (English) words."""
    return problem_words(error.problem) if error.problem is not None else str(error)


def sentence(text: str) -> str:
    """The core writes messages as lower-case clauses (for 'sijpro: ...'); a dialog shows a sentence."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """The event loop's last line of defence: logged for support, a short dialog for the user."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    try:
        error = error.with_traceback(trace)
        if QApplication.instance() is None:
            log = record_crash(error)
            print(f"sijpro: unexpected error ({kind.__name__}); details in {log}", file=sys.stderr)
            return
        show_error(QApplication.activeWindow(), error)
    except Exception as failure:  # the hook itself must never raise into Qt
        print(f"sijpro: unexpected error ({kind.__name__}); could not report it ({type(failure).__name__})",
              file=sys.stderr)


def install_excepthook() -> None:
    sys.excepthook = _unexpected
