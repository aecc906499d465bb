"""How a CLI command opens the clinic database: which one, as whom, and with which passphrase.

The passphrase of an encrypted database comes from ``$SIJPRO_PASSPHRASE``, else the first line of
standard input with ``--passphrase-stdin`` (for scripts), else a prompt that does not echo; it is asked
only when the database file is encrypted.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from sijpro.storage.encryption import PASSPHRASE_VARIABLE, PassphraseError

if TYPE_CHECKING:  # the services load SQLAlchemy and the schema: only when a command opens a database
    from sijpro.services.clinic import Clinic


def actor() -> str:
    """The name written in the audit trail for work done from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def read_secret(args: argparse.Namespace, prompt: str, variable: str = PASSPHRASE_VARIABLE) -> str:
    """A secret from the environment, standard input (``--passphrase-stdin``) or a silent prompt."""
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
    return lambda: read_secret(args, "Passphrase of the SIJ-PRO database: ")


WRITING_COMMANDS = frozenset({"users", "import"})
"""Commands that write into an existing database: refused when ``verify`` would call it damaged."""


def open_clinic(args: argparse.Namespace) -> Clinic:
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
