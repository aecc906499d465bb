"""``sijpro invite MRN [--timepoint T]``: the link, the code and the last day, for a signed-in nurse; clear
refusals (unknown MRN, no open visit, no sign-in) with exit status 1, usage errors 2; the server's own link
and a note while the clinic has no web address; and the printed link and code open the patient's door."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.services.clinic import Clinic
from sijpro.services.invitations import WebDoor
from tests.conftest import CLI_PASSWORD
from tests.factories import operated_patient
from tests.test_cli_sign_in import sijpro
from tests.trusted import trusted

WEB = "https://prom.example.org"
LINE = re.compile(r"^link: +(?P<link>\S+)\ncode: +(?P<code>\S+)\nvalid until: +(?P<until>\S+)$", re.MULTILINE)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clinic whose MRN001 is due at w6 today (the command line's clock is the real one), MRN002 just
    operated (nothing open); the web address set."""
    url = str(tmp_path / "clinic.sqlite")
    Clinic.init(url)
    today = dt.date.today()
    with trusted(url, "test set-up") as clinic:
        operated_patient(clinic, "MRN001", surgery=today - dt.timedelta(weeks=6))
        operated_patient(clinic, "MRN002", surgery=today - dt.timedelta(days=3))
    monkeypatch.setenv("SIJPRO_WEB_URL", WEB + "/")
    return url


def test_a_nurse_gets_a_link_and_a_code_that_open_the_door(database, cli_as, capsys) -> None:
    cli_as(database, "nurse")
    assert main(["--db", database, "invite", "mrn001"]) == 0
    out = capsys.readouterr().out
    printed = LINE.search(out)
    assert printed is not None and out.startswith("MRN001 w6\n")
    assert printed["link"].startswith(f"{WEB}/v/") and re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", printed["code"])
    assert dt.date.fromisoformat(printed["until"]) > dt.date.today()
    with Clinic.open(database) as clinic:
        door = WebDoor(clinic.database)
        assert door.look(printed["link"].rsplit("/", 1)[1]).status == "needs_birth_date"
        assert door.look(printed["code"]).status == "needs_birth_date"
    assert main(["--db", database, "invite", "MRN001", "--timepoint", "w6", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["link"] != printed["link"] and again["timepoint"] == "w6"
    with Clinic.open(database) as clinic:
        assert WebDoor(clinic.database).look(printed["code"]).status == "revoked"  # the new one replaced it


@pytest.mark.parametrize(("args", "message"), [
    (["invite", "NOPE"], "sijpro: no patient with MRN 'NOPE'\n"),
    (["invite", "MRN002"], "sijpro: MRN002 has no visit open to answering today (due or overdue)\n"),
    (["invite", "MRN001", "--timepoint", "m3"], "sijpro: the m3 visit of MRN001 is scheduled: it is not open to "
     "answering\n"),
])
def test_bad_input_is_one_line_and_status_1(database, cli_as, capsys, args, message) -> None:
    cli_as(database, "nurse")
    assert main(["--db", database, *args]) == 1
    assert capsys.readouterr().err == message


def test_refused_without_a_sign_in_and_without_a_web_address_a_local_link_and_a_note(database, cli_as, capsys,
                                                                                     monkeypatch) -> None:
    assert main(["--db", database, "invite", "MRN001"]) == 1
    assert capsys.readouterr().err.startswith("sijpro: sign in first")
    cli_as(database, "nurse")
    monkeypatch.delenv("SIJPRO_WEB_URL")
    assert main(["--db", database, "invite", "MRN001", "--json"]) == 0
    said = capsys.readouterr()
    printed = json.loads(said.out)
    assert printed["link"].startswith("http://127.0.0.1:8080/v/") and printed["local_only"] is True
    assert said.err.startswith("sijpro: note: the clinic's web address is not set, so this link opens only on the")
    with pytest.raises(SystemExit) as usage:
        main(["--db", database, "invite"])
    assert usage.value.code == 2


def test_as_a_script_with_the_password_on_stdin(database, cli_as) -> None:
    cli_as(database, "nurse")
    done = sijpro("--db", database, "invite", "MRN001", "--user", "cli-nurse", "--password-stdin",
                  stdin=CLI_PASSWORD + "\n", SIJPRO_WEB_URL=WEB)
    assert done.returncode == 0, done.stderr
    assert LINE.search(done.stdout) and done.stderr == ""
    wrong = sijpro("--db", database, "invite", "MRN001", "--user", "cli-nurse", "--password-stdin",
                   stdin="wrong\n", SIJPRO_WEB_URL=WEB)
    assert wrong.returncode == 1 and wrong.stderr.startswith("sijpro: wrong username or password")
    assert "invite" in sijpro("--help").stdout
    assert "SIJPRO_WEB_URL" in sijpro("invite", "--help").stdout


def test_the_clinics_web_address_needs_no_variable(database, cli_as, capsys, monkeypatch) -> None:
    """An administrator set it once on the Clinic page: the command line of any machine uses it."""
    monkeypatch.delenv("SIJPRO_WEB_URL")
    with trusted(database, "ada") as clinic:
        clinic.settings.save(replace(clinic.settings.load(), web_address="https://prom.clinique.example"))
    cli_as(database, "nurse")
    assert main(["--db", database, "invite", "MRN001"]) == 0
    printed = LINE.search(capsys.readouterr().out)
    assert printed is not None and printed["link"].startswith("https://prom.clinique.example/v/")
    monkeypatch.setenv("SIJPRO_WEB_URL", "http://prom.clinique.example")  # plain http to a patient's phone
    assert main(["--db", database, "invite", "MRN001"]) == 1
    assert capsys.readouterr().err == (
        "sijpro: SIJPRO_WEB_URL: http://prom.clinique.example is plain http: patients' links must use https "
        "(http only for this machine, http://127.0.0.1)\n")
