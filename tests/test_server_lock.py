"""PostgreSQL: every SIJ-PRO program holds the clinic's advisory lock; a restore needs it alone.

The other programs are real processes (``tests/storage_workers.py``) on the real server: a kiosk answering
a questionnaire, desks that stay open. A restore is refused, naming how many hold the database, while
any of them runs, and allowed once they exit or are killed (the server frees a dead session's lock). A
program whose lock connection drops (a silent network through a loopback proxy, or its session ended
by the server as a restart does) takes the lock again once the server answers, its main thread ticking
all along.
"""

from __future__ import annotations

import queue
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from sijpro.errors import UserError
from sijpro.services import backups
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import backup, verify
from sijpro.storage import server_lock
from sijpro.storage.database import Database
from sijpro.storage.engine import resolve_url
from tests.conftest import POSTGRES_URL
from tests.factories import operated_patient
from tests.test_app_role import role  # noqa: F401 - the fixture
from tests.test_safety import ROOT, W6_SURGERY, worker
from tests.tools.blackhole_proxy import BlackholeProxy
from tests.trusted import trusted

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]
REFUSED = r"cannot restore the database: {} other SIJ-PRO programs? ha(s|ve) .* open"


class Lines:
    """A worker's output, read on a thread, so a test waits for a line with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def expect(self, wanted: str, timeout: float = 90.0) -> list[str]:
        """Wait for ``wanted``; returns the lines seen before it."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no '{wanted}' within {timeout} s (saw {seen})") from None
            if line is None:
                raise AssertionError(f"worker ended before '{wanted}' (saw {seen}): {self.process.stderr.read()}")
            if line == wanted:
                return seen
            seen.append(line)


    def said_nothing(self) -> bool:
        return self._lines.empty()


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def answers_on(url: str) -> int:
    with trusted(url) as clinic, clinic.database.connection() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM answers").scalar_one()


def restore_once_freed(url: str, saved: Path, kept: Path, seconds: float = 10.0) -> backups.RestoreReport:
    """A restore right after a holder died: the server frees the lock once it sees the session gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return backups.restore(url, saved, backups_folder=kept)
        except UserError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_restore_onto_the_server_is_refused_while_a_kiosk_answers_and_allowed_once_it_is_killed(
        postgres_url: str, tmp_path: Path, clock) -> None:
    Clinic.init(postgres_url)
    with trusted(postgres_url, clock=clock) as clinic:
        patient = operated_patient(clinic, surgery=W6_SURGERY)
        response = clinic.collection.open(clinic.schedule.timeline(patient.id)[1].id, "odi")
        saved = backup(clinic, tmp_path / "saved.sqlite")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600 and not Path(f"{saved}-wal").exists()
    kept = tmp_path / "kept"
    kiosk = worker("answer_slowly", postgres_url, str(response.id))
    try:
        Lines(kiosk).expect("saved odi2")
        with pytest.raises(UserError, match=REFUSED.format(1)):
            backups.restore(postgres_url, saved, backups_folder=kept)
        assert answers_on(postgres_url) == 2 and not kept.exists()
    finally:
        stop(kiosk)
    report = restore_once_freed(postgres_url, saved, kept)
    assert report.kept_previous is not None and stat.S_IMODE(report.kept_previous.stat().st_mode) == 0o600
    with sqlite3.connect(f"file:{report.kept_previous}?mode=ro", uri=True) as raw:
        assert raw.execute("SELECT count(*) FROM answers").fetchone()[0] == 2  # the killed kiosk's answers
    assert answers_on(postgres_url) == 0
    with trusted(postgres_url) as restored:
        assert verify(restored) == []
        assert restored.patients.by_mrn(patient.mrn) is not None
        operated_patient(restored, "AFTER-1")  # the id sequences continue past the restored rows
        assert verify(restored) == []


def test_every_program_counts_and_one_that_exits_lets_go(postgres_url: str, tmp_path: Path) -> None:
    Clinic.init(postgres_url)
    with trusted(postgres_url) as clinic:
        saved = backup(clinic, tmp_path / "saved.sqlite")
    short, long = worker("hold_open", postgres_url, "2"), worker("hold_open", postgres_url, "60")
    try:
        short_lines, long_lines = Lines(short), Lines(long)
        short_lines.expect("open")
        long_lines.expect("open")
        with pytest.raises(UserError, match=REFUSED.format(2)) as refused:
            backups.restore(postgres_url, saved, backups_folder=tmp_path / "kept")
        assert "SIJ-PRO pid" in str(refused.value)  # each named by its computer and process
        short_lines.expect("closed")
        short.wait(timeout=30)
        with pytest.raises(UserError, match=REFUSED.format(1)):
            backups.restore(postgres_url, saved, backups_folder=tmp_path / "kept")
    finally:
        stop(short)
        stop(long)
    assert restore_once_freed(postgres_url, saved, tmp_path / "kept").check.ok


def _through(proxy: BlackholeProxy, url: str) -> str:
    return make_url(url).set(port=proxy.port).render_as_string(hide_password=False)


def _terminate_holders(url: str) -> int:
    """End the sessions holding SIJ-PRO's locks on the test's schema, as a server restart ends them all."""
    parsed = make_url(url)
    schema = parsed.query["options"].split("=")[-1]
    plain = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        return len(connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::oid "
            "AND objid = %s::oid", (server_lock.CLASS_ID, server_lock.lock_key(schema))).fetchall())


def test_a_lost_lock_is_taken_again_when_the_database_comes_back(postgres_url: str, tmp_path: Path) -> None:
    Clinic.init(postgres_url)
    with trusted(postgres_url) as clinic:
        saved = backup(clinic, tmp_path / "saved.sqlite")
    proxy = BlackholeProxy("127.0.0.1", make_url(postgres_url).port or 5432)
    desk = worker("hold_open", _through(proxy, postgres_url), "120")
    try:
        lines = Lines(desk)
        lines.expect("open")
        proxy.set("blackhole")  # the access point dies: nothing gets through, nothing is reset
        lines.expect("lost", timeout=10)
        lines.expect("tick 3", timeout=10)  # the program's own thread kept going meanwhile
        proxy.set("pass")  # back: the old session ends on the server, and its lock with it
        lines.expect("held", timeout=15)
        with pytest.raises(UserError, match=REFUSED.format(1)):
            backups.restore(postgres_url, saved, backups_folder=tmp_path / "kept")
        assert _terminate_holders(postgres_url) == 1  # what a server restart does to every session
        lines.expect("lost", timeout=10)
        lines.expect("held", timeout=10)
        with pytest.raises(UserError, match=REFUSED.format(1)):
            backups.restore(postgres_url, saved, backups_folder=tmp_path / "kept")
    finally:
        stop(desk)
        proxy.close()
    assert restore_once_freed(postgres_url, saved, tmp_path / "kept").check.ok


def test_refused_restores_leave_the_server_database_as_it_was(postgres_url: str, role: str, tmp_path: Path,  # noqa: F811
                                                              monkeypatch, clock) -> None:
    Clinic.init(postgres_url)
    with trusted(postgres_url, clock=clock) as clinic:
        operated_patient(clinic)
        saved = backup(clinic, tmp_path / "saved.sqlite")
        operated_patient(clinic, "MRN002")  # written after the backup: must survive every refusal
    monkeypatch.setenv("SIJPRO_APP_ROLE_PASSWORD", "an-app-password")
    Clinic.grant_app_role(postgres_url, role)
    app_url = make_url(postgres_url).set(username=role, password="an-app-password").render_as_string(
        hide_password=False)
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(saved.read_bytes())
    data[4096 * 3:4096 * 6] = b"\xff" * (4096 * 3)
    damaged.write_bytes(bytes(data))
    edited = tmp_path / "edited.sqlite"
    edited.write_bytes(saved.read_bytes())
    with sqlite3.connect(edited) as raw:
        raw.execute("UPDATE patients SET family_name = 'Someone Else'")
    raw.close()
    other = tmp_path / "notes.sqlite"
    other.write_text("not a database\n", encoding="utf-8")
    kept = tmp_path / "kept"
    for url, source, message in ((app_url, saved, "only the owner of the tables may do"),
                                 (postgres_url, damaged, "malformed|not a database"),
                                 (postgres_url, edited, "changed outside SIJ-PRO"),
                                 (postgres_url, other, "is not an SIJ-PRO database|not a database"),
                                 (postgres_url, tmp_path, "is a folder"),
                                 (postgres_url, tmp_path / "missing.sqlite", "there is no such backup file")):
        with pytest.raises(UserError, match=message):
            backups.restore(url, source, backups_folder=kept)
    assert not kept.exists()  # refused before anything was kept, let alone replaced
    with trusted(postgres_url) as clinic:
        assert clinic.patients.by_mrn("MRN002") is not None and verify(clinic) == []


def test_automatic_backups_of_a_server_database_go_to_the_folder_set(postgres_url: str, tmp_path: Path) -> None:
    Clinic.init(postgres_url)
    folder = tmp_path / "automatic"
    with trusted(postgres_url) as clinic:
        operated_patient(clinic)
        assert backups.auto_backup(clinic) is None  # no folder set: nothing, and the command says so
        backups.save_settings(clinic, backups.BackupSettings(folder=str(folder)))
        good = backups.auto_backup(clinic, reason="daily")
        assert good is not None and backups.check_backup(good).ok
        with clinic.database.connection(write=True) as connection:  # a change behind the app's back
            connection.exec_driver_sql("UPDATE patients SET family_name = 'Changed'")
        faulty = backups.auto_backup(clinic, reason="daily")
        warning = backups.backup_warning(clinic)
    assert faulty is not None and faulty.name.endswith("-faulty.sqlite")
    assert warning is not None and warning.newest_verified is not None and warning.newest_verified.path == good
    assert any("changed outside SIJ-PRO" in fault for fault in warning.faults)


def test_the_command_line_restore_is_refused_while_a_kiosk_holds_the_server(postgres_url: str, tmp_path: Path,
                                                                         cli_as, monkeypatch) -> None:
    """``sijpro backup`` and ``sijpro restore`` as an administrator types them, in processes of their own."""
    Clinic.init(postgres_url)
    cli_as(postgres_url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    def sijpro(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "main.py", "--db", postgres_url, *args], cwd=ROOT, check=False,
                              capture_output=True, text=True, timeout=120)

    written = sijpro("backup", "-o", str(tmp_path / "saved.sqlite"))
    assert written.returncode == 0 and "backup written to" in written.stdout, written.stderr
    kiosk = worker("hold_open", postgres_url, "60")
    try:
        Lines(kiosk).expect("open")
        refused = sijpro("restore", str(tmp_path / "saved.sqlite"))
        assert refused.returncode == 1 and refused.stdout == ""
        assert re.fullmatch(r"sijpro: cannot restore the database: 1 other SIJ-PRO program has \S+ open "
                            r"\(SIJ-PRO pid \d+ on .+\): a desk, a kiosk or a command\. Close it, then try again; "
                            r"nothing was changed\n", refused.stderr), refused.stderr
    finally:
        stop(kiosk)
    restored = sijpro("restore", str(tmp_path / "saved.sqlite"))
    assert restored.returncode == 0 and "audit trail verified" in restored.stdout, restored.stderr
    assert "the replaced database was kept as" in restored.stdout


def test_a_restore_is_known_to_the_witness_of_every_workstation(postgres_url: str, tmp_path: Path,
                                                                monkeypatch) -> None:
    """Each workstation of a server clinic keeps its own witness; the one that did not restore learns of
    the restore from the keyed mark it left in the database, and still finds a trail cut afterwards, even
    under a forged mark."""
    key_a, key_b = tmp_path / "a" / "clinic.key", tmp_path / "b" / "clinic.key"
    monkeypatch.setenv("SIJPRO_CLINIC_KEY_FILE", str(key_a))
    Clinic.init(postgres_url)
    key_b.parent.mkdir()
    key_b.write_bytes(key_a.read_bytes())  # the clinic's one key, copied onto the second workstation
    with trusted(postgres_url) as clinic:
        operated_patient(clinic)
        saved = backup(clinic, tmp_path / "saved.sqlite")
    monkeypatch.setenv("SIJPRO_CLINIC_KEY_FILE", str(key_b))
    with trusted(postgres_url) as clinic:
        operated_patient(clinic, "LATER-1")  # witnessed on B only: a head beyond the backup's
        assert verify(clinic) == []
    monkeypatch.setenv("SIJPRO_CLINIC_KEY_FILE", str(key_a))
    backups.restore(postgres_url, saved, backups_folder=tmp_path / "kept")
    monkeypatch.setenv("SIJPRO_CLINIC_KEY_FILE", str(key_b))
    with trusted(postgres_url) as clinic:
        assert verify(clinic) == []  # not 'events were removed from its end'
        operated_patient(clinic, "AFTER-1")
    parsed = make_url(postgres_url)
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:  # the tail cut, and a mark made up to excuse it
        connection.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_change")
        connection.execute("DELETE FROM audit_events WHERE id > (SELECT max(id) - 2 FROM audit_events)")
        connection.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_refuse_change")
        connection.execute("UPDATE audit_head SET last_id = e.id, last_hash = e.hash FROM (SELECT id, hash FROM "
                           "audit_events ORDER BY id DESC LIMIT 1) e")
        connection.execute("UPDATE meta SET value = jsonb_set(value::jsonb, '{at}', to_jsonb(now()::text))::text "
                           "WHERE key = 'last_restore'")
    with trusted(postgres_url) as clinic:
        assert any("events were removed from its end" in str(fault) for fault in verify(clinic))


def test_a_program_opening_the_database_waits_for_a_restore_in_progress(postgres_url: str) -> None:
    Clinic.init(postgres_url)
    database = Database(resolve_url(postgres_url))
    desk: subprocess.Popen[str] | None = None
    try:
        with server_lock.alone(database.engine, database.where, "restore the database"):
            desk = worker("hold_open", postgres_url, "30")
            lines = Lines(desk)
            deadline = time.monotonic() + 90
            while not _has_session(postgres_url, f"SIJ-PRO pid {desk.pid} on "):  # connected, asking for the lock
                assert time.monotonic() < deadline, "the desk never reached the server"
                time.sleep(0.1)
            time.sleep(1.0)
            assert lines.said_nothing()  # still waiting: it has not opened the database under the restore
        lines.expect("open", timeout=10)  # the restore let go: it opens at once
    finally:
        if desk is not None:
            stop(desk)
        database.close()


def _has_session(url: str, program: str) -> bool:
    plain = make_url(url).set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE %s",
                                  (program + "%",)).fetchone() is not None
