"""``sijpro init``: create the database, or upgrade it to this release's schema."""

from __future__ import annotations

import argparse

from sijpro.access import Capability
from sijpro.commands.clinic_access import actor, authorise_before_init, passphrase_source


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", help="create the database, or upgrade it to this release's schema",
        description="Create the database (an SQLite file readable by you only, unless --db names a "
        "PostgreSQL URL) with the default follow-up protocol, or upgrade an existing one. Running it "
        "again changes nothing. On PostgreSQL, --app-role NAME (run as the tables' owner) creates the role the "
        "app connects as, with the rights it needs and no more: it owns no table, so it cannot disable the "
        "triggers that keep the audit trail append-only. A new database needs no account; an existing one with "
        "accounts needs an administrator's sign-in.",
    )
    parser.add_argument("--app-role", metavar="NAME",
                        help="PostgreSQL: create (password from $SIJPRO_APP_ROLE_PASSWORD) or update the role the "
                        "app connects as, and grant it reading and writing but not owning the tables")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """A new database needs no account; an existing one with accounts is upgraded by an administrator."""
    from sijpro.services.clinic import Clinic

    authorise_before_init(args, Capability.DATABASE)
    report = Clinic.init(args.db, actor=actor(), passphrase=passphrase_source(args))
    print(report.summary)
    if args.app_role:
        created = Clinic.grant_app_role(args.db, args.app_role)
        print(f"{'created' if created else 'updated'} the role {args.app_role}: the app connects as it "
              "(reading and writing, owning no table, the audit trail append-only)")
    return 0
