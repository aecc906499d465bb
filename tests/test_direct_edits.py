"""Edits made behind the app's back with the ``sqlite3`` program: ``sijpro verify`` exits 1 naming the row.

One clinic is built through the services (an admin, a nurse locked out by wrong passwords, a nurse with a
PIN, two operated patients, a w6 visit answered and completed), copied for each case, edited with the
real ``sqlite3`` command-line program (or, for the chain recomputed with plain SHA-256, a script such
as a forger would write), and verified through the CLI.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.contact import ContactDraft
from sijpro.services.auth import AuthError
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.storage import clinic_key
from sijpro.storage.models import Meta
from tests.factories import answer_all, copy_clinic_file, operated_patient
from tests.trusted import trusted

SURGERY = "2024-04-22"  # w6 due on the fixed clock's day
TRIGGERS_OFF = "DROP TRIGGER audit_events_refuse_update; DROP TRIGGER audit_events_refuse_delete;"
TRIGGERS_ON = ("CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events BEGIN "
               "SELECT RAISE(ABORT, 'audit events are append-only'); END; "
               "CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events BEGIN "
               "SELECT RAISE(ABORT, 'audit events are append-only'); END;")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    path = tmp_path_factory.mktemp("template") / "clinic.sqlite"
    clock = FixedClock(dt.date(2024, 6, 3))
    Clinic.init(str(path), clock=clock)
    with trusted(str(path), "admin", clock=clock) as clinic:
        clinic.auth.add_user("admin", "Ada Admin", "admin", "clinic password 1")
        clinic.auth.add_user("nina", "Nina Nurse", "nurse", "nurse password 1")
        clinic.auth.add_user("olga", "Olga Nurse", "nurse", "nurse password 2")
        clinic.auth.set_pin("olga", "482913")
        for _ in range(5):  # locks nina out
            with pytest.raises(AuthError):
                clinic.auth.authenticate("nina", "wrong")
        for _ in range(3):  # slows PIN-alone unlocking on this device down
            with pytest.raises(AuthError):
                clinic.auth.check_pin(None, "000000")
        first = operated_patient(clinic, "MRN001", surgery=dt.date.fromisoformat(SURGERY))
        operated_patient(clinic, "MRN002", family_name="Durand", surgery=dt.date.fromisoformat(SURGERY))
        w6 = clinic.schedule.timeline(first.id)[1]
        answer_all(clinic, w6.id, ("nrs", "odi"))
        clinic.contacts.save(first.id, ContactDraft("+33 6 12 34 56 78", "anne@example.org", "1 rue Haute\nLyon",
                                                    "email", True), expected_version=0, reason="")
    return path


def case_database(template: Path, folder: Path) -> Path:
    """The template at another place, with the witness lines the app wrote for it there."""
    return copy_clinic_file(template, folder / "clinic.sqlite")


def sqlite3_cli(database: Path, script: str) -> None:
    result = subprocess.run(["sqlite3", str(database)], input=script, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr, result.stderr


def recompute_plain_chain(database: Path) -> None:
    """What a forger without the key does after an edit: every hash again as plain SHA-256 of the fields."""
    from sijpro.services.audit import GENESIS_HASH, HASHED_FIELDS, canonical_json

    raw = sqlite3.connect(database)
    raw.executescript(TRIGGERS_OFF)
    previous = GENESIS_HASH
    for row in raw.execute(f"SELECT {', '.join(HASHED_FIELDS)} FROM audit_events ORDER BY id").fetchall():
        fields = dict(zip(HASHED_FIELDS, row, strict=True))
        payload = {**fields, "at": fields["at"].replace(" ", "T"), "prev_hash": previous}
        digest = hashlib.sha256(canonical_json(payload).encode()).hexdigest()
        raw.execute("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", (previous, digest, fields["id"]))
        previous = digest
    raw.execute("UPDATE audit_head SET last_hash = ?", (previous,))
    raw.executescript(TRIGGERS_ON)
    raw.commit()
    raw.close()


CUT_TAIL = (TRIGGERS_OFF + "DELETE FROM audit_events WHERE id > (SELECT max(id) - 6 FROM audit_events); "
            "UPDATE audit_head SET last_id = (SELECT max(id) FROM audit_events), "
            "last_hash = (SELECT hash FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)); "
            + TRIGGERS_ON)
RESPONSE_ODI = "(SELECT id FROM responses WHERE instrument = 'odi')"
CASES: list[tuple[str, str, str]] = [
    ("answer changed", "UPDATE answers SET value = 5 WHERE item = 'odi3';", "the answers of response 2"),
    ("answer added", "INSERT INTO answers (response_id, item, value, answered_at) "
                     f"VALUES ({RESPONSE_ODI}, 'odi11', 3, '2024-06-03 12:00:00.000000');",
     "the answers of response 2"),
    ("answer deleted", "DELETE FROM answers WHERE item = 'odi4';", "the answers of response 2"),
    ("score changed", "UPDATE scores SET value = 10 WHERE name = 'odi';", "the scores of response 2"),
    ("score changed with the visit's summary",
     "UPDATE scores SET value = 10 WHERE name = 'odi'; "
     "UPDATE visits SET outcome = json_set(outcome, '$.scores.\"odi.odi\"', 10.0) WHERE outcome IS NOT NULL;",
     "response 2 (odi, row 2 of table responses): its stored scores are not what its answers score to"),
    ("score deleted", "DELETE FROM scores WHERE name = 'radicular';", "the scores of response 1"),
    ("family name changed", "UPDATE patients SET family_name = 'Smith' WHERE mrn = 'MRN001';",
     "patient 1 (row 1 of table patients)"),
    ("given name changed", "UPDATE patients SET given_name = 'Anne' WHERE mrn = 'MRN002';",
     "patient 2 (row 2 of table patients)"),
    ("birth date changed", "UPDATE patients SET birth_date = '1950-01-01' WHERE mrn = 'MRN001';",
     "patient 1 (row 1 of table patients)"),
    ("MRN changed", "UPDATE patients SET mrn = 'MRN999' WHERE mrn = 'MRN002';", "patient 2 (row 2 of table patients)"),
    ("patient deleted with everything of theirs",
     "PRAGMA foreign_keys = ON; DELETE FROM scores; DELETE FROM answers; DELETE FROM responses; "
     "DELETE FROM visits WHERE patient_id = 1; DELETE FROM procedures WHERE patient_id = 1; "
     "DELETE FROM patient_contacts WHERE id = 1; DELETE FROM patients WHERE id = 1;",
     "patient 1 (row 1 of table patients): deleted outside SIJ-PRO"),
    ("patient added",
     "INSERT INTO patients (mrn, family_name, given_name, language, prior_interventions, search_key, created_at, "
     "row_version) VALUES ('MRN777', 'Ghost', 'Gary', 'en', '', 'mrn777 ghost gary', '2024-06-03 12:00:00', 1);",
     "patient 3 (row 3 of table patients): added outside SIJ-PRO"),
    ("visit status changed", "UPDATE visits SET status = 'cancelled' WHERE patient_id = 2 AND timepoint = 'm3';",
     "visit 9 (row 9 of table visits)"),
    ("visit due date changed", "UPDATE visits SET due_date = '2024-12-01' WHERE patient_id = 1 AND timepoint = 'm6';",
     "visit 4 (row 4 of table visits)"),
    ("visit window changed", "UPDATE visits SET window_end = '2025-01-01' WHERE id = 5;",
     "visit 5 (row 5 of table visits)"),
    ("completed visit reopened", "UPDATE visits SET status = 'scheduled', completed_on = NULL WHERE id = 2;",
     "visit 2 (row 2 of table visits)"),
    ("surgery date changed", "UPDATE procedures SET surgery_date = '2024-03-01' WHERE patient_id = 1;",
     "procedure 1 (row 1 of table procedures)"),
    ("surgery side changed", "UPDATE procedures SET side = 'right' WHERE patient_id = 2;",
     "procedure 2 (row 2 of table procedures)"),
    ("questionnaire reopened", "UPDATE responses SET status = 'in-progress', completed_at = NULL WHERE id = 1;",
     "response 1 (row 1 of table responses)"),
    ("questionnaire deleted with its answers",
     "DELETE FROM scores WHERE response_id = 1; DELETE FROM answers WHERE response_id = 1; "
     "DELETE FROM responses WHERE id = 1;",
     "response 1 (row 1 of table responses): deleted outside SIJ-PRO"),
    ("contact e-mail changed", "UPDATE patient_contacts SET email = 'someone@elsewhere.org' WHERE id = 1;",
     "contact 1 (row 1 of table patient_contacts)"),
    ("contact consent withdrawn", "UPDATE patient_contacts SET consent = 0 WHERE id = 1;",
     "contact 1 (row 1 of table patient_contacts)"),
    ("contact deleted", "DELETE FROM patient_contacts WHERE id = 1;",
     "contact 1 (row 1 of table patient_contacts): deleted outside SIJ-PRO"),
    ("contact added", "INSERT INTO patient_contacts (id, phone, phone_e164, email, address, channel, consent, "
                      "row_version) VALUES (2, '', '', 'x@example.org', '', 'email', 1, 1);",
     "contact 2 (row 2 of table patient_contacts): added outside SIJ-PRO"),
    ("nurse made administrator", "UPDATE users SET role = 'admin' WHERE username = 'olga';",
     "user 3 (row 3 of table users)"),
    ("administrator's password hash replaced",
     "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'olga') "
     "WHERE username = 'admin';", "user 1 (row 1 of table users)"),
    ("lock-out cleared", "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = 'nina';",
     "user 2 (row 2 of table users)"),
    ("PIN hash replaced", "UPDATE users SET pin_hash = NULL WHERE username = 'olga';", "user 3 (row 3 of table users)"),
    ("administrator added",
     "INSERT INTO users (username, full_name, role, password_hash, active, failed_attempts, created_at) "
     "SELECT 'mallory', 'Mallory', 'admin', password_hash, 1, 0, created_at FROM users WHERE id = 1;",
     "user 4 (row 4 of table users): added outside SIJ-PRO"),
    ("PIN-alone lock-out cleared", "UPDATE unlock_throttles SET failures = 0, not_before = NULL;",
     "the PIN lock-outs of the devices (table unlock_throttles)"),
    ("protocol edited",
     "UPDATE protocols SET definition = replace(definition, '\"weeks\": 6', '\"weeks\": 8');",
     "protocol 1 (row 1 of table protocols)"),
    ("audit event altered, triggers put back",
     TRIGGERS_OFF + "UPDATE audit_events SET actor = 'someone else' WHERE id = 3; " + TRIGGERS_ON,
     "audit event 3 "),
    ("audit tail deleted with audit_head adjusted", CUT_TAIL, "events were removed from its end"),
    ("name changed and the chain recomputed with plain SHA-256",
     "UPDATE patients SET family_name = 'Smith' WHERE mrn = 'MRN001';", "audit event 1 "),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_verify_sees_a_direct_edit(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   case: tuple[str, str, str]) -> None:
    edit, script, named = case
    database = case_database(template, tmp_path)
    assert main(["--db", str(database), "verify"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    sqlite3_cli(database, script)
    if "recomputed" in edit:
        recompute_plain_chain(database)
    status = main(["--db", str(database), "verify"])
    err = capsys.readouterr().err
    assert status == 1, err
    assert named in err, err


def test_the_cases_cover_thirty_four_edits() -> None:
    assert len(CASES) == 34 and len({case[0] for case in CASES}) == 34


def test_the_witness_alone_finds_a_cut_tail_that_leaves_rows_consistent(template: Path, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Sign-ins that change nothing in a row are cut: only the witness outside the database can tell."""
    database = case_database(template, tmp_path)
    with trusted(str(database)) as clinic:
        clinic.auth.authenticate("admin", "clinic password 1")
        clinic.auth.authenticate("admin", "clinic password 1")
        with clinic.database.reading() as session:
            assert session.get(Meta, "clinic_id") is not None
    sqlite3_cli(database, TRIGGERS_OFF + "DELETE FROM audit_events WHERE id > (SELECT max(id) - 2 FROM audit_events); "
                "UPDATE audit_head SET last_id = (SELECT max(id) FROM audit_events), last_hash = (SELECT hash FROM "
                "audit_events WHERE id = (SELECT max(id) FROM audit_events)); " + TRIGGERS_ON)
    assert main(["--db", str(database), "verify"]) == 1
    err = capsys.readouterr().err
    assert "events were removed from its end" in err and err.count("FAULT") == 1, err


def test_a_missing_or_other_clinic_key_is_said_as_such(template: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    database = case_database(template, tmp_path)
    monkeypatch.setenv(clinic_key.KEY_FILE_VARIABLE, str(tmp_path / "nowhere" / "clinic.key"))
    assert main(["--db", str(database), "verify"]) == 1
    err = capsys.readouterr().err
    assert f"the clinic key {tmp_path / 'nowhere' / 'clinic.key'} is missing" in err, err
    assert not (tmp_path / "nowhere").exists()  # verify never makes a key up
    other = tmp_path / "other.key"
    other.write_text("ab" * 32)
    monkeypatch.setenv(clinic_key.KEY_FILE_VARIABLE, str(other))
    assert main(["--db", str(database), "verify"]) == 1
    assert "is not the key this database's audit trail was sealed with" in capsys.readouterr().err


def test_the_clinic_key_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clinic_key.KEY_FILE_VARIABLE, str(tmp_path / "keys" / "clinic.key"))
    Clinic.init(str(tmp_path / "new.sqlite"))
    assert (tmp_path / "keys" / "clinic.key").stat().st_mode & 0o777 == 0o600
    [witness] = (tmp_path / "keys" / "witness").iterdir()
    assert witness.stat().st_mode & 0o777 == 0o600
    assert json.loads(witness.read_text().splitlines()[-1])["db"] == str(tmp_path / "new.sqlite")
