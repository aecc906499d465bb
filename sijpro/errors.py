"""Errors that carry a message meant for the person using the app.

A ``UserError`` is bad input or a refused action: the CLI prints its message and exits 1, the GUI shows
it in a dialog. Anything else escaping is a bug. A refusal that a form shows at a field carries it as data
(``problem``: a ``sijpro.problems.Problem``), and the CLI's message is its English words.
"""

from __future__ import annotations

from collections.abc import Sequence

from sijpro.problems import Problem


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message (in English)."""

    def __init__(self, message: str | Problem = "") -> None:
        self.problem: Problem | None = message if isinstance(message, Problem) else None
        """The refusal as data, when a form can show it at its field in the user's language."""
        super().__init__(str(message))


class InputErrors(UserError):
    """Several problems found in one pass, so the user can fix them all at once: each a ``Problem`` (a
    form's field), or a located sentence (``file.csv, line 4: ...``, an import file's line, said as it is to
    whoever fixes the file)."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


class PassphraseError(UserError):
    """A passphrase that is missing, wrong, or too weak to protect the data."""


class ConflictError(UserError):
    """Someone else saved the same record since it was read: nothing was overwritten."""


class StorageFull(UserError):
    """The disk holding the database has no room left: nothing was saved, and trying again will not help
    until space is freed (the kiosk says so to the patient in its own words)."""


class Unreachable(UserError):
    """The database server cannot be reached (the network dropped, the server is down): trying again later
    may work. A tablet keeps what it was given meanwhile (``sijpro.storage.journal``)."""
