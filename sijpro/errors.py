"""Errors that carry a message meant for the person using the app.

A ``UserError`` is bad input or a refused action: the CLI prints its message and exits 1, the GUI shows
it in a dialog. Anything else escaping is a bug.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""


class InputErrors(UserError):
    """Several located problems found in one pass, so the user can fix them all at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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
