"""``sijpro copy``: a whole clinic into another database, every row of every table equal, or nothing at all.

The source is a demo clinic on a real SQLite file with accounts (passwords, a PIN, a failed sign-in), a
staged bilateral surgery with device and surgeon, a second protocol version and backup settings; targets
are new SQLite files and new databases made with CREATE DATABASE on the real PostgreSQL server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, make_url, select

from sijpro import __version__
from sijpro.cli import main
from sijpro.demo.sandbox import DEMO_PASSWORD, create_demo_clinic
from sijpro.errors import UserError
from sijpro.progress import Cancelled
from sijpro.records import ProcedureDraft
from sijpro.services.auth import AuthError
from sijpro.services.backups import BackupSettings, save_settings
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_copy import CopyReport, copy_clinic
from sijpro.services.context import FixedClock
from sijpro.services.maintenance import verify
from sijpro.services.session import Session
from sijpro.storage import schema, transfer
from sijpro.storage.database import Database
from sijpro.storage.encryption import encrypt_database, unlock
from sijpro.storage.engine import resolve_url
from sijpro.storage.models import Base
from tests.conftest import POSTGRES_URL, TODAY, _run_postgres
from tests.factories import patient_draft
from tests.trusted import trusted

PIN = "4711"
PASSPHRASE = "correct horse battery"
ACTOR = "cli:tester"


def AS_TESTER(clinic: Clinic) -> Session:  # noqa: N802 - read as a constant at every call
    """The copy acting with every capability, as the program a test is."""
    return clinic.system_session(ACTOR)
needs_postgres = [pytest.mark.postgres,
                  pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]

Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "clinic.sqlite"
    create_demo_clinic(path, patients=30, seed=11, today=TODAY)
    with trusted(str(path), "demo-admin", clock=FixedClock(TODAY)) as clinic:
        clinic.auth.set_pin("demo-nurse", PIN)
        with pytest.raises(AuthError):
            clinic.auth.authenticate("demo-surgeon", "not the password")
        patient = clinic.patients.register(patient_draft("STAGED-1"), confirm_duplicate=True)
        clinic.procedures.record(patient.id, ProcedureDraft(
            dt.date(2024, 1, 10), side="bilateral", approach="lateral", device="iFuse-3D", surgeon="Dr Weber",
            second_side_date=dt.date(2024, 2, 7)))
        clinic.protocols.save_new_version(dataclasses.replace(clinic.protocols.current(), name="Clinic protocol"))
        save_settings(clinic, BackupSettings(keep=30, daily=False))
    return path


@pytest.fixture
def source(demo_file: Path, tmp_path: Path) -> str:
    """A copy of the demo clinic of its own, which a test may change."""
    path = tmp_path / "source.sqlite"
    shutil.copyfile(demo_file, path)
    return str(path)


@pytest.fixture
def new_postgres_database() -> Iterator[str]:
    """The URL of a database just made with CREATE DATABASE (no table at all), dropped after the test."""
    assert POSTGRES_URL is not None
    name = f"sijpro_copy_{uuid.uuid4().hex[:12]}"
    _run_postgres(f"CREATE DATABASE {name}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _run_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def new_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A target that does not exist yet: an SQLite path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "target" / "copy.sqlite")
    return request.getfixturevalue("new_postgres_database")


def table_rows(url: str, passphrase: str | None = None) -> Rows:
    """Every row of every table as Python values, keyed by primary key; JSON columns also say whether they
    are SQL NULL, which decoded values cannot tell from JSON null."""
    database = Database(unlock(resolve_url(url), passphrase))
    try:
        with database.connection() as connection:
            found: Rows = {}
            for table in Base.metadata.sorted_tables:
                nulls = [column.is_(None) for column in table.columns if isinstance(column.type, JSON)]
                keys = len(table.primary_key.columns)
                query = select(*table.primary_key.columns, *table.columns, *nulls)
                found[table.name] = {tuple(row[:keys]): tuple(row[keys:]) for row in connection.execute(query)}
            return found
    finally:
        database.close()


def target_tables(url: str) -> set[str]:
    database = Database(resolve_url(url))
    try:
        with database.connection() as connection:
            return transfer.sijpro_tables(connection)
    finally:
        database.close()


def assert_copied(before: Rows, after: Rows, report: CopyReport) -> None:
    """``after`` holds exactly ``before`` plus the copy's own audit event (and the chain head after it)."""
    events = len(before["audit_events"])
    copy_event = after["audit_events"].pop((events + 1,))
    assert copy_event[2:6] == (ACTOR, "database", None, "copied_from")
    seal = after["audit_events"].pop((events + 2,))
    assert seal[3] == "state"
    head = after["audit_head"].pop((1,))
    assert head[1:] == (events + 2, seal[-1])
    del before["audit_head"]
    del after["audit_head"]
    assert after == before
    assert report.rows == {name: len(rows) for name, rows in before.items()} | {"audit_head": 1}
    assert report.audit_events == events + 2


def last_event(url: str) -> Any:
    with trusted(url) as clinic:
        return clinic.audit.events(newest_first=True, limit=1)[0]


def test_the_demo_source_holds_what_a_copy_must_keep(source: str) -> None:
    rows = table_rows(source)
    users = {row[1]: row for row in rows["users"].values()}
    assert users["demo-nurse"][5] is not None and users["demo-surgeon"][7] == 1  # PIN hash, failed attempt
    assert any(row[5:8] == ("iFuse-3D", "Dr Weber", dt.date(2024, 2, 7)) for row in rows["procedures"].values())
    assert len(rows["protocols"]) == 2
    assert {"backup.keep", "clinic.name"} <= {key for (key,) in rows["meta"]}
    outcome_nulls = {row[-1] for row in rows["visits"].values()}
    assert outcome_nulls == {True, False}  # SQL NULL outcomes beside stored ones: both must survive


@pytest.mark.parametrize("target_kind", ["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def test_every_row_of_every_table_is_copied_and_the_copy_is_a_working_clinic(
        source: str, tmp_path: Path, target_kind: str, request: pytest.FixtureRequest) -> None:
    target = (str(tmp_path / "copy.sqlite") if target_kind == "sqlite"
              else request.getfixturevalue("new_postgres_database"))
    before = table_rows(source)
    progress: list[tuple[int, int]] = []

    report = copy_clinic(source, target, as_user=AS_TESTER, progress=lambda done, total: progress.append((done, total)))

    assert report.created_tables and report.source_note is None
    assert_copied(before, table_rows(target), report)
    total = sum(report.rows.values())
    assert progress[0] == (0, total) and progress[-1] == (total, total)
    assert last_event(target).new["database"] == source
    copied_to = last_event(source)
    assert (copied_to.actor, copied_to.field, copied_to.new["database"]) == (ACTOR, "copied_to", report.target)
    with trusted(target, "demo-nurse", clock=FixedClock(TODAY)) as clinic:
        assert verify(clinic) == []
        assert clinic.auth.authenticate("demo-admin", DEMO_PASSWORD).role == "admin"
        assert clinic.auth.check_pin("demo-nurse", PIN).username == "demo-nurse"
        patient = clinic.patients.register(patient_draft("AFTER-COPY", given_name="Paul", sex="M"))
        clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2024, 5, 2), side="left"))
        clinic.auth.add_user("new-nurse", "", "nurse", "a long password")
        assert verify(clinic) == []
    assert patient.id == max(key for (key,) in before["patients"]) + 1


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")
def test_a_server_clinic_comes_back_to_an_sqlite_file(source: str, new_postgres_database: str,
                                                      tmp_path: Path) -> None:
    copy_clinic(source, new_postgres_database, as_user=AS_TESTER)
    on_server = table_rows(new_postgres_database)
    laptop = tmp_path / "laptop" / "clinic.sqlite"

    report = copy_clinic(new_postgres_database, str(laptop), as_user=AS_TESTER)

    assert_copied(on_server, table_rows(str(laptop)), report)
    assert laptop.stat().st_mode & 0o777 == 0o600


def test_an_encrypted_source_is_opened_with_its_passphrase(source: str, tmp_path: Path) -> None:
    encrypt_database(Path(source), PASSPHRASE)
    before = table_rows(source, PASSPHRASE)
    target = str(tmp_path / "plain.sqlite")

    report = copy_clinic(source, target, as_user=AS_TESTER, passphrase=lambda: PASSPHRASE)

    assert_copied(before, table_rows(target), report)
    with pytest.raises(UserError, match="wrong passphrase"):
        copy_clinic(source, str(tmp_path / "other.sqlite"), as_user=AS_TESTER, passphrase="not the passphrase")
    assert not (tmp_path / "other.sqlite").exists()


def test_a_target_with_tables_but_no_rows_is_filled(source: str, database_url: str) -> None:
    schema.upgrade(Database(resolve_url(database_url)).engine)
    before = table_rows(source)

    report = copy_clinic(source, database_url, as_user=AS_TESTER)

    assert not report.created_tables
    assert_copied(before, table_rows(database_url), report)


def test_the_target_keeps_its_own_schema_revision_and_release(source: str, tmp_path: Path) -> None:
    with sqlite3.connect(source) as raw:
        raw.execute("UPDATE meta SET value = '0.0.9' WHERE key = 'last_init_release'")
    target = str(tmp_path / "copy.sqlite")

    copy_clinic(source, target, as_user=AS_TESTER)

    with sqlite3.connect(target) as raw:
        assert raw.execute("SELECT value FROM meta WHERE key = 'last_init_release'").fetchall() == [(__version__,)]
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(schema.head_revision(),)]


def test_a_target_holding_data_is_refused_and_left_unchanged(source: str, database_url: str) -> None:
    Clinic.init(database_url)  # what 'sijpro init' leaves: the default protocol, and its audit event
    before = table_rows(database_url)

    with pytest.raises(UserError, match=r"already holds data \(rows: protocols 1, audit_events 2\)|"
                                        r"already holds data \(rows: audit_events 2, protocols 1\)"):
        copy_clinic(source, database_url, as_user=AS_TESTER)

    assert table_rows(database_url) == before


def test_a_faulty_source_is_refused(source: str, tmp_path: Path) -> None:
    with sqlite3.connect(source) as raw:
        raw.execute("DROP TRIGGER audit_events_refuse_update")
        raw.execute("UPDATE audit_events SET new = '\"tampered\"' WHERE id = 3")
        raw.execute("CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END")
    target = tmp_path / "copy.sqlite"

    with pytest.raises(UserError, match=r"has faults \(audit: audit event 3 .* was altered .*\), so it was not copied"):
        copy_clinic(source, str(target), as_user=AS_TESTER)

    assert not target.exists()


def test_a_source_at_an_older_schema_must_be_upgraded_first(source: str, tmp_path: Path) -> None:
    with sqlite3.connect(source) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0001'")

    with pytest.raises(UserError, match=r"older schema .* run 'sijpro init' to upgrade it"):
        copy_clinic(source, str(tmp_path / "copy.sqlite"), as_user=AS_TESTER)


class DiskGone(RuntimeError):
    pass


@pytest.mark.parametrize("failure", ["write error", "Ctrl-C", "cancelled"])
def test_a_copy_that_stops_midway_leaves_the_target_empty(source: str, new_target: str, failure: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    write = transfer._write

    def failing_write(target: Any, statement: Any, rows: Any, table: str, where: str) -> None:
        copied.append(table)
        if table == "answers" and failure == "write error":
            raise DiskGone("the disk went away")
        write(target, statement, rows, table, where)

    def progress(done: int, total: int) -> None:
        if "answers" in copied and failure != "write error":
            raise KeyboardInterrupt if failure == "Ctrl-C" else Cancelled

    monkeypatch.setattr(transfer, "_write", failing_write)
    with pytest.raises((DiskGone, KeyboardInterrupt, Cancelled)):
        copy_clinic(source, new_target, as_user=AS_TESTER, progress=progress)

    assert "visits" in copied  # the failure came after earlier tables were written
    if new_target.endswith(".sqlite"):
        assert not Path(new_target).exists()
    else:
        assert target_tables(new_target) == set()
    assert last_event(source).field != "copied_to"
    monkeypatch.undo()
    assert copy_clinic(source, new_target, as_user=AS_TESTER).rows["answers"] > 0  # nothing stands in the way


def test_the_same_database_twice_is_refused(source: str) -> None:
    before = table_rows(source)
    with pytest.raises(UserError, match="the source and the target are the same database"):
        copy_clinic(source, str(Path(source).parent / "." / Path(source).name), as_user=AS_TESTER)
    assert table_rows(source) == before


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")
def test_the_same_server_database_under_two_spellings_is_refused(source: str, new_postgres_database: str) -> None:
    copy_clinic(source, new_postgres_database, as_user=AS_TESTER)
    other_spelling = make_url(new_postgres_database).set(drivername="postgresql", host="localhost")
    with pytest.raises(UserError, match="the source and the target are the same database"):
        copy_clinic(new_postgres_database, other_spelling.render_as_string(hide_password=False), as_user=AS_TESTER)


# --- the command line --------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def demo_admin_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line acts as the demo clinic's administrator: copying a clinic is theirs."""
    monkeypatch.setenv("SIJPRO_USER", "demo-admin")
    monkeypatch.setenv("SIJPRO_PASSWORD", DEMO_PASSWORD)


def test_cli_copies_and_prints_rows_per_table(source: str, new_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", source, "copy", "--to", new_target]) == 0
    out = capsys.readouterr().out
    target = str(resolve_url(new_target).render_as_string(hide_password=True)) if "://" in new_target else new_target
    assert f"copied {source} to {target} (tables created):" in out
    assert "  patients  " in out and "rows" in out
    assert "the last one recording this copy) and scores verified: no fault" in out
    assert f"{source}: its audit trail records where its data went" in out
    assert main(["--db", new_target, "verify"]) == 0


def test_cli_refusals_are_one_line_and_exit_1(source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = str(tmp_path / "copy.sqlite")
    assert main(["--db", source, "copy", "--to", target]) == 0
    capsys.readouterr()
    cases = {
        "already holds data": ["--db", source, "copy", "--to", target],
        "are the same database": ["copy", "--db", source, "--to", source],
        "cannot reach the database postgresql+psycopg://sijpro@127.0.0.1:9/sijpro": [
            "--db", source, "copy", "--to", "postgresql://sijpro@127.0.0.1:9/sijpro"],
        "there is no SIJ-PRO database at": ["--db", str(tmp_path / "missing.sqlite"), "copy", "--to", target],
    }
    for expected, argv in cases.items():
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert expected in err and err.startswith("sijpro: ") and err.count("\n") == 1, err
    encrypt_database(Path(source), PASSPHRASE)
    monkeypatch.setenv("SIJPRO_PASSPHRASE", "not the passphrase")
    assert main(["--db", source, "copy", "--to", str(tmp_path / "other.sqlite")]) == 1
    assert "wrong passphrase" in capsys.readouterr().err


def test_cli_needs_a_target(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main(["--db", source, "copy"])
    assert exit_status.value.code == 2
    assert "--to" in capsys.readouterr().err
