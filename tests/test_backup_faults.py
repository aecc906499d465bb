"""Automatic backups run the whole of verify: a faulty database is still copied, marked faulty, and the
newest verified backup is never rotated away by copies of the damaged one."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from pathlib import Path

from sijpro.cli import main
from sijpro.services import backups
from sijpro.services.backups import BackupSettings
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.maintenance import verify
from tests.factories import operated_patient
from tests.trusted import trusted


def edit_behind_the_apps_back(database: Path) -> None:
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE patients SET birth_date = '1999-09-09' WHERE mrn = 'MRN001'")


def test_copies_of_a_faulty_database_never_push_out_the_last_good_backup(tmp_path: Path) -> None:
    database = tmp_path / "clinic.sqlite"
    clock = FixedClock(dt.datetime(2024, 6, 3, 8, 0, tzinfo=dt.UTC))
    Clinic.init(str(database))
    with trusted(str(database), clock=clock) as clinic:
        operated_patient(clinic)
        backups.save_settings(clinic, BackupSettings(keep=3))
        good = backups.auto_backup(clinic, reason="daily")
        assert good is not None and "faulty" not in good.name
    edit_behind_the_apps_back(database)
    with trusted(str(database), clock=clock) as clinic:
        for hour in range(14):  # two weeks of closing the app on the damaged database
            clock.set(dt.datetime(2024, 6, 4 + hour, 18, 0, tzinfo=dt.UTC))
            written = backups.auto_backup(clinic, reason="close")
            assert written is not None and written.name.endswith("-close-faulty.sqlite")
        kept = backups.automatic_backups(database.parent / "backups")
        assert good in [item.path for item in kept]
        assert [item.faulty for item in kept] == [False, True, True, True]  # keep 3, plus the last good one
        faults = kept[-1].faults()
        assert faults and "patient 1 (row 1 of table patients): changed outside SIJ-PRO" in faults[0]
        listed = Path(f"{kept[-1].path}{backups.FAULTS_SUFFIX}")
        assert stat.S_IMODE(listed.stat().st_mode) == 0o600
        warning = backups.backup_warning(clinic)
        assert warning is not None and warning.newest_verified is not None
        assert warning.newest_verified.path == good and warning.faulty.path == kept[-1].path
    report = backups.restore(str(database), good)
    with trusted(str(database), clock=clock) as clinic:
        assert verify(clinic) == []
        clock.set(dt.datetime(2024, 6, 30, 18, 0, tzinfo=dt.UTC))
        assert "faulty" not in backups.auto_backup(clinic, reason="close").name
        assert backups.backup_warning(clinic) is None
        kept = backups.automatic_backups(database.parent / "backups")
        assert sorted((item.reason, item.faulty) for item in kept) == [
            ("before-restore", False), ("close", False), ("close", True)]
        assert good not in [item.path for item in kept]  # a newer verified copy took its place
    assert report.kept_previous is not None


def test_cli_backups_now_exits_1_on_a_faulty_database_and_names_the_last_good_copy(tmp_path: Path, capsys) -> None:
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database)) as clinic:
        operated_patient(clinic)
    assert main(["--db", str(database), "backups", "--now"]) == 0
    good = capsys.readouterr().out.split("backup written to ")[1].split("\n")[0]
    edit_behind_the_apps_back(database)
    assert main(["--db", str(database), "backups", "--now"]) == 1
    captured = capsys.readouterr()
    assert "-daily-faulty.sqlite" in captured.out and "FAULTY" in captured.out and "verified" in captured.out
    assert "the database has 1 fault(s)" in captured.err and "patient 1 (row 1 of table patients)" in captured.err
    assert f"the newest verified backup, kept whatever the rotation, is {good}" in captured.err
