"""Safety under real conditions: crashes, concurrent writers, backups while writing, damaged files.

These start real processes (``tests/storage_workers.py``) against real SQLite files and PostgreSQL.
"""

from __future__ import annotations

import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from sijpro.errors import UserError
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import backup, verify
from sijpro.storage import encryption, engine
from tests.factories import ANSWERS, operated_patient, patient_draft
from tests.storage_workers import TODAY
from tests.trusted import trusted

ROOT = Path(__file__).resolve().parents[1]
W6_SURGERY = TODAY.replace(month=4, day=22)  # w6 due on TODAY


def worker(job: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.storage_workers", job, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdout is not None
    while True:
        got = process.stdout.readline()
        if not got:
            raise AssertionError(f"worker ended before '{line}': {process.stderr.read() if process.stderr else ''}")
        if got.strip() == line:
            return


def test_a_process_killed_between_two_answers_loses_neither(tmp_path: Path, clock) -> None:
    url = str(tmp_path / "crash.sqlite")
    Clinic.init(url)
    with trusted(url, clock=clock) as clinic:
        patient = operated_patient(clinic, surgery=W6_SURGERY)
        response = clinic.collection.open(clinic.schedule.timeline(patient.id)[1].id, "odi")
    process = worker("answer_slowly", url, str(response.id))
    try:
        wait_for(process, "saved odi2")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with trusted(url) as clinic:
        resumed = clinic.collection.response(response.id)
        assert resumed.answers == {"odi1": 3, "odi2": 3} and resumed.status == "in-progress"
        assert clinic.collection.resume_item(response.id) == "odi3"
        assert verify(clinic) == []


def test_two_processes_completing_questionnaires_at_once_lose_nothing(database_url: str, clock) -> None:
    Clinic.init(database_url)
    mrns = [f"C{number:02d}" for number in range(12)]
    with trusted(database_url, clock=clock) as clinic:
        for mrn in mrns:
            operated_patient(clinic, mrn, surgery=W6_SURGERY, family_name=f"Patient {mrn}")
        events_before = len(clinic.audit.events())
    first = worker("complete_patients", database_url, "tablet-a", *mrns[0::2])
    second = worker("complete_patients", database_url, "tablet-b", *mrns[1::2])
    for process in (first, second):
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
    instruments = ("nrs", "odi", "satisfaction", "relief")
    answers_per_patient = sum(len(ANSWERS[i]) for i in instruments)
    with trusted(database_url) as clinic:
        with clinic.database.engine.connect() as connection:
            answers = connection.execute(text("SELECT count(*) FROM answers")).scalar()
        assert answers == len(mrns) * answers_per_patient
        for outcome in clinic.outcomes.cohort():
            w6 = outcome.at("w6")
            assert w6 is not None and w6.status == "completed" and len(w6.versions) == 4
        report = clinic.audit.verify_chain()
        assert report.ok, report.problem
        # per patient: 4 x (open + answers + status + scores) + visit open, completed, completed_on
        expected = len(mrns) * (4 * 3 + answers_per_patient + 3)
        assert len(clinic.audit.events()) == events_before + expected
        actors = {e.actor for e in clinic.audit.events(entity="response")}
        assert actors == {"tablet-a", "tablet-b"}


def test_backup_while_another_process_writes(tmp_path: Path, clock) -> None:
    url = str(tmp_path / "busy.sqlite")
    Clinic.init(url)
    with trusted(url, clock=clock) as clinic:
        operated_patient(clinic, "W1")
    writer = worker("keep_writing", url, "4")
    try:
        wait_for(writer, "writing")
        with trusted(url) as clinic:
            copy = backup(clinic, tmp_path / "copy.sqlite")
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    finally:
        writer.kill()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not Path(f"{copy}-wal").exists()
    with trusted(str(copy)) as restored:
        assert verify(restored) == []
        edits = [e for e in restored.audit.events(entity="patient") if e.field == "bmi"]
        assert edits and restored.patients.by_mrn("W1").row_version == len(edits) + 1


def test_backup_of_an_encrypted_database_is_encrypted_with_the_same_key(tmp_path: Path, clock) -> None:
    url = tmp_path / "secret.sqlite"
    Clinic.init(str(url))
    with trusted(str(url), clock=clock) as clinic:
        operated_patient(clinic, "SECRET-1")
    encryption.encrypt_database(url, "a long passphrase")
    with trusted(str(url), passphrase="a long passphrase") as clinic:
        copy = backup(clinic, tmp_path / "copy.sqlite")
    assert encryption.file_state(copy) == "encrypted" and b"SECRET-1" not in copy.read_bytes()
    with trusted(str(copy), passphrase="a long passphrase") as restored:
        assert verify(restored) == [] and restored.patients.by_mrn("SECRET-1") is not None


def test_backup_refusals(tmp_path: Path, clinic: Clinic) -> None:
    if clinic.dialect == "sqlite":
        with pytest.raises(UserError, match="cannot overwrite the database itself"):
            backup(clinic, Path(clinic.where))
    with pytest.raises(UserError, match="does not exist"):
        backup(clinic, tmp_path / "missing" / "x.sqlite")
    assert backup(clinic, tmp_path / "ok.sqlite").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_verify_finds_structural_chain_and_score_faults(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=W6_SURGERY)
    w6 = clinic.schedule.timeline(patient.id)[1]
    response = clinic.collection.open(w6.id, "nrs")
    for item, value in ANSWERS["nrs"].items():
        clinic.collection.save_answer(response.id, item, value)
    clinic.collection.complete(response.id)
    assert verify(clinic) == []
    with clinic.database.engine.begin() as connection:
        connection.execute(text(f"UPDATE scores SET value = 1 WHERE response_id = {response.id} AND name = 'lumbar'"))
    faults = verify(clinic)
    assert [fault.check for fault in faults] == ["rows", "scores", "scores"], faults
    assert f"the scores of response {response.id} " in faults[0].message
    assert f"response {response.id} (nrs" in faults[1].message and "not what its answers score to" in faults[1].message
    assert f"visit {w6.id}" in faults[2].message
    with clinic.database.engine.begin() as connection:
        if clinic.dialect == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_refuse_update"))
        else:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_change"))
        connection.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE id = 3"))
    faults = [str(f) for f in verify(clinic)]
    assert any("audit_events_refuse" in f and "missing or disabled" in f for f in faults), faults


def test_verify_names_the_broken_audit_event(clinic: Clinic) -> None:
    operated_patient(clinic)
    with clinic.database.engine.begin() as connection:
        if clinic.dialect == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_refuse_update"))
            connection.execute(text("UPDATE audit_events SET reason = 'edited' WHERE id = 2"))
            connection.execute(text("CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events "
                                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"))
        else:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_change"))
            connection.execute(text("UPDATE audit_events SET reason = 'edited' WHERE id = 2"))
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_refuse_change"))
    [fault] = verify(clinic)
    assert fault.check == "audit" and "audit event 2 " in fault.message and "altered" in fault.message


def test_verify_finds_a_dangling_reference(tmp_path: Path, clock) -> None:
    url = str(tmp_path / "fk.sqlite")
    Clinic.init(url)
    with trusted(url, clock=clock) as clinic:
        operated_patient(clinic)
    raw = sqlite3.connect(url)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("UPDATE visits SET patient_id = 999 WHERE id = 1")
    raw.commit()
    raw.close()
    with trusted(url) as clinic:
        faults = [str(f) for f in verify(clinic)]
    assert faults == ["database: foreign key: row 1 of visits refers to a missing row of patients",
                      "rows: visit 1 (row 1 of table visits): changed outside SIJ-PRO (not as the audit trail last "
                      "recorded it, in audit event 6)"]


def test_a_writer_waits_then_gets_a_plain_busy_message(database_url: str, clock, monkeypatch) -> None:
    """Another program holding the write lock (SQLite) or the audit chain (PostgreSQL) longer than the busy
    timeout: the save is refused with a message, nothing is half-written, and the next try works."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_SECONDS", 1)
    Clinic.init(database_url)
    with trusted(database_url, clock=clock) as clinic:
        holder = clinic.database.engine.connect()
        try:
            if clinic.dialect == "sqlite":
                holder.execution_options(**{engine.WRITE_OPTION: True}).execute(text("SELECT 1"))
            else:
                holder.execute(text("SELECT last_id FROM audit_head FOR UPDATE"))
            with pytest.raises(UserError, match="busy"):
                clinic.patients.register(patient_draft("WAIT1"))
        finally:
            holder.rollback()
            holder.close()
        assert clinic.patients.by_mrn("WAIT1") is None
        assert clinic.patients.register(patient_draft("WAIT1")).mrn == "WAIT1"
