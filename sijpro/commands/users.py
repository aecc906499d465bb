"""``sijpro users add NAME --role ROLE`` and ``sijpro users pin NAME``: staff accounts and kiosk PINs (the
password or PIN is asked, never an argument).

Both are an administrator's, signed in with ``--user``; in a database without any account, ``users add``
makes its first administrator without signing in (the accounts service refuses any other role there).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import get_args

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in, signed_in_unless_new, stdin_line
from sijpro.errors import UserError
from sijpro.records import Role


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="manage staff accounts (admin)",
                                   description="Manage staff accounts (an administrator's, signed in with --user).")
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="add a user",
        description="Add a user. The new password is asked twice on the terminal, or read from standard "
        "input with --password-stdin (after the signing-in password when that comes from standard input "
        "too). In a database without any account this makes its first administrator, without signing "
        "in. An administrator's password needs at least 10 characters of two kinds (letters, digits, "
        "others); anyone else's at least 8.")
    add.add_argument("username", metavar="NAME")
    add.add_argument("--role", required=True, choices=get_args(Role))
    add.add_argument("--full-name", default="", metavar="TEXT")
    add.set_defaults(handler=run_add)
    pin = actions.add_parser(
        "pin", help="set the PIN that unlocks the patient kiosk",
        description="Set a user's kiosk PIN (4 to 8 digits), replacing any previous one. The PIN is asked "
        "twice on the terminal, or read from standard input with --pin-stdin (after any password read "
        "from it).")
    pin.add_argument("username", metavar="NAME")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=run_pin)


def read_new_secret(from_stdin: bool, what: str = "password", flag: str = "--password-stdin") -> str:
    """A new secret: a line of standard input, or typed twice at a silent prompt."""
    if from_stdin:
        return stdin_line(f"the new {what}", flag)
    if not sys.stdin.isatty():
        raise UserError(f"no terminal to ask the new {what} on: use {flag} to pipe it in")
    first = getpass.getpass(f"New {what}: ")
    if getpass.getpass(f"New {what} again: ") != first:
        raise UserError(f"the two {what}s differ; nothing was saved")
    return first


def run_add(args: argparse.Namespace) -> int:
    with signed_in_unless_new(args, Capability.USERS) as clinic:
        password = read_new_secret(bool(getattr(args, "password_stdin", False)))
        user = clinic.auth.add_user(args.username, args.full_name, args.role, password)
    print(f"user {user.username} ({user.role}) added")
    return 0


def run_pin(args: argparse.Namespace) -> int:
    with signed_in(args, Capability.USERS) as clinic:
        pin = read_new_secret(args.pin_stdin, "PIN", "--pin-stdin")
        user = clinic.auth.set_pin(args.username, pin)
    print(f"kiosk PIN of {user.username} set")
    return 0
