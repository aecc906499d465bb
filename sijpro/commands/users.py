"""``sijpro users add NAME --role ROLE`` and ``sijpro users pin NAME``: staff accounts and kiosk PINs (the
password or PIN is asked, never an argument)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import get_args

from sijpro.commands.clinic_access import open_clinic
from sijpro.errors import UserError
from sijpro.records import Role


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="manage staff accounts",
                                   description="Manage staff accounts.")
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="add a user", description="Add a user. The password is asked twice on the terminal, "
        "or read from the first line of standard input with --password-stdin (for scripts).")
    add.add_argument("username", metavar="NAME")
    add.add_argument("--role", required=True, choices=get_args(Role))
    add.add_argument("--full-name", default="", metavar="TEXT")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=run_add)
    pin = actions.add_parser(
        "pin", help="set the PIN that unlocks the patient kiosk",
        description="Set a user's kiosk PIN (4 to 8 digits), replacing any previous one. The PIN is asked "
        "twice on the terminal, or read from the first line of standard input with --pin-stdin.")
    pin.add_argument("username", metavar="NAME")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=run_pin)


def read_secret(from_stdin: bool, what: str = "password", flag: str = "--password-stdin") -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise UserError(f"no {what} on standard input")
        return secret
    if not sys.stdin.isatty():
        raise UserError(f"no terminal to ask the {what} on: use {flag} to pipe it in")
    first = getpass.getpass(f"{what.capitalize()}: ")
    if getpass.getpass(f"{what.capitalize()} again: ") != first:
        raise UserError(f"the two {what}s differ; nothing was saved")
    return first


def run_add(args: argparse.Namespace) -> int:
    password = read_secret(args.password_stdin)
    with open_clinic(args) as clinic:
        user = clinic.auth.add_user(args.username, args.full_name, args.role, password)
    print(f"user {user.username} ({user.role}) added")
    return 0


def run_pin(args: argparse.Namespace) -> int:
    pin = read_secret(args.pin_stdin, "PIN", "--pin-stdin")
    with open_clinic(args) as clinic:
        user = clinic.auth.set_pin(args.username, pin)
    print(f"kiosk PIN of {user.username} set")
    return 0
