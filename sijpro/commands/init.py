"""``sijpro init``: create the database, or upgrade it to this release's schema."""

from __future__ import annotations

import argparse

from sijpro.commands.clinic_access import actor, passphrase_source


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", help="create the database, or upgrade it to this release's schema",
        description="Create the database (an SQLite file readable by you only, unless --db names a "
        "PostgreSQL URL) with the default follow-up protocol, or upgrade an existing one. Running it "
        "again changes nothing.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.clinic import Clinic

    report = Clinic.init(args.db, actor=actor(), passphrase=passphrase_source(args))
    print(report.summary)
    return 0
