"""Schema and engines: migrations reach head, init is idempotent, the file is private and safely configured,
and a database at the wrong schema is refused with a message saying what to do."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from sijpro.demo.cohort import generate_demo_cohort
from sijpro.errors import UserError
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import verify
from sijpro.storage import schema
from sijpro.storage.database import Database
from sijpro.storage.engine import resolve_url
from sijpro.storage.models import Base
from tests.conftest import TODAY
from tests.factories import patient_draft
from tests.trusted import trusted


def test_init_creates_then_is_idempotent(database_url: str) -> None:
    first = Clinic.init(database_url)
    assert first.revision_before is None and first.revision_after == schema.head_revision()
    assert first.stored_default_protocol
    second = Clinic.init(database_url)
    assert second.revision_before == second.revision_after == schema.head_revision()
    assert not second.stored_default_protocol and not second.created_file
    assert "up to date" in second.summary
    with trusted(database_url) as clinic:
        assert [p.version for p in clinic.protocols.versions()] == [1]
        assert clinic.audit.verify_chain().ok


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    Clinic.init(database_url)
    database = Database(resolve_url(database_url))
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.close()
    assert differences == []


def test_sqlite_file_is_private_and_safely_configured(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "clinic.sqlite"
    report = Clinic.init(str(path))
    assert report.created_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with trusted(str(path)) as clinic, clinic.database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_open_refuses_a_missing_file_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "nothing.sqlite"
    with pytest.raises(UserError, match="run 'sijpro init'"):
        Clinic.open(str(path))
    assert not path.exists()


def test_open_refuses_an_uninitialised_database(database_url: str, tmp_path: Path) -> None:
    if "://" not in database_url:
        Path(database_url).touch()
    with pytest.raises(UserError, match="not an SIJ-PRO database yet: run 'sijpro init'"):
        Clinic.open(database_url)


def test_open_refuses_older_and_newer_schemas(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    Clinic.init(database_url)
    engine = create_engine(resolve_url(database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    monkeypatch.setattr(schema, "_known_revisions", lambda: frozenset({"0000", schema.head_revision()}))
    with pytest.raises(UserError, match=r"older schema .*run 'sijpro init' to upgrade"):
        Clinic.open(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    engine.dispose()
    with pytest.raises(UserError, match="newer release"):
        Clinic.open(database_url)
    with pytest.raises(UserError, match="newer release"):
        Clinic.init(database_url)


def test_init_upgrades_a_database_made_by_an_older_release(database_url: str) -> None:
    if "://" not in database_url:
        Path(database_url).touch(mode=0o600)
    database = Database(resolve_url(database_url))
    try:
        with database.engine.connect() as connection:
            command.upgrade(schema.alembic_config(connection), "0001")
            connection.commit()
    finally:
        database.close()
    with pytest.raises(UserError, match=r"older schema \(0001, .*run 'sijpro init' to upgrade"):
        Clinic.open(database_url)
    report = Clinic.init(database_url)
    assert (report.revision_before, report.revision_after) == ("0001", schema.head_revision())
    assert report.summary.startswith("upgraded")
    with trusted(database_url) as clinic:
        assert clinic.protocols.current().version == 1


def test_init_upgrades_a_sealed_database_holding_data(database_url: str) -> None:
    """The upgrade seals every row again, in several audit events once there are more than a thousand
    fingerprints: written together (an executemany), which a connection left streaming its reads (a
    server-side cursor on PostgreSQL) refused."""
    Clinic.init(database_url)
    with trusted(database_url) as clinic:
        cohort = generate_demo_cohort(20, seed=5, today=TODAY)
        clinic.imports.load(dataclasses.replace(cohort, contacts=()))  # the table the downgrade removes
    database = Database(resolve_url(database_url))
    try:
        with database.engine.connect() as connection:
            command.downgrade(schema.alembic_config(connection), "-1")
            connection.commit()
    finally:
        database.close()
    report = Clinic.init(database_url)
    assert report.revision_after == schema.head_revision() != report.revision_before
    with trusted(database_url) as clinic:
        assert verify(clinic) == []


def test_url_forms() -> None:
    assert resolve_url("clinic.sqlite").database == str(Path("clinic.sqlite").resolve())
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(UserError, match="only SQLite and PostgreSQL"):
        resolve_url("mysql://u@h/db")


def test_default_location_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIJPRO_DATABASE_URL", str(tmp_path / "env.sqlite"))
    assert resolve_url(None).database == str(tmp_path / "env.sqlite")
    monkeypatch.delenv("SIJPRO_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_url(None).database == str(tmp_path / "data" / "sijpro" / "sijpro.sqlite")


def test_audit_rows_cannot_be_changed_or_deleted(clinic: Clinic) -> None:
    with clinic.database.engine.connect() as connection:
        for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(Exception, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()


def test_an_in_memory_database_is_private_and_ready(clock) -> None:
    with trusted("sqlite://", clock=clock) as first, trusted("sqlite://", clock=clock) as second:
        first.patients.register(patient_draft("MEM1"))
        assert first.patients.by_mrn("MEM1") is not None and second.patients.by_mrn("MEM1") is None
        assert first.protocols.current().version == 1 and first.audit.verify_chain().ok


def test_the_revisions_read_from_the_files_are_alembics_own() -> None:
    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert schema.head_revision() == scripts.get_current_head()
    assert schema._revision_links() == {script.revision: script.down_revision for script in scripts.walk_revisions()}


def test_the_current_revision_read_directly_is_alembics_own(database_url: str) -> None:
    database = Database(resolve_url(database_url))
    try:
        with database.engine.connect() as connection:
            assert schema.current_revision(connection) is None
        Clinic.init(database_url)
        with database.engine.connect() as connection:
            assert schema.current_revision(connection) == MigrationContext.configure(connection).get_current_revision()
            assert schema.current_revision(connection) == schema.head_revision()
    finally:
        database.close()


def test_opening_a_clinic_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    Clinic.init(str(tmp_path / "c.sqlite"))
    probe = ("import sys; from sijpro.services.clinic import Clinic; "
             "Clinic.open(sys.argv[1]).close(); print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "c.sqlite")], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]"
