"""``sijpro users add NAME --role ROLE``: staff accounts (the password is asked, never an argument)."""

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


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask the password on: use --password-stdin to pipe it in")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise UserError("the two passwords differ; nothing was saved")
    return first


def run_add(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    with open_clinic(args) as clinic:
        user = clinic.auth.add_user(args.username, args.full_name, args.role, password)
    print(f"user {user.username} ({user.role}) added")
    return 0
