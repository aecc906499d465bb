"""The ``sijpro`` command line: argparse front over the core, one module per command.

Exit status: 0 success, 1 bad input or refused action (message on stderr), 2 usage error. No
traceback reaches the user: an unexpected error prints one line and the path of the crash log.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sijpro import __version__
from sijpro.crashlog import record_crash
from sijpro.errors import UserError

COMMAND_MODULES = (
    "init", "demo", "due", "import_files", "score", "report", "export", "verify", "backup", "backups", "restore",
    "encryption", "users", "copy",
)
"""Modules of ``sijpro.commands``, each with ``register(subparsers)``; help lists them in this order."""


def _add_database_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=default,
        help="database: an SQLAlchemy URL or a path to an SQLite file "
        "(default: $SIJPRO_DATABASE_URL, else sijpro.sqlite in the user data directory)",
    )
    parser.add_argument(
        "--passphrase-stdin", action="store_true", default=default,
        help="read the passphrase of an encrypted database from the first line of standard input "
        "(default: $SIJPRO_PASSPHRASE, else a prompt)",
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
    )
    parser.add_argument("--version", action="version", version=f"SIJ-PRO {__version__}")
    _add_database_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"sijpro.commands.{name}").register(subparsers)
    # ``sijpro due --db x`` is as natural as ``sijpro --db x due``: accept both. SUPPRESS leaves the value
    # given before the command in place when none is given after it.
    for command in _command_parsers(parser):
        _add_database_options(command, default=argparse.SUPPRESS)
    return parser


def command_names() -> set[str]:
    """Every subcommand name, so ``main.py`` can tell a CLI call from a GUI start."""
    subparsers = build_parser()._subparsers
    names: set[str] = set()
    for action in subparsers._group_actions if subparsers else []:
        names.update(action.choices or {})
    return names


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
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
        print(f"sijpro: unexpected error ({type(error).__name__}: {error}){where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
