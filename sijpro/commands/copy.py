"""``sijpro copy --to URL``: the whole clinic into another, empty database (SQLite to PostgreSQL, or back)."""

from __future__ import annotations

import argparse
import logging

from sijpro.commands.clinic_access import passphrase_source, sign_in
from sijpro.progress import TerminalBar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "copy", help="copy the whole clinic into another, empty database (e.g. onto a PostgreSQL server)",
        description="Copy everything in the database (patients, surgeries, visits, answers, scores, protocol "
        "versions, settings, user accounts with their passwords and PINs, and the audit trail) into another "
        "database, with the same ids. The source must verify without fault; the target must hold no data "
        "(its tables are created when it has none). All or nothing: a failure or Ctrl-C leaves the target "
        "empty. The copy is then verified, and both audit trails record it.",
    )
    parser.add_argument("--to", required=True, metavar="URL",
                        help="the database to copy into: a PostgreSQL URL or an SQLite file path")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.clinic_copy import copy_clinic

    # Ctrl-C in the middle of a batch makes psycopg log that it dropped the aborted batch: that is the point
    # of the rollback, not news for the user, who is told 'interrupted' (and the target is left as it was).
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    report = copy_clinic(args.db, args.to, as_user=lambda clinic: sign_in(args, clinic),
                         passphrase=passphrase_source(args),
                         progress=TerminalBar("copying"))
    made = "tables created" if report.created_tables else "into its empty tables"
    print(f"copied {report.source} to {report.target} ({made}):")
    width = max(len(name) for name in report.rows)
    for name, count in report.rows.items():
        print(f"  {name:<{width}}  {count:>10,}")
    print(f"  {'total':<{width}}  {sum(report.rows.values()):>10,} rows")
    print(f"{report.target}: database, foreign keys, audit trail ({report.audit_events:,} events, the last one "
          "recording this copy) and scores verified: no fault")
    if report.source_note:
        print(f"note: {report.source_note}")
    else:
        print(f"{report.source}: its audit trail records where its data went")
    print("Point every workstation at the new database now: changes made in the old one from here on are not "
          "in the copy.")
    return 0
