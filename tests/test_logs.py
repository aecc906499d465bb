"""The program's log: one rotating file readable by its owner only, hard crashes in it, and no patient's
data in it, even when an error quotes the values being saved."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError

from sijpro import logs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "log"
    monkeypatch.setenv("SIJPRO_LOG_DIR", str(folder))
    yield folder
    logs.stop_logging()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_rotates_and_every_file_is_the_owners_only(log_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 20_000)
    path = logs.setup_logging()
    assert path == (log_dir / "sijpro.log").absolute()
    writer = logging.getLogger("sijpro.services.collection")
    for number in range(2000):  # ~180 kB of records: past five rotations of 20 kB
        writer.info("questionnaire %d completed by nurse1", number)
    names = sorted(p.name for p in log_dir.iterdir())
    assert names == ["sijpro.log", *(f"sijpro.log.{n}" for n in range(1, logs.BACKUPS + 1))]  # never more
    for name in names:
        assert mode(log_dir / name) == 0o600, name
        assert (log_dir / name).stat().st_size <= 20_000 + 200
    assert mode(log_dir) == 0o700
    assert "questionnaire 1999 completed by nurse1" in (log_dir / "sijpro.log").read_text(encoding="utf-8")
    assert "questionnaire 0 completed" not in "".join((log_dir / n).read_text(encoding="utf-8") for n in names)


def test_other_libraries_loggers_stay_out_of_the_file(log_dir: Path) -> None:
    logs.setup_logging()
    logging.getLogger("sqlalchemy.engine").warning("INSERT INTO patients VALUES ('Dupont')")
    logging.getLogger("ui.kiosk.window").warning("tablet locked")
    text = (log_dir / "sijpro.log").read_text(encoding="utf-8")
    assert "tablet locked" in text and "Dupont" not in text


def test_an_error_is_logged_with_its_stack_and_type_never_its_words(log_dir: Path) -> None:
    """A database error quotes the row being written: the patient's name, MRN and birth date here."""
    engine = create_engine("sqlite://")
    table = Table("patients", MetaData(), Column("id", Integer, primary_key=True),
                  Column("mrn", String, unique=True), Column("family_name", String), Column("birth_date", String))
    table.metadata.create_all(engine)
    row = {"mrn": "K-777", "family_name": "Dupont-Quintal", "birth_date": "1950-03-02"}
    with engine.begin() as connection:
        connection.execute(insert(table).values(**row))
    try:
        with engine.begin() as connection:
            try:
                connection.execute(insert(table).values(**row))
            except IntegrityError as integrity:
                raise RuntimeError(f"could not save patient {row['family_name']}") from integrity
    except RuntimeError as error:
        assert "Dupont-Quintal" in str(error.__cause__)  # what the old crash log wrote out
        path = logs.record_crash(error)
    assert path == (log_dir / "sijpro.log").absolute()
    text = path.read_text(encoding="utf-8")
    assert "unexpected error" in text and "Traceback (most recent call last):" in text
    assert "test_logs.py" in text  # the frames are there for support
    assert "sqlalchemy.exc.IntegrityError from sqlite3.IntegrityError" in text
    assert "sqlite_errorname=SQLITE_CONSTRAINT_UNIQUE" in text
    assert "The above error was the direct cause of the following:" in text
    assert "RuntimeError" in text
    for secret in ("Dupont-Quintal", "K-777", "1950-03-02", "[parameters", "INSERT INTO"):
        assert secret not in text, secret


def test_a_hard_crash_lands_in_the_log_even_after_a_rotation(tmp_path: Path) -> None:
    """faulthandler writes a segfault's stacks (all threads) into the current file, not a rotated one."""
    script = textwrap.dedent("""
        import faulthandler, logging
        from sijpro import logs
        logs.MAX_BYTES = 5_000
        logs.setup_logging(crash_stacks=True)
        for number in range(300):
            logging.getLogger("sijpro.test").info("record %d", number)
        def deep_in_qt():
            faulthandler._sigsegv()
        deep_in_qt()
    """)
    env = {**os.environ, "SIJPRO_LOG_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode != 0
    current = (tmp_path / "sijpro.log").read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in current
    assert "deep_in_qt" in current
    assert (tmp_path / "sijpro.log.1").is_file()
    assert "Fatal Python error" not in (tmp_path / "sijpro.log.1").read_text(encoding="utf-8")


def test_the_cli_says_an_unexpected_errors_type_and_where_the_log_is(log_dir: Path, capsys, monkeypatch) -> None:
    from sijpro import cli
    from sijpro.commands import score

    def broken(_args: object) -> int:
        raise ValueError("patient Dupont-Quintal, MRN K-777")

    monkeypatch.setattr(score, "run", broken)
    assert cli.main(["score", "odi", "answers.csv"]) == 1
    err = capsys.readouterr().err
    assert err == f"sijpro: unexpected error (ValueError); details in {(log_dir / 'sijpro.log').absolute()}\n"
    text = (log_dir / "sijpro.log").read_text(encoding="utf-8")
    assert "ValueError" in text and "Dupont" not in text and "K-777" not in text
