"""The command line signs in as DESIGN.md says: ``--user NAME`` with the password from a prompt,
``--password-stdin`` or ``$SIJPRO_PASSWORD``; refusals are one line on stderr and exit status 1; the
commands that need no account (a new database's ``init``, ``score``, ``verify``, ``backups --now``,
``--version``) keep working from a script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from sijpro import __version__
from sijpro.cli import main
from sijpro.services import auth
from sijpro.services.clinic import Clinic
from tests.conftest import CLI_PASSWORD, TODAY
from tests.factories import operated_patient
from tests.test_cli_storage import run_cli
from tests.trusted import trusted

ROOT = Path(__file__).resolve().parents[1]
WRONG = ("sijpro: wrong username or password (after 5 failed attempts in a row an account is locked for "
         "5 minutes)\n")


def sijpro(*args: str, stdin: str = "", **environment: str) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` as a script runs it: no terminal, no sign-in unless the environment says."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"SIJPRO_USER", "SIJPRO_PASSWORD", "SIJPRO_DATABASE_URL"}}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env={**env, **environment}, timeout=120, check=False)


@pytest.fixture
def database(tmp_path: Path, cli_as, monkeypatch) -> str:
    """A clinic with one operated patient, an administrator and a nurse (``cli-admin``, ``cli-nurse``),
    their passwords hashed at argon2's lowest cost so that each check is quick."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    url = str(tmp_path / "clinic.sqlite")
    Clinic.init(url)
    with trusted(url) as clinic:
        operated_patient(clinic, "P1", surgery=TODAY.replace(month=4, day=22))
    cli_as(url, "nurse")
    cli_as(url)
    return url


def test_refused_without_a_sign_in_with_a_wrong_password_and_with_the_wrong_role(
        database: str, tmp_path: Path, capsys, monkeypatch) -> None:
    out = tmp_path / "out"
    refused = sijpro("--db", database, "due")
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        1, "", "sijpro: sign in first: this command acts as a staff account; give --user NAME (or set SIJPRO_USER) "
        "with the password from a prompt, --password-stdin or $SIJPRO_PASSWORD\n")
    monkeypatch.delenv("SIJPRO_USER")
    monkeypatch.delenv("SIJPRO_PASSWORD")
    for command in (["export", "csv", "-o", str(out)], ["users", "add", "eve", "--role", "admin"],
                    ["users", "pin", "cli-nurse"], ["report", "cohort", "-o", str(tmp_path / "c.pdf")],
                    ["report", "patient", "P1", "-o", str(tmp_path / "p.pdf")], ["import", str(tmp_path / "x.csv")],
                    ["backup", "-o", str(tmp_path / "b")], ["backups", "--keep", "3"], ["restore", database],
                    ["copy", "--to", str(tmp_path / "copy.sqlite")], ["encryption", "enable"],
                    ["demo", "--patients", "2"]):
        status, stdout, err = run_cli(capsys, "--db", database, *command)
        assert (status, stdout, err[:35]) == (1, "", "sijpro: sign in first: this command"), command
    written = {path.name for path in tmp_path.iterdir()}
    assert not written & {"out", "c.pdf", "p.pdf", "b", "copy.sqlite"}, written  # nothing was written
    monkeypatch.setattr("sys.stdin", io.StringIO("not it\n"))
    assert run_cli(capsys, "--db", database, "--user", "cli-admin", "--password-stdin", "due") == (1, "", WRONG)
    monkeypatch.setenv("SIJPRO_PASSWORD", CLI_PASSWORD)
    assert run_cli(capsys, "--db", database, "--user", "cli-nurse", "export", "csv", "-o", str(out)) == (
        1, "", "sijpro: refused: export needs the surgeon or admin role; cli-nurse is signed in as nurse\n")
    assert not out.exists()
    as_admin = sijpro("--db", database, "--user", "cli-admin", "--password-stdin", "export", "csv", "-o", str(out),
                      stdin=CLI_PASSWORD + "\n")
    assert (as_admin.returncode, as_admin.stderr) == (0, "") and (out / "patients.csv").is_file()


def test_scripts_need_no_account_for_verify_scheduled_backups_score_and_the_version(
        database: str, tmp_path: Path, capsys, monkeypatch) -> None:
    backup = sijpro("--db", database, "backups", "--now")  # what a scheduled task runs
    assert (backup.returncode, backup.stderr) == (0, "") and "backup written to" in backup.stdout
    assert list((Path(database).parent / "backups").glob("sijpro-*-daily.sqlite"))
    monkeypatch.delenv("SIJPRO_USER")
    monkeypatch.delenv("SIJPRO_PASSWORD")
    status, out, err = run_cli(capsys, "--db", database, "verify")
    assert (status, err) == (0, "") and "no fault" in out
    answers = tmp_path / "nrs.csv"
    answers.write_text("lumbar,radicular\n7,4\n", encoding="utf-8")
    status, out, err = run_cli(capsys, "score", "nrs", str(answers))
    assert (status, err) == (0, "") and "7,4,7,4" in out
    assert run_cli(capsys, "--version") == (0, f"SIJ-PRO {__version__}\n", "")
    status, out, _ = run_cli(capsys, "--db", str(tmp_path / "new.sqlite"), "init")
    assert status == 0 and "created the SIJ-PRO database" in out
    status, _, err = run_cli(capsys, "--db", database, "init")  # an existing clinic is upgraded by an admin
    assert (status, err.startswith("sijpro: sign in first")) == (1, True)
    status, _, err = run_cli(capsys, "--db", database, "encryption", "status")
    assert (status, err) == (0, "")


def test_a_lock_out_never_tells_whether_a_user_name_exists(database: str, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_PASSWORD")
    monkeypatch.setenv("SIJPRO_PASSWORD", "not the password")
    answers = set()
    for _ in range(auth.MAX_FAILURES + 1):
        for username in ("cli-nurse", "nobody-here"):
            status, out, err = run_cli(capsys, "--db", database, "--user", username, "due")
            answers.add((status, out, err))
    monkeypatch.setenv("SIJPRO_PASSWORD", CLI_PASSWORD)
    answers.add(run_cli(capsys, "--db", database, "--user", "cli-nurse", "due"))  # right password, locked
    assert answers == {(1, "", WRONG)}
    assert run_cli(capsys, "--db", database, "--user", "cli-admin", "due")[0] == 0  # other accounts unaffected


def test_the_first_administrator_and_the_password_rules(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    url = str(tmp_path / "new.sqlite")
    assert main(["--db", url, "init"]) == 0
    for weak, problem in (("short 1", "use at least 10 characters"), ("lettersonly", "mix at least two kinds")):
        monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
        assert run_cli(capsys, "--db", url, "users", "add", "ada", "--role", "admin", "--password-stdin")[2] == (
            f"sijpro: field 'password': {problem} of characters: letters, digits, spaces or symbols\n"
            if "kinds" in problem else f"sijpro: field 'password': {problem}\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("clinic passw0rd\n"))
    assert run_cli(capsys, "--db", url, "users", "add", "ada", "--role", "admin", "--password-stdin")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another passw0rd\n"))
    status, _, err = run_cli(capsys, "--db", url, "users", "add", "eve", "--role", "admin", "--password-stdin")
    assert (status, err.startswith("sijpro: sign in first")) == (1, True)  # only the very first needs no one
    monkeypatch.setattr("sys.stdin", io.StringIO("clinic passw0rd\nseven77\n"))
    status, _, err = run_cli(capsys, "--db", url, "--user", "ada", "--password-stdin", "users", "add", "nina",
                             "--role", "nurse")
    assert (status, err) == (1, "sijpro: field 'password': use at least 8 characters\n")
    with trusted(url) as clinic:
        assert [u.username for u in clinic.auth.users()] == ["ada"]
