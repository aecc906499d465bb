"""Damaged input files and databases: a clear fault or refusal, never a traceback, a hang or a half-write.

Devices and pipes are refused before anything is read; digits of other scripts are not numbers; a
database holding text that is not UTF-8 is a fault naming the row, and commands that write refuse it;
a full disk is a sentence saying so.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from sijpro.cli import main
from sijpro.errors import UserError
from sijpro.exchange import csv_files
from sijpro.instruments import get_instrument
from sijpro.services.clinic import Clinic
from sijpro.storage import engine
from tests.factories import operated_patient
from tests.trusted import trusted

ROOT = Path(__file__).resolve().parents[1]
PATIENTS_HEADER = "mrn,family_name,given_name,birth_date,sex,language,bmi,surgery_date"


@pytest.fixture
def database(tmp_path: Path, clock, cli_as) -> Path:
    """One operated patient; the command line signed in as an administrator."""
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path))
    with trusted(str(path), clock=clock) as clinic:
        operated_patient(clinic)
    cli_as(str(path))
    return path


def sijpro(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sijpro", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_import_refuses_what_is_not_a_regular_file_at_once(database: Path, tmp_path: Path, kind: str) -> None:
    if kind == "device":
        source = Path("/dev/zero")
    elif kind == "fifo":
        source = tmp_path / "pipe.csv"
        os.mkfifo(source)  # nobody ever writes to it: reading it would wait for ever
    else:
        source = tmp_path
    result = sijpro("--db", str(database), "import", str(source), timeout=30)
    assert result.returncode == 1, result.stderr
    assert f"{source}: not a regular file (a device, a pipe or a folder)" in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text(PATIENTS_HEADER + "\n" + "x," * 2000)
    with pytest.raises(UserError, match=r"big\.csv: the file is 0 MB; files over 0 MB are refused"):
        csv_files.read_csv(big, limit=1000)


def test_digits_of_other_scripts_are_not_numbers(database: Path, tmp_path: Path, capsys) -> None:
    item = get_instrument("nrs").items[0]
    for typed in ("٥", "５", "۵", "٧.٠"):
        with pytest.raises(ValueError, match="is not a number"):
            item.parse(typed)
    assert item.parse("5") == 5
    patients = tmp_path / "patients.csv"
    patients.write_text(PATIENTS_HEADER + "\nK-9,Doe,Jo,1960-01-01,F,en,٢٧.٥,2024-01-10\n", encoding="utf-8")
    assert main(["--db", str(database), "import", str(patients)]) == 1
    err = capsys.readouterr().err
    assert "patients.csv, line 2" in err and "bmi" in err and "is not a number" in err
    scores = tmp_path / "nrs.csv"
    scores.write_text("lumbar,radicular\n５,3\n4,3\n", encoding="utf-8")
    assert main(["score", "nrs", str(scores), "-o", str(tmp_path / "out.csv")]) == 1
    assert "line 2" in capsys.readouterr().err


def test_text_that_is_not_utf8_is_a_fault_naming_the_row_and_writes_are_refused(database: Path, capsys,
                                                                                 monkeypatch) -> None:
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE patients SET family_name = CAST(X'4D61FF7274696E' AS TEXT) WHERE id = 1")
        users = raw.execute("SELECT count(*) FROM users").fetchone()[0]
    db = ["--db", str(database)]
    assert main([*db, "verify"]) == 1
    verified = capsys.readouterr().err
    assert "unreadable text: row (id 1) of table patients: column family_name is not UTF-8 text" in verified
    assert main([*db, "export", "csv", "-o", str(database.parent / "out")]) == 1
    exported = capsys.readouterr().err
    assert "holds text that is not UTF-8 (column family_name)" in exported
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password 1\n"))
    assert main([*db, "users", "add", "zed", "--role", "nurse", "--password-stdin"]) == 1
    added = capsys.readouterr().err
    assert "is damaged, so nothing was written" in added
    for err in (verified, exported, added):
        assert "Traceback" not in err and "unexpected error" not in err
        assert "rtin" not in err  # the damaged text (a name) is never quoted
    with sqlite3.connect(database) as raw:
        assert raw.execute("SELECT count(*) FROM users").fetchone()[0] == users


def test_a_full_disk_is_a_clear_message_and_nothing_is_half_written(database: Path, tmp_path: Path, capsys,
                                                                    monkeypatch) -> None:
    real = engine.make_engine

    def small_disk(url):  # the file may not grow past its size now: as a disk with no room left
        made = real(url)

        @event.listens_for(made, "connect")
        def _limit(dbapi_connection, _record) -> None:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

        return made

    monkeypatch.setattr("sijpro.storage.database.make_engine", small_disk)
    patients = tmp_path / "patients.csv"
    lines = [f"K-{n},Family {n},Given {n},1960-01-01,F,en,27.5,2024-01-10" for n in range(400)]
    patients.write_text(PATIENTS_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--db", str(database), "import", str(patients)]) == 1
    err = capsys.readouterr().err
    assert f"the disk holding {database} is full: nothing was saved" in err, err
    monkeypatch.undo()
    with sqlite3.connect(database) as raw:
        assert raw.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
