"""``sijpro backup -o FILE``: a consistent copy of the database, safe while the app is in use."""

from __future__ import annotations

import argparse

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.commands.outputs import add_output


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backup", help="write a consistent copy of the database to a file",
        description="Copy the database to FILE (readable by you only) while the app may keep working; "
        "the copy is checked before it takes the name FILE. A PostgreSQL database is copied, as it was at one "
        "instant, into an SIJ-PRO database file, which 'sijpro verify --db FILE' checks and 'sijpro restore' "
        "restores onto the server.",
    )
    add_output(parser, "-o", "--output", required=True, metavar="FILE")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.maintenance import backup

    with signed_in(args, Capability.BACKUPS) as clinic:
        written = backup(clinic, args.output)
    print(f"backup written to {written}")
    return 0
