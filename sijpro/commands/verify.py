"""``sijpro verify``: database integrity, foreign keys and the audit chain; exit status 1 on any fault."""

from __future__ import annotations

import argparse
import sys

from sijpro.commands.clinic_access import open_clinic
from sijpro.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check the database, its foreign keys and the audit trail's hash chain",
        description="Check the database file (or server) for damage, every foreign key, the triggers that "
        "keep the audit trail append-only, the audit trail's hash chain (naming the first broken event) "
        "and the stored score summaries. Exit status 1 on any fault.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.maintenance import verify

    try:
        clinic = open_clinic(args)
    except UserError as error:
        print(f"sijpro verify: FAULT: {error}", file=sys.stderr)
        return 1
    with clinic:
        faults = verify(clinic)
        where = clinic.where
    for fault in faults:
        print(f"sijpro verify: FAULT: {fault}", file=sys.stderr)
    if faults:
        print(f"{where}: {len(faults)} fault(s) found", file=sys.stderr)
        return 1
    print(f"{where}: database, foreign keys, audit trail and scores verified: no fault")
    return 0
