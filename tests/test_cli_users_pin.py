"""``sijpro users pin NAME``: the PIN a nurse types to unlock the kiosk, asked like a password."""

from __future__ import annotations

import io

from argon2 import PasswordHasher

from sijpro.services import auth
from sijpro.services.clinic import Clinic
from tests.conftest import CLI_PASSWORD
from tests.test_cli_storage import run_cli
from tests.trusted import trusted


def test_users_pin_sets_the_kiosk_pin(database_url: str, capsys, monkeypatch, cli_as) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    Clinic.init(database_url)
    with trusted(database_url) as clinic:
        clinic.auth.add_user("anne", "Anne N.", "nurse", "correct horse")
    cli_as(database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    status, out, _ = run_cli(capsys, "--db", database_url, "users", "pin", "anne", "--pin-stdin")
    assert status == 0 and "kiosk PIN of anne set" in out
    with trusted(database_url) as clinic:
        assert clinic.auth.check_pin(None, "2468").username == "anne"
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    status, _, err = run_cli(capsys, "--db", database_url, "users", "pin", "anne", "--pin-stdin")
    assert status == 1 and "4 to 8 digits" in err
    monkeypatch.delenv("SIJPRO_PASSWORD")  # asked at the terminal, before the PIN
    answers = iter([CLI_PASSWORD, "1357", "7531"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    status, _, err = run_cli(capsys, "--db", database_url, "users", "pin", "anne")
    assert status == 1 and "two PINs differ" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{CLI_PASSWORD}\n2468\n"))
    status, _, err = run_cli(capsys, "--db", database_url, "--password-stdin", "users", "pin", "nobody",
                             "--pin-stdin")
    assert status == 1 and "no user nobody" in err
