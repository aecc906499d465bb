"""``sijpro encryption {status,enable,disable,change}``: encryption at rest of the SQLite database."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from sijpro.access import Capability
from sijpro.commands.clinic_access import passphrase_source, read_secret, signed_in
from sijpro.errors import UserError
from sijpro.storage import encryption
from sijpro.storage.encryption import PASSPHRASE_VARIABLE, PassphraseError

NEW_PASSPHRASE_VARIABLE = "SIJPRO_NEW_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "encryption", help="encrypt the SQLite database with a passphrase (admin)",
        description="Encryption at rest of the SQLite database file with SQLCipher. Without the passphrase "
        "the file and its backups cannot be read; a lost passphrase cannot be recovered. Close every other "
        "SIJ-PRO window first. Passphrases come from $SIJPRO_PASSPHRASE (the new one for 'change': "
        "$SIJPRO_NEW_PASSPHRASE), from standard input with --passphrase-stdin (one per line, the current one "
        "first and the new one last), or are asked. All but status need an administrator's sign-in.",
    )
    parser.add_argument("action", choices=("status", "enable", "disable", "change"))
    parser.set_defaults(handler=run)


def database_file(args: argparse.Namespace) -> Path:
    from sijpro.storage.engine import resolve_url, sqlite_path

    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is None:
        raise UserError("encryption at rest applies to an SQLite file; a PostgreSQL server encrypts its own disks")
    return path


def new_passphrase(args: argparse.Namespace, variable: str) -> str:
    """A new passphrase, typed twice when asked at a prompt; checked for length before anything changes."""
    if os.environ.get(variable) or getattr(args, "passphrase_stdin", False) or not sys.stdin.isatty():
        chosen = read_secret(args, "", variable)
    else:
        chosen = getpass.getpass("New passphrase: ")
        if getpass.getpass("The same passphrase again: ") != chosen:
            raise PassphraseError("the two passphrases differ; nothing was changed")
    encryption.check_strength(chosen)
    return chosen


def warn_of_plain_backups(path: Path, passphrase: str) -> None:
    """Backups taken before encryption are still readable by anyone who gets the files."""
    from sijpro.services import backups
    from sijpro.services.clinic import Clinic

    with Clinic.open(str(path), passphrase=passphrase) as clinic:
        folder = backups.backup_folder(clinic, backups.load_settings(clinic))
    plain = [item.path for item in backups.automatic_backups(folder) if encryption.file_state(item.path) == "plain"] \
        if folder else []
    if plain:
        print(f"warning: {len(plain)} earlier backup(s) in {folder} are not encrypted; delete them or keep them "
              "somewhere safe", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    path = database_file(args)
    state = encryption.file_state(path)
    if args.action == "status":
        if state in ("missing", "empty"):
            raise UserError(f"there is no SIJ-PRO database at {path}")
        print(f"{path}: {'encrypted (SQLCipher)' if state == 'encrypted' else 'not encrypted'}")
        return 0
    if state not in ("missing", "empty"):
        with signed_in(args, Capability.DATABASE):
            pass  # an administrator's, checked before the file is touched; the database is closed again
    if args.action == "enable":
        chosen = new_passphrase(args, PASSPHRASE_VARIABLE)
        encryption.encrypt_database(path, chosen)
        print(f"{path} is now encrypted; keep the passphrase safe: without it the data cannot be read")
        warn_of_plain_backups(path, chosen)
    elif args.action == "disable":
        encryption.decrypt_database(path, passphrase_source(args)())
        print(f"{path} is no longer encrypted")
    else:
        current = passphrase_source(args)()
        encryption.check_passphrase(path, current)
        encryption.change_passphrase(path, current, new_passphrase(args, NEW_PASSPHRASE_VARIABLE))
        print(f"the passphrase of {path} was changed")
    return 0
