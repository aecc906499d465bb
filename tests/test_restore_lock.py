"""A restore while another SIJ-PRO program has the database open is refused; the copy it keeps is whole.

The other program is a real process (``tests/storage_workers.py``) answering a questionnaire; its answers
sit in the ``-wal`` file when it is killed, which is where a copy of the main file alone lost them.
"""

from __future__ import annotations

import signal
import sqlite3
import stat
from pathlib import Path

import pytest

from sijpro.errors import UserError
from sijpro.services import backups
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import backup, verify
from sijpro.storage import encryption, process_lock
from tests.factories import operated_patient
from tests.test_direct_edits import CUT_TAIL, sqlite3_cli
from tests.test_safety import W6_SURGERY, wait_for, worker
from tests.trusted import trusted

PASSPHRASE = "a long passphrase"


def answers_in(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
        return raw.execute("SELECT count(*) FROM answers").fetchone()[0]


def test_restore_is_refused_while_a_kiosk_has_the_database_and_keeps_a_whole_copy(tmp_path: Path, clock) -> None:
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database), clock=clock) as clinic:
        patient = operated_patient(clinic, surgery=W6_SURGERY)
        w6 = clinic.schedule.timeline(patient.id)[1]
        response = clinic.collection.open(w6.id, "odi")
        saved = backup(clinic, tmp_path / "saved.sqlite")
    kiosk = worker("answer_slowly", str(database), str(response.id))
    try:
        wait_for(kiosk, "saved odi2")
        before = database.read_bytes()
        with pytest.raises(UserError, match=r"cannot restore the database: another SIJ-PRO program has .* open"):
            backups.restore(str(database), saved)
        assert database.read_bytes() == before
        assert not list(tmp_path.glob("backups/*before-restore*"))
    finally:
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait()
    assert Path(f"{database}-wal").stat().st_size > 0  # the killed kiosk's answers are in the -wal only
    report = backups.restore(str(database), saved)
    kept = report.kept_previous
    assert kept is not None and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert not Path(f"{kept}-wal").exists()
    assert answers_in(kept) == 2  # both answers the kiosk gave, in the one file
    assert answers_in(database) == 0
    with trusted(str(database)) as restored:
        assert verify(restored) == []


def test_the_restoring_program_itself_may_have_the_database_open(tmp_path: Path, clock) -> None:
    """The desk restores from Administration > Backups with its own connection open: that is not another
    program. Opening the database waits while a restore holds it."""
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database), clock=clock) as clinic:
        saved = backup(clinic, tmp_path / "saved.sqlite")
        operated_patient(clinic)
        clinic.database.engine.dispose()
        backups.restore(str(database), saved)
        assert stat.S_IMODE(process_lock.lock_path(database).stat().st_mode) == 0o600
    with trusted(str(database)) as clinic:
        assert clinic.patients.by_mrn("MRN001") is None


def test_a_restore_starts_the_witness_again(tmp_path: Path) -> None:
    """Going back to a backup on purpose is not a cut trail: verify passes after the restore, and a cut made
    after it is found again."""
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database)) as clinic:
        clinic.auth.add_user("admin", "Ada Admin", "admin", "clinic password 1")
        saved = backup(clinic, tmp_path / "saved.sqlite")
        clinic.auth.authenticate("admin", "clinic password 1")  # written after the backup, lost by the restore
    backups.restore(str(database), saved)
    with trusted(str(database)) as clinic:
        assert verify(clinic) == []
        clinic.auth.authenticate("admin", "clinic password 1")
    sqlite3_cli(database, CUT_TAIL.replace("- 6", "- 2"))
    with trusted(str(database)) as clinic:
        assert any("events were removed from its end" in str(fault) for fault in verify(clinic))


def test_the_copy_kept_of_an_encrypted_database_is_one_whole_encrypted_file(tmp_path: Path, clock) -> None:
    """The answers still in the ``-wal`` of an encrypted database are folded into the kept copy, which the
    restore's passphrase opens; no ``-wal`` is left beside it."""
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database), clock=clock) as clinic:
        patient = operated_patient(clinic, surgery=W6_SURGERY)
        response = clinic.collection.open(clinic.schedule.timeline(patient.id)[1].id, "odi")
    encryption.encrypt_database(database, PASSPHRASE)
    with trusted(str(database), clock=clock, passphrase=PASSPHRASE) as clinic:
        saved = backup(clinic, tmp_path / "saved.sqlite")
        for item in ("odi1", "odi2"):
            clinic.collection.save_answer(response.id, item, 3)
        assert Path(f"{database}-wal").stat().st_size > 0
        report = backups.restore(str(database), saved, passphrase=PASSPHRASE)
    kept = report.kept_previous
    assert kept is not None and stat.S_IMODE(kept.stat().st_mode) == 0o600 and not Path(f"{kept}-wal").exists()
    assert encryption.file_state(kept) == "encrypted" and b"odi1" not in kept.read_bytes()
    with trusted(str(kept), passphrase=PASSPHRASE) as previous, previous.database.connection() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM answers").scalar_one() == 2
