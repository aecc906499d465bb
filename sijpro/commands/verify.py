"""``sijpro verify [FILE]``: database (or backup) integrity, foreign keys, audit chain; exit 1 on any fault."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sijpro.commands.clinic_access import open_clinic, passphrase_source
from sijpro.errors import UserError

if TYPE_CHECKING:
    from sijpro.services.maintenance import Fault


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check the database, its foreign keys and the audit trail's hash chain",
        description="Check the database file (or server) for damage, every foreign key, the triggers that "
        "keep the audit trail append-only, the audit trail's hash chain (naming the first broken event) "
        "and the stored score summaries. Exit status 1 on any fault.",
    )
    parser.add_argument("backup", nargs="?", type=Path, metavar="FILE",
                        help="check this backup file instead of the database (the file is not changed)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.maintenance import verify

    if args.backup is not None:
        from sijpro.services.backups import check_backup

        check = check_backup(args.backup, passphrase_source(args))
        return report(list(check.faults), str(check.source), f", {check.patients} patients")
    try:
        clinic = open_clinic(args)
    except UserError as error:
        print(f"sijpro verify: FAULT: {error}", file=sys.stderr)
        return 1
    with clinic:
        faults = verify(clinic)
        where = clinic.where
    return report(faults, where)


def report(faults: list[Fault], where: str, extra: str = "") -> int:
    for fault in faults:
        print(f"sijpro verify: FAULT: {fault}", file=sys.stderr)
    if faults:
        print(f"{where}: {len(faults)} fault(s) found", file=sys.stderr)
        return 1
    print(f"{where}: database, foreign keys, audit trail and scores verified: no fault{extra}")
    return 0
