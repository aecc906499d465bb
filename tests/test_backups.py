"""Automatic rotating backups, verified restores, and backups of an encrypted database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from sijpro.demo.cohort import generate_demo_cohort
from sijpro.errors import UserError
from sijpro.services import backups
from sijpro.services.backups import BackupSettings
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.session import Session
from sijpro.storage import encryption
from tests.conftest import POSTGRES_URL, TODAY
from tests.trusted import trusted

PASSPHRASE = "backups stay encrypted"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path))
    with trusted(str(path)) as clinic:
        clinic.imports.load(generate_demo_cohort(8, seed=2, today=TODAY))
    return path


def at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    """A moment of the machine's local day (FixedClock wants aware datetimes)."""
    return dt.datetime(year, month, day, hour, 30).astimezone()


def patients_in(path: Path, passphrase: str | None = None) -> int:
    with trusted(str(path), passphrase=passphrase) as clinic:
        return len(clinic.exports.courses())


def opened(path: Path, clock: FixedClock, passphrase: str | None = None) -> AbstractContextManager[Session]:
    return trusted(str(path), "admin1", clock=clock, passphrase=passphrase)


def test_automatic_backups_rotate_and_are_owner_only(database: Path) -> None:
    clock = FixedClock(at(2024, 6, 3, 8))
    with opened(database, clock) as clinic:
        backups.save_settings(clinic, BackupSettings(keep=3))
        written = []
        for hour in range(5):
            clock.set(at(2024, 6, 3, 8 + hour))
            written.append(backups.auto_backup(clinic))
    folder = database.parent / "backups"
    kept = backups.automatic_backups(folder)
    assert [item.path for item in kept] == written[2:]
    assert [item.taken_at for item in kept] == [at(2024, 6, 3, hour).astimezone().replace(tzinfo=None)
                                                for hour in (10, 11, 12)]
    assert all(oct(item.path.stat().st_mode & 0o777) == "0o600" for item in kept)
    assert all(item.path.name.startswith("sijpro-2024") and item.reason == "close" for item in kept)
    assert patients_in(kept[-1].path) == 8
    (folder / "my-own-copy.sqlite").write_bytes(kept[0].path.read_bytes())  # not ours to rotate
    with opened(database, clock) as clinic:
        backups.auto_backup(clinic)
    assert (folder / "my-own-copy.sqlite").exists()


def test_daily_backup_at_most_once_a_day_and_close_backup_by_policy(database: Path) -> None:
    clock = FixedClock(at(2024, 6, 3, 7))
    with opened(database, clock) as clinic:
        first = backups.on_open(clinic)
        assert first is not None and first.name.endswith("-daily.sqlite")
        clock.set(at(2024, 6, 3, 9))
        assert backups.on_open(clinic) is None
        clock.set(at(2024, 6, 4, 7))
        assert backups.on_open(clinic) is not None
        assert backups.on_close(clinic) is not None
        backups.save_settings(clinic, BackupSettings(on_close=False, daily=False))
        clock.set(at(2024, 6, 5, 7))
        assert backups.on_open(clinic) is None and backups.on_close(clinic) is None
    assert len(backups.automatic_backups(database.parent / "backups")) == 3


def test_settings_live_in_the_database_and_changes_are_audited(database: Path, tmp_path: Path) -> None:
    clock = FixedClock(TODAY)
    folder = tmp_path / "elsewhere"
    with opened(database, clock) as clinic:
        assert backups.load_settings(clinic) == BackupSettings()
        backups.save_settings(clinic, BackupSettings(keep=30, folder=str(folder), on_close=False))
        with pytest.raises(UserError, match="keep"):
            backups.save_settings(clinic, BackupSettings(keep=0))
        with pytest.raises(UserError, match="absolute"):
            backups.save_settings(clinic, BackupSettings(folder="relative/path"))
        events = [e for e in clinic.audit.events() if e.entity == "setting"]
    with opened(database, clock) as clinic:
        assert backups.load_settings(clinic) == BackupSettings(keep=30, folder=str(folder), on_close=False)
        assert backups.backup_folder(clinic, backups.load_settings(clinic)) == folder
        written = backups.auto_backup(clinic)
    assert written is not None and written.parent == folder
    assert {e.field for e in events} == {"backup.keep", "backup.folder", "backup.on_close"}
    assert all(e.actor == "admin1" for e in events)


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")
def test_a_postgresql_database_has_no_automatic_file_backups(clinic: Clinic) -> None:
    if clinic.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    assert backups.on_close(clinic) is None and backups.on_open(clinic) is None


def test_restore_replaces_the_database_and_keeps_the_previous_one(database: Path, tmp_path: Path) -> None:
    clock = FixedClock(TODAY)
    with opened(database, clock) as clinic:
        saved = backups.auto_backup(clinic)
        clinic.imports.load(generate_demo_cohort(3, seed=99, today=TODAY))
    assert patients_in(database) == 11
    steps: list[tuple[int, int]] = []
    report = backups.restore(str(database), saved, progress=lambda done, total: steps.append((done, total)))
    assert steps[-1] == (4, 4)
    assert report.check.ok and report.check.patients == 8 and report.check.schema
    assert patients_in(database) == 8
    assert report.kept_previous is not None and patients_in(report.kept_previous) == 11
    with opened(database, clock) as clinic:
        assert clinic.audit.verify_chain().ok


def damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    data = good.read_bytes()
    made = {}
    corrupt = bytearray(data)
    for offset in range(4096 * 2, len(corrupt), 997):
        corrupt[offset] ^= 0xFF
    made["corrupt pages"] = corrupt
    made["truncated"] = data[: len(data) // 2]
    made["not a database"] = b"this is a CSV file, not a backup\n" * 100
    made["empty"] = b""
    foreign = folder / "foreign.sqlite"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.commit()
    connection.close()
    made["foreign sqlite database"] = foreign.read_bytes()
    tampered = folder / "tampered.sqlite"
    tampered.write_bytes(data)
    connection = sqlite3.connect(tampered)
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("UPDATE audit_events SET new = '\"forged\"' WHERE id = (SELECT min(id) FROM audit_events)")
    connection.commit()
    connection.close()
    made["audit trail tampered with"] = tampered.read_bytes()
    forged = folder / "forged.sqlite"
    forged.write_bytes(data)
    connection = sqlite3.connect(forged)
    triggers = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("UPDATE audit_events SET actor = 'someone else' WHERE id = (SELECT max(id) FROM audit_events)")
    for _, sql in triggers:
        connection.execute(sql)
    connection.commit()
    connection.close()
    made["audit event forged, triggers put back"] = forged.read_bytes()
    paths = {}
    for label, content in made.items():
        path = folder / (label.replace(" ", "-") + ".bak")
        path.write_bytes(content)
        paths[label] = path
    return paths


def test_restore_refuses_a_corrupt_or_foreign_file_without_touching_the_database(
        database: Path, tmp_path: Path) -> None:
    with opened(database, FixedClock(TODAY)) as clinic:
        good = backups.auto_backup(clinic)
    before = database.read_bytes()
    for label, path in damaged_copies(good, tmp_path).items():
        with pytest.raises(UserError, match="was not restored, the database is unchanged") as refused:
            backups.restore(str(database), path)
        assert str(path) in str(refused.value), label
        assert database.read_bytes() == before, label
        assert not backups.check_backup(path).ok, label
    with pytest.raises(UserError, match="no such backup"):
        backups.restore(str(database), tmp_path / "missing.sqlite")
    assert database.read_bytes() == before
    assert not [p for p in database.parent.iterdir() if p.name.startswith(".sijpro-restore-")]


def test_checking_a_backup_does_not_change_it(database: Path) -> None:
    with opened(database, FixedClock(TODAY)) as clinic:
        good = backups.auto_backup(clinic)
    data, stamp = good.read_bytes(), good.stat().st_mtime_ns
    check = backups.check_backup(good)
    assert check.ok and check.patients == 8 and not check.encrypted
    assert good.read_bytes() == data and good.stat().st_mtime_ns == stamp


def test_backups_of_an_encrypted_database_stay_encrypted(database: Path, tmp_path: Path) -> None:
    encryption.encrypt_database(database, PASSPHRASE)
    with opened(database, FixedClock(TODAY), passphrase=PASSPHRASE) as clinic:
        saved = backups.auto_backup(clinic)
        clinic.imports.load(generate_demo_cohort(2, seed=5, today=TODAY))
    assert encryption.file_state(saved) == "encrypted"
    assert b"DEMO-2-00001" not in saved.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(saved).execute("SELECT count(*) FROM patients").fetchone()
    before = database.read_bytes()
    for wrong in (None, "not the passphrase"):
        with pytest.raises(UserError, match="was not restored"):
            backups.restore(str(database), saved, passphrase=wrong)
        assert database.read_bytes() == before
    report = backups.restore(str(database), saved, passphrase=PASSPHRASE)
    assert report.check.encrypted and report.check.patients == 8
    assert encryption.file_state(database) == "encrypted"
    assert patients_in(database, PASSPHRASE) == 8


def test_cli_backups_verify_and_restore(database: Path, tmp_path: Path, capsys, monkeypatch, cli_as) -> None:
    from sijpro.cli import main

    monkeypatch.delenv("SIJPRO_PASSPHRASE", raising=False)
    db = ["--db", str(database)]
    cli_as(str(database))  # the policy is an administrator's to change
    assert main([*db, "backups", "--keep", "2"]) == 0
    monkeypatch.delenv("SIJPRO_USER")
    monkeypatch.delenv("SIJPRO_PASSWORD")
    assert main([*db, "backups", "--keep", "3"]) == 1
    assert capsys.readouterr().err.startswith("sijpro: sign in first")
    assert main([*db, "backups", "--now"]) == 0  # a scheduled task has no account, and needs none
    out = capsys.readouterr().out
    assert "backup written to" in out and "keep 2; on close: on; daily: on" in out
    (saved,) = backups.automatic_backups(database.parent / "backups")
    assert main([*db, "verify", str(saved.path)]) == 0
    assert "no fault, 8 patients" in capsys.readouterr().out
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a backup" * 1000)
    assert main([*db, "verify", str(garbage)]) == 1
    assert "FAULT" in capsys.readouterr().err
    assert main([*db, "restore", str(garbage)]) == 1
    assert "sign in first" in capsys.readouterr().err  # replacing the clinic's records is an administrator's
    cli_as(str(database))
    assert main([*db, "restore", str(garbage)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sijpro: ") and "the database is unchanged" in err and "Traceback" not in err
    assert patients_in(database) == 8
    assert main([*db, "restore", str(saved.path)]) == 0
    out = capsys.readouterr().out
    assert "8 patients" in out and "audit trail verified" in out and "was kept as" in out
    assert main([*db, "backups", "--keep", "0"]) == 1
    assert "keep" in capsys.readouterr().err
