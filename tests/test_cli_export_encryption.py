"""``sijpro export`` and ``sijpro encryption`` end to end through the CLI entry point."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo.cohort import generate_demo_cohort
from sijpro.services.clinic import Clinic
from sijpro.storage.encryption import PASSPHRASE_VARIABLE, file_state
from tests.conftest import CLI_PASSWORD, TODAY
from tests.trusted import trusted

PASSPHRASE = "tablet in the waiting room"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_as) -> Path:
    """15 demo patients; the command line signed in as an administrator."""
    monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path))
    with trusted(str(path)) as clinic:
        clinic.imports.load(generate_demo_cohort(15, seed=4, today=TODAY))
    cli_as(str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_export_every_kind(database: Path, tmp_path: Path, capsys) -> None:
    status, out, err = run(capsys, "--db", str(database), "export", "csv", "-o", str(tmp_path / "csv"))
    assert (status, err) == (0, "")
    assert out.startswith("exported 15 patients and ") and "(identified)" in out
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "analysis_wide.csv", "complications.csv", "data_dictionary.csv", "datapackage.json", "patients.csv",
        "responses.csv"]
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in (tmp_path / "csv").iterdir())
    assert oct((tmp_path / "csv").stat().st_mode & 0o777) == "0o700"  # the folder it made, its owner's alone
    status, out, _ = run(capsys, "--db", str(database), "export", "redcap", "-o", str(tmp_path / "rc"), "--deidentify")
    assert status == 0 and "(de-identified)" in out
    with (tmp_path / "rc" / "redcap_import.csv").open(encoding="utf-8") as handle:
        assert {row["record_id"][0] for row in csv.DictReader(handle)} == {"S"}
    status, _, _ = run(capsys, "--db", str(database), "export", "fhir", "-o", str(tmp_path / "bundle.json"))
    assert status == 0
    assert json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))["type"] == "collection"


def test_export_bad_input_is_one_line_and_exit_1(database: Path, tmp_path: Path, capsys) -> None:
    status, _, err = run(capsys, "--db", str(database), "export", "fhir", "-o", str(tmp_path / "no" / "b.json"))
    assert status == 1 and err.startswith("sijpro: ") and "does not exist" in err and "Traceback" not in err
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, "--db", str(database), "export", "csv", "-o", str(tmp_path / "file"))
    assert status == 1 and "not a folder" in err
    status, _, err = run(capsys, "--db", str(tmp_path / "none.sqlite"), "export", "csv", "-o", str(tmp_path / "x"))
    assert status == 1 and "sijpro init" in err
    with pytest.raises(SystemExit) as usage:
        main(["export", "xml", "-o", str(tmp_path)])
    assert usage.value.code == 2


def test_encrypted_database_end_to_end(database: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    db = ["--db", str(database)]
    mrn = b"DEMO-4-00001"
    assert mrn in database.read_bytes()
    assert main([*db, "backups", "--now"]) == 0  # a backup taken before encryption
    capsys.readouterr()
    status, _, err = run(capsys, *db, "--passphrase-stdin", "encryption", "enable", stdin="short\n",
                         monkeypatch=monkeypatch)
    assert status == 1 and "at least 8" in err and file_state(database) == "plain"
    status, out, err = run(capsys, *db, "--passphrase-stdin", "encryption", "enable", stdin=PASSPHRASE + "\n",
                           monkeypatch=monkeypatch)
    assert status == 0 and "now encrypted" in out
    assert "1 earlier backup(s)" in err and "not encrypted" in err
    assert file_state(database) == "encrypted"
    assert mrn not in database.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(database).execute("SELECT count(*) FROM patients").fetchone()

    # no passphrase, a wrong one: a clear message, no traceback
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status, _, err = run(capsys, *db, "export", "csv", "-o", str(tmp_path / "out"))
    assert status == 1 and "SIJPRO_PASSPHRASE" in err and "Traceback" not in err
    monkeypatch.setenv(PASSPHRASE_VARIABLE, "not the passphrase")
    status, _, err = run(capsys, *db, "export", "csv", "-o", str(tmp_path / "out"))
    assert status == 1 and err.strip() == f"sijpro: wrong passphrase for {database} (or the file is damaged)"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())

    # both secrets on standard input: the passphrase first (it opens the file), then the password
    monkeypatch.delenv("SIJPRO_PASSWORD")
    monkeypatch.delenv(PASSPHRASE_VARIABLE)
    both = ["--passphrase-stdin", "--password-stdin", "export", "csv", "-o", str(tmp_path / "out")]
    status, _, err = run(capsys, *db, *both, stdin=f"{CLI_PASSWORD}\n{PASSPHRASE}\n", monkeypatch=monkeypatch)
    assert status == 1 and "wrong passphrase" in err and not (tmp_path / "out").exists()
    status, out, err = run(capsys, *db, *both, stdin=f"{PASSPHRASE}\n{CLI_PASSWORD}\n", monkeypatch=monkeypatch)
    assert (status, err) == (0, "") and out.startswith("exported 15 patients")
    monkeypatch.setenv("SIJPRO_PASSWORD", CLI_PASSWORD)

    monkeypatch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
    status, out, _ = run(capsys, *db, "export", "csv", "-o", str(tmp_path / "out"))
    assert status == 0 and out.startswith("exported 15 patients")
    assert mrn in (tmp_path / "out" / "patients.csv").read_bytes()
    status, out, _ = run(capsys, *db, "encryption", "status")
    assert "encrypted (SQLCipher)" in out

    monkeypatch.delenv(PASSPHRASE_VARIABLE)
    status, _, _ = run(capsys, *db, "--passphrase-stdin", "encryption", "change",
                       stdin=f"{PASSPHRASE}\nan even longer passphrase\n", monkeypatch=monkeypatch)
    assert status == 0
    status, _, err = run(capsys, *db, "--passphrase-stdin", "encryption", "disable", stdin=PASSPHRASE + "\n",
                         monkeypatch=monkeypatch)
    assert status == 1 and "wrong passphrase" in err
    status, _, _ = run(capsys, *db, "--passphrase-stdin", "encryption", "disable",
                       stdin="an even longer passphrase\n", monkeypatch=monkeypatch)
    assert status == 0 and file_state(database) == "plain"
    assert sqlite3.connect(database).execute("SELECT count(*) FROM patients").fetchone() == (15,)


def test_encryption_is_for_sqlite_files_only(capsys) -> None:
    status, _, err = run(capsys, "--db", "postgresql://nobody@127.0.0.1:1/none", "encryption", "status")
    assert status == 1 and "PostgreSQL" in err
