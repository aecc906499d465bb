"""``sijpro restore FILE``: replace the database by a backup, after checking the backup."""

from __future__ import annotations

import argparse
from pathlib import Path

from sijpro.access import Capability
from sijpro.commands.clinic_access import actor, passphrase_source, sign_in
from sijpro.errors import UserError
from sijpro.progress import TerminalBar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "restore", help="replace the database by a backup, once the backup passes every check",
        description="Check FILE as 'sijpro verify' checks a database (integrity, foreign keys, audit chain, "
        "scores, current schema; an encrypted backup needs its passphrase), then replace the database by it: "
        "an SQLite file is replaced whole; on PostgreSQL every row is replaced in one transaction, connected as "
        "the owner of the tables. The replaced database is kept in the backup folder. A backup with any fault "
        "is refused and the database is left untouched, and so is a restore while any other SIJ-PRO program "
        "(a desk, a kiosk, a command) has the database open. Needs an administrator's sign-in on the database "
        "it replaces, unless that one cannot be opened.",
    )
    parser.add_argument("backup", type=Path, metavar="FILE")
    parser.set_defaults(handler=run)


def authorise_restore(args: argparse.Namespace) -> None:
    """An administrator's sign-in on the database about to be replaced, when it opens. A database that
    cannot be opened (missing, damaged, from another release) is what a restore is for: nobody could sign
    in to it, and whoever may write its file could replace it anyway."""
    from sijpro.services.clinic import Clinic

    try:
        clinic = Clinic.open(args.db, actor=actor(), passphrase=passphrase_source(args))
    except UserError:
        return
    with clinic:
        if clinic.auth.has_accounts():
            sign_in(args, clinic).principal.require(Capability.DATABASE)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.backups import restore

    authorise_restore(args)
    report = restore(args.db, args.backup, passphrase=passphrase_source(args), progress=TerminalBar("restore"))
    check = report.check
    state = "encrypted" if check.encrypted else "not encrypted"
    print(f"restored {check.source} into {report.database}: {check.patients} patients, schema {check.schema}, "
          f"audit trail verified, {state}")
    if report.kept_previous is not None:
        print(f"the replaced database was kept as {report.kept_previous}")
    return 0
