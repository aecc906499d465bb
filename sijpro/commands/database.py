"""How a command reaches the clinic's database: ``--db`` / ``$SIJPRO_DATABASE_URL`` / the default file,
opened in the name of the person at the terminal (their login name goes into the audit trail)."""

from __future__ import annotations

import argparse
import getpass

from sijpro.services.clinic import Clinic


def terminal_user() -> str:
    """Who is acting, for the audit trail: the operating-system login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


def open_clinic(args: argparse.Namespace) -> Clinic:
    """The database named by ``--db`` (else the environment, else the default file), at the current schema."""
    return Clinic.open(getattr(args, "db", None), actor=terminal_user())
