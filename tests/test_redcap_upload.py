"""``sijpro export redcap --url URL --token-stdin``: PyCap's real HTTP requests to a REDCap API on loopback
that checks each import as REDCap does (``tests/redcap_fake.py``): the project built in REDCap's order,
every record accepted, a refusal named with REDCap's words, the token never printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo.cohort import generate_demo_cohort
from sijpro.errors import UserError
from sijpro.exchange import redcap
from sijpro.exchange.redcap_upload import upload_redcap
from sijpro.services.clinic import Clinic
from tests.conftest import TODAY
from tests.redcap_fake import fake_redcap
from tests.trusted import trusted

TOKEN = "0123456789ABCDEF0123456789ABCDEF"


@pytest.fixture
def database(tmp_path: Path, cli_as) -> Path:
    """Nine demo patients; the command line signed in as a surgeon, whose export it is."""
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path))
    with trusted(str(path)) as clinic:
        clinic.imports.load(generate_demo_cohort(9, seed=12, today=TODAY))
    cli_as(str(path), "surgeon")
    return path


def export_cli(capsys, monkeypatch, database: Path, out: Path, *args: str):
    """args: URL, token, then more options."""
    url, token, *extra = args
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    status = main(["--db", str(database), "export", "redcap", "-o", str(out), "--url", url, "--token-stdin",
                   *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("deidentify", [False, True], ids=["identified", "deidentified"])
def test_upload_builds_the_project_then_imports_every_record(database, tmp_path, capsys, monkeypatch,
                                                             deidentify: bool) -> None:
    with fake_redcap(TOKEN) as (url, project):
        extra = ("--deidentify",) if deidentify else ()
        status, out, err = export_cli(capsys, monkeypatch, database, tmp_path / "rc", url, TOKEN, *extra)
    assert (status, err) == (0, "")
    assert project.requests == ["metadata", "arm", "event", "formEventMapping", "record"]
    sent = (tmp_path / "rc" / redcap.FILES["data"]).read_text(encoding="utf-8").splitlines()[1:]
    assert len(project.records) == len(sent) > 9  # every row of the import file, each accepted
    assert {event for _, event in project.records} <= set(project.events)
    assert "uploaded to REDCap: " in out and "9 records" in out
    assert TOKEN not in out + err


def test_a_refusal_names_the_step_and_redcaps_words(database, tmp_path, capsys, monkeypatch) -> None:
    with fake_redcap(TOKEN) as (url, project):
        project.refusals["metadata"] = "the project is in production"
        status, _, err = export_cli(capsys, monkeypatch, database, tmp_path / "rc", url, TOKEN)
    assert status == 1
    assert "REDCap refused the data dictionary: the project is in production" in err
    assert "Traceback" not in err


def test_wrong_token_url_or_server(database, tmp_path, capsys, monkeypatch) -> None:
    with fake_redcap(TOKEN) as (url, _):
        status, _, err = export_cli(capsys, monkeypatch, database, tmp_path / "a", url, "F" * 32)
        assert status == 1 and "REDCap refused the data dictionary: You do not have permissions" in err
        status, _, err = export_cli(capsys, monkeypatch, database, tmp_path / "b", url, "short")
        assert status == 1 and "32 hexadecimal characters" in err and "short" not in err
        status, _, err = export_cli(capsys, monkeypatch, database, tmp_path / "c", url.removesuffix("/"), TOKEN)
        assert status == 1 and "ending in /api/" in err
    status, _, err = export_cli(capsys, monkeypatch, database, tmp_path / "d", url, TOKEN)  # server gone
    assert status == 1 and "cannot reach REDCap" in err and TOKEN not in err
    capsys.readouterr()
    status = main(["--db", str(database), "export", "csv", "-o", str(tmp_path / "e"), "--url", url])
    assert status == 2 and "--url is for redcap exports only" in capsys.readouterr().err


def test_upload_function_refuses_a_mismatch_the_fake_detects(tmp_path, database) -> None:
    """The fake has teeth: a record on an event its form is not mapped to is refused, as REDCap does."""
    with trusted(str(database)) as clinic:
        clinic.exports.write("redcap", tmp_path / "rc")
    mapping = tmp_path / "rc" / redcap.FILES["mapping"]
    lines = mapping.read_text(encoding="utf-8").splitlines()
    mapping.write_text("\n".join(line for line in lines if not line.endswith(",nrs")) + "\n", encoding="utf-8")
    with fake_redcap(TOKEN) as (url, _), pytest.raises(UserError, match=r"refused the records: .*not designated"):
        upload_redcap(tmp_path / "rc", url, TOKEN)
