"""The database commands end to end: init, users add, due, verify, backup; exit status 0, 1 or 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.conftest import TODAY
from tests.factories import operated_patient
from tests.trusted import trusted

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as leaving:  # argparse usage errors
        status = int(leaving.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_init_twice_then_verify_and_backup(database_url: str, tmp_path: Path, capsys, cli_as) -> None:
    status, out, _ = run_cli(capsys, "--db", database_url, "init")
    assert status == 0 and "created the SIJ-PRO database" in out
    cli_as(database_url)  # a database with accounts is upgraded and backed up by an administrator
    status, out, _ = run_cli(capsys, "--db", database_url, "init")
    assert status == 0 and "up to date" in out
    status, out, err = run_cli(capsys, "--db", database_url, "verify")
    assert (status, err) == (0, "") and "no fault" in out
    status, out, err = run_cli(capsys, "--db", database_url, "backup", "-o", str(tmp_path / "b.sqlite"))
    assert (status, err) == (0, "") and "backup written to" in out  # a server's backup is an SIJ-PRO file too
    assert run_cli(capsys, "--db", str(tmp_path / "b.sqlite"), "verify")[0] == 0


def test_commands_on_a_missing_database_say_to_run_init(tmp_path: Path, capsys) -> None:
    missing = str(tmp_path / "none.sqlite")
    for command in (["due"], ["verify"], ["backup", "-o", str(tmp_path / "b")]):
        status, _, err = run_cli(capsys, "--db", missing, *command)
        assert status == 1 and "run 'sijpro init'" in err, command


def test_users_add_from_stdin_and_from_the_terminal(database_url: str, capsys, monkeypatch) -> None:
    Clinic.init(database_url)
    # the first account of a new database needs no sign-in, and must be an administrator's
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    status, _, err = run_cli(capsys, "--db", database_url, "users", "add", "anne", "--role", "nurse",
                             "--password-stdin")
    assert (status, err) == (1, "sijpro: the first account of a clinic must be an administrator (--role admin)\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse 1\n"))
    status, out, _ = run_cli(capsys, "--db", database_url, "users", "add", "ada", "--role", "admin",
                             "--password-stdin")
    assert status == 0 and "user ada (admin) added" in out
    # from then on an administrator signs in: her password, then the new account's, one line each
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse 1\nbattery staple\n"))
    status, out, _ = run_cli(capsys, "--db", database_url, "--user", "ada", "--password-stdin", "users", "add",
                             "anne", "--role", "nurse", "--full-name", "Anne N.")
    assert status == 0 and "user anne (nurse) added" in out
    answers = iter(["correct horse 1", "battery staple", "battery staple", "correct horse 1", "one", "two"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    assert run_cli(capsys, "--db", database_url, "--user", "ada", "users", "add", "sam", "--role", "surgeon")[0] == 0
    status, _, err = run_cli(capsys, "--db", database_url, "--user", "ada", "users", "add", "max", "--role", "admin")
    assert status == 1 and "passwords differ" in err
    status, _, err = run_cli(capsys, "--db", database_url, "users", "add", "max", "--role", "boss")
    assert status == 2 and "invalid choice" in err
    with trusted(database_url) as clinic:
        assert [u.username for u in clinic.auth.users()] == ["ada", "anne", "sam"]
        assert clinic.auth.authenticate("sam", "battery staple").role == "surgeon"


def test_users_add_without_a_terminal_asks_for_password_stdin(tmp_path: Path) -> None:
    url = str(tmp_path / "c.sqlite")
    Clinic.init(url)
    result = subprocess.run([sys.executable, "-m", "sijpro", "--db", url, "users", "add", "x1", "--role", "nurse"],
                            cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 1 and "--password-stdin" in result.stderr
    assert "Traceback" not in result.stderr


def test_due_as_json_and_as_text(database_url: str, capsys, cli_as) -> None:
    Clinic.init(database_url)
    cli_as(database_url, "nurse")
    with trusted(database_url, clock=FixedClock(TODAY)) as clinic:
        operated_patient(clinic, "DUE1", surgery=TODAY.replace(month=4, day=22), family_name="Dupré")
    status, out, _ = run_cli(capsys, "--db", database_url, "due", "--date", "2024-06-03", "--json")
    assert status == 0
    listing = json.loads(out)
    assert listing["date"] == "2024-06-03" and listing["counts"] == {"due": 1, "overdue": 0, "upcoming": 0,
                                                                     "missed": 1}  # baseline never answered
    assert listing["missed"][0]["timepoint"] == "baseline"
    [entry] = listing["due"]
    assert (entry["mrn"], entry["timepoint"], entry["due_date"]) == ("DUE1", "w6", "2024-06-03")
    assert entry["pending"] == ["nrs", "odi", "satisfaction", "relief"] and entry["name"] == "DUPRÉ, Claire"
    status, out, _ = run_cli(capsys, "--db", database_url, "due", "--date", "2024-07-05")
    assert status == 0 and "OVERDUE" in out and "DUE1" in out and "18 days late" in out
    # once the 3-month window opens (8 July) the 6-week visit is missed: one timepoint at a time
    status, out, _ = run_cli(capsys, "--db", database_url, "due", "--date", "2024-07-10", "--json")
    listing = json.loads(out)
    assert [(e["timepoint"], e["state"]) for e in listing["due"]] == [("m3", "due")] and listing["overdue"] == []
    assert ("w6", "missed") in [(e["timepoint"], e["state"]) for e in listing["missed"]]
    status, _, err = run_cli(capsys, "--db", database_url, "due", "--date", "03/06/2024")
    assert status == 2 and "YYYY-MM-DD" in err


def test_verify_exits_1_on_a_damaged_file_without_a_traceback(tmp_path: Path) -> None:
    url = tmp_path / "damaged.sqlite"
    Clinic.init(str(url))
    with trusted(str(url), clock=FixedClock(TODAY)) as clinic:
        for number in range(30):
            operated_patient(clinic, f"P{number}", family_name=f"Name {number}")
    data = bytearray(url.read_bytes())
    assert len(data) > 12 * 4096
    data[3 * 4096:12 * 4096] = b"\xa5" * (9 * 4096)
    url.write_bytes(bytes(data))
    result = subprocess.run([sys.executable, "-m", "sijpro", "--db", str(url), "verify"], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "FAULT" in result.stderr and "Traceback" not in result.stderr
    assert "malformed" in result.stderr or "damaged" in result.stderr or "integrity" in result.stderr


def test_database_options_work_before_or_after_the_command(tmp_path: Path, capsys, monkeypatch) -> None:
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    assert run_cli(capsys, "init", "--db", str(first))[0] == 0
    assert first.exists()
    # given after a nested command too, and the later place wins over the earlier one
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse 1\n"))
    status, out, err = run_cli(capsys, "--db", str(second), "users", "add", "anne", "--role", "admin",
                               "--full-name", "Anne N.", "--password-stdin", "--db", str(first))
    assert (status, err) == (0, "") and "user anne (admin) added" in out
    assert not second.exists()
    # before the command, nothing after it: the value is kept, not reset by the command's own option
    status, _, err = run_cli(capsys, "--db", str(second), "due")
    assert status == 1 and str(second) in err
