"""How a CLI command opens the clinic database and signs in: which database, as whom, with which secrets.

Every command that reads identified data or changes anything acts as a staff account: ``--user NAME``
(or ``$SIJPRO_USER``) and its password from ``$SIJPRO_PASSWORD``, else the first unread line of standard
input with ``--password-stdin``, else a prompt that does not echo. The role is checked before anything
else is read or asked (``signed_in``), and a refusal is one line and exit status 1.

The passphrase of an encrypted database comes from ``$SIJPRO_PASSPHRASE``, else a line of standard input
with ``--passphrase-stdin``, else a prompt; it is asked only when the database file is encrypted, and once.

When several secrets come from standard input they are read one per line, in the order they are needed:
the database's passphrase, then the signing-in password, then a new secret the command sets (the new
account's password for ``users add``, a PIN, a new passphrase). A secret given by its environment variable
takes no line.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sijpro.access import AccessDenied, Capability
from sijpro.errors import UserError
from sijpro.storage.encryption import PASSPHRASE_VARIABLE, PassphraseError

if TYPE_CHECKING:  # the services load SQLAlchemy and the schema: only when a command opens a database
    from sijpro.services.clinic import Clinic
    from sijpro.services.session import Session

USER_VARIABLE = "SIJPRO_USER"
PASSWORD_VARIABLE = "SIJPRO_PASSWORD"


def actor() -> str:
    """The name written in the audit trail for what is done from the command line before signing in
    (a failed sign-in, a verification, the scheduled backup)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def stdin_line(what: str, flag: str) -> str:
    """The first line of standard input; a clear refusal when there is none, or when it is empty."""
    line = sys.stdin.readline()
    if not line:
        raise UserError(f"{flag}: standard input ended before {what}")
    if not line.strip("\r\n"):
        raise UserError(f"{flag}: {what} is empty (the first line of standard input is blank)")
    return line.rstrip("\r\n")


def read_secret(args: argparse.Namespace, prompt: str, variable: str = PASSPHRASE_VARIABLE) -> str:
    """A passphrase from the environment, standard input (``--passphrase-stdin``) or a silent prompt."""
    from_environment = os.environ.get(variable)
    if from_environment:
        return from_environment
    if getattr(args, "passphrase_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise PassphraseError("--passphrase-stdin: standard input ended before a passphrase")
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise PassphraseError(f"a passphrase is needed: set {variable}, use --passphrase-stdin, or run in a terminal")


def passphrase_source(args: argparse.Namespace) -> Callable[[], str]:
    """The database's passphrase, asked at most once per command however often the database is opened."""

    def passphrase() -> str:
        if getattr(args, "_passphrase", None) is None:
            args._passphrase = read_secret(args, "Passphrase of the SIJ-PRO database: ")
        return str(args._passphrase)

    return passphrase


WRITING_COMMANDS = frozenset({"users", "import"})
"""Commands that write into an existing database: refused when ``verify`` would call it damaged."""


def open_clinic(args: argparse.Namespace) -> Clinic:
    """The database as nobody: enough to sign in, verify it, or take the scheduled backup."""
    from sijpro.services.clinic import Clinic

    clinic = Clinic.open(args.db, actor=actor(), passphrase=passphrase_source(args))
    if getattr(args, "command", None) in WRITING_COMMANDS:
        from sijpro.services.maintenance import refuse_damaged

        try:
            refuse_damaged(clinic, "written")
        except BaseException:
            clinic.close()
            raise
    return clinic


def sign_in(args: argparse.Namespace, clinic: Clinic) -> Session:
    """The session of ``--user``, its password read as the module says; AccessDenied without a user."""
    username = (getattr(args, "user", None) or os.environ.get(USER_VARIABLE) or "").strip()
    if not username:
        raise AccessDenied(f"sign in first: this command acts as a staff account; give --user NAME (or set "
                           f"{USER_VARIABLE}) with the password from a prompt, --password-stdin or "
                           f"${PASSWORD_VARIABLE}")
    return clinic.sign_in(username, read_password(args, username))


def read_password(args: argparse.Namespace, username: str) -> str:
    """``username``'s password: ``$SIJPRO_PASSWORD``, a line of standard input or a silent prompt; an empty
    one is refused here, naming the account, rather than tried and called wrong."""
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment:
        return from_environment
    if getattr(args, "password_stdin", False):
        return stdin_line(f"the password of {username}", "--password-stdin")
    if sys.stdin.isatty():
        typed = getpass.getpass(f"Password of {username}: ")
        if not typed:
            raise UserError(f"the password of {username} is empty: nothing was typed at the prompt")
        return typed
    raise UserError(f"a password is needed to sign in: set {PASSWORD_VARIABLE}, use --password-stdin, or run "
                    "in a terminal")


@contextmanager
def signed_in(args: argparse.Namespace, *capabilities: Capability) -> Iterator[Session]:
    """Open the database, sign in as ``--user`` and refuse, before anything else, a role holding none of
    ``capabilities``; the database is closed when the block ends."""
    with open_clinic(args) as clinic:
        session = sign_in(args, clinic)
        session.principal.require(*capabilities)
        yield session


def authorise_before_init(args: argparse.Namespace, *capabilities: Capability) -> str | None:
    """For a command that creates or upgrades the database first (``init``, ``demo``): the account signed
    in and checked before anything is written, or None when the database is new or has no account yet
    (so nobody could sign in). An older schema is opened only to sign in."""
    from sijpro.services.clinic import Clinic
    from sijpro.services.first_run import is_new_database

    if is_new_database(args.db):
        return None
    with Clinic.open(args.db, actor=actor(), passphrase=passphrase_source(args), current_schema=False) as clinic:
        if not clinic.auth.has_accounts():
            return None
        session = sign_in(args, clinic)
        session.principal.require(*capabilities)
        return session.actor


@contextmanager
def signed_in_unless_new(args: argparse.Namespace, *capabilities: Capability) -> Iterator[Session]:
    """Like ``signed_in``, except in a database that has no account yet: nobody could sign in there, and
    there is nothing to protect, so the block acts as nobody (the services still check what nobody may
    do, which lets ``users add`` make the first administrator)."""
    with open_clinic(args) as clinic:
        if not clinic.auth.has_accounts():
            yield clinic
            return
        session = sign_in(args, clinic)
        session.principal.require(*capabilities)
        yield session
