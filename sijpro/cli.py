"""The ``sijpro`` command line: argparse front over the core, one module per command.

Exit status: 0 success, 1 bad input or refused action (message on stderr), 2 usage error. No
traceback reaches the user: an unexpected error prints one line and the path of the log (``sijpro.logs``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sijpro import __version__
from sijpro.commands.outputs import check_outputs
from sijpro.errors import UserError
from sijpro.logs import record_crash

COMMAND_MODULES = (
    "init", "demo", "due", "import_files", "score", "report", "export", "verify", "backup", "backups", "restore",
    "encryption", "users", "copy", "remind", "invite",
)
"""Modules of ``sijpro.commands``, each with ``register(subparsers)``; help lists them in this order."""

SIGNING_IN = """\
signing in:
  Every command that reads identified data or changes anything acts as a staff account whose role is
  checked: --user NAME (or $SIJPRO_USER), with the password from a prompt, --password-stdin or
  $SIJPRO_PASSWORD. Without an account: init of a new database, score, verify, backups (showing the
  policy, --now), encryption status, --version. A database without any account takes its first
  administrator from 'users add NAME --role admin' without signing in; 'demo' into such a database
  needs no account either.

  Secrets read from standard input come one per line, in the order they are needed: the database's
  passphrase (--passphrase-stdin, only for an encrypted database), then the signing-in password
  (--password-stdin), then any new secret the command sets (the new account's password, a PIN, a new
  passphrase). A secret given by its environment variable takes no line.

the at-home web app:
  sijpro [--db URL] serve [--host H] [--port P] runs the pages that 'invite' links open (the sijpro
  program and python main.py start it; 'sijpro serve --help' lists its options).

exit status: 0 success; 1 bad input, or refused for want of a sign-in or a role (reason on stderr);
2 usage error."""


def _add_access_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=default,
        help="database: an SQLAlchemy URL or a path to an SQLite file "
        "(default: $SIJPRO_DATABASE_URL, else sijpro.sqlite in the user data directory)",
    )
    parser.add_argument(
        "--passphrase-stdin", action="store_true", default=default,
        help="read the passphrase of an encrypted database from a line of standard input "
        "(default: $SIJPRO_PASSPHRASE, else a prompt)",
    )
    parser.add_argument(
        "--user", metavar="NAME", default=default,
        help="the staff account to act as (default: $SIJPRO_USER); needed by every command that reads "
        "identified data or changes anything",
    )
    parser.add_argument(
        "--password-stdin", action="store_true", default=default,
        help="read passwords from standard input, one per line: the signing-in password (unless "
        "$SIJPRO_PASSWORD is set), then the new account's for 'users add'",
    )


def _command_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser below ``parser`` that runs a command (``due``, ``report patient``, ``users add``)."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                below = _command_parsers(child)
                found.extend(below or [child])
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sijpro",
        description="SIJ-PRO: patient-reported outcomes after sacroiliac-joint fusion.",
        epilog=SIGNING_IN, formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # a command's own option (report cohort --pass) is never read as --password-stdin
    )
    parser.add_argument("--version", action="version", version=f"SIJ-PRO {__version__}")
    _add_access_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"sijpro.commands.{name}").register(subparsers)
    # ``sijpro due --db x`` is as natural as ``sijpro --db x due``: accept both. SUPPRESS leaves the value
    # given before the command in place when none is given after it.
    for command in _command_parsers(parser):
        _add_access_options(command, default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        check_outputs(args)  # before any work: nothing is computed, read or half-written for a bad path
        return int(args.handler(args) or 0)
    except UserError as error:
        print(f"sijpro: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (``sijpro due | head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("sijpro: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: never a traceback on the user's screen
        log = record_crash(error)
        where = f"; details in {log}" if log else ""
        # the type only: an error's words may quote the data at hand, and a script's stderr often lands in a log
        print(f"sijpro: unexpected error ({type(error).__name__}){where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
