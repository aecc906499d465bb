"""The audit chain detects tampering and names the event; sign-in locks out and never says who exists."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from sijpro.errors import UserError
from sijpro.services import auth
from sijpro.services.audit import GENESIS_HASH
from sijpro.services.auth import AuthError
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.factories import operated_patient, patient_draft

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_refuse_update",
               "DROP TRIGGER IF EXISTS audit_events_refuse_delete"],
    "postgresql": ["ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_change"],
}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, with a cost small enough for a test that signs in a dozen times on a busy machine."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    auth._decoy_hash.cache_clear()


def tamper(clinic: Clinic, *statements: str) -> None:
    """What someone with raw access to the database could do: lift the guard and rewrite history."""
    with clinic.database.engine.begin() as connection:
        for statement in (*DROP_TRIGGERS[clinic.dialect], *statements):
            connection.execute(text(statement))


def test_chain_links_every_event_to_the_one_before(clinic: Clinic) -> None:
    operated_patient(clinic)
    events = clinic.audit.events()
    seals = clinic.audit.events(entity="state")
    assert sorted(e.id for e in events + seals) == list(range(1, len(events) + len(seals) + 1))
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(event.id + 1 in {seal.id for seal in seals} for event in events[-1:])  # each write ends sealed
    report = clinic.audit.verify_chain()
    assert report.ok and report.events_checked == len(events) + len(seals)
    with clinic.database.engine.connect() as connection:
        first = connection.execute(text("SELECT prev_hash FROM audit_events WHERE id = 1")).scalar()
    assert first == GENESIS_HASH
    assert [e.entity for e in clinic.audit.events(actor="nurse1")] == ["patient", "procedure"]
    assert clinic.audit.events(entity="procedure")[0].new["visits"]["w6"]["status"] == "scheduled"
    assert len(clinic.audit.events(limit=1)) == 1
    assert [e.id for e in clinic.audit.events(limit=2, newest_first=True)] == [events[-1].id, events[-2].id]
    assert clinic.audit.actors() == ["nurse1", "system"]
    assert clinic.audit.entities() == ["patient", "procedure", "protocol"]
    assert clinic.audit.events(since=dt.datetime(2030, 1, 1)) == []


def test_a_rewritten_event_is_named(clinic: Clinic) -> None:
    patient = operated_patient(clinic)
    clinic.patients.update(patient.id, {"bmi": 30.0}, expected_version=1, reason="measured")
    [edit] = [e for e in clinic.audit.events(entity="patient") if e.field == "bmi"]
    tamper(clinic, f"UPDATE audit_events SET new = '25.0' WHERE id = {edit.id}")
    report = clinic.audit.verify_chain()
    assert not report.ok and report.first_broken_id == edit.id
    assert f"audit event {edit.id} (patient {patient.id}" in report.problem and "altered" in report.problem


def test_a_removed_or_reordered_event_is_detected(clinic: Clinic) -> None:
    operated_patient(clinic)
    operated_patient(clinic, "MRN002", family_name="Other")
    last = clinic.audit.events(entity="state")[-1].id
    tamper(clinic, f"DELETE FROM audit_events WHERE id = {last}")
    report = clinic.audit.verify_chain()
    assert not report.ok and "removed from its end" in report.problem
    tamper(clinic, "DELETE FROM audit_events WHERE id = 2")
    assert clinic.audit.verify_chain().problem == "audit event 2 is missing (next found: 3)"


def test_sign_in_and_lock_out_never_tell_whether_a_username_exists(clinic: Clinic, clock: FixedClock) -> None:
    nurse = clinic.auth.add_user("Nurse.One", "Anne Nurse", "nurse", "long enough")
    assert (nurse.username, nurse.role, nurse.has_pin) == ("nurse.one", "nurse", False)
    assert clinic.auth.authenticate("nurse.one", "long enough") == nurse
    refusals = set()
    for _ in range(auth.MAX_FAILURES + 2):  # past the lock-out: a name nobody has is answered the same
        for username in ("nurse.one", "nobody"):
            with pytest.raises(AuthError) as refused:
                clinic.auth.authenticate(username, "not it")
            refusals.add((str(refused.value), refused.value.locked_minutes))
    with pytest.raises(AuthError) as locked:
        clinic.auth.authenticate("nurse.one", "long enough")  # even the right password, while locked
    refusals.add((str(locked.value), locked.value.locked_minutes))
    assert refusals == {(auth.WRONG_CREDENTIALS, None)}
    assert auth.WRONG_CREDENTIALS == ("wrong username or password (after 5 failed attempts in a row an account "
                                      "is locked for 5 minutes)")
    outcomes = [e.new for e in clinic.audit.events(entity="user") if e.field == "sign_in"]
    assert "wrong password; locked for 5 minutes" in outcomes and outcomes[-1] == "refused: locked for 5 more minute(s)"
    clock.set(clock.now() + dt.timedelta(minutes=5, seconds=1))
    assert clinic.auth.authenticate("nurse.one", "long enough") == nurse


def test_user_rules(clinic: Clinic) -> None:
    clinic.auth.add_user("admin", "", "admin", "long enough")
    with pytest.raises(UserError, match="already exists"):
        clinic.auth.add_user("ADMIN", "", "admin", "long enough")
    with pytest.raises(UserError, match="at least 8 characters"):
        clinic.auth.add_user("bob", "", "nurse", "short")
    with pytest.raises(UserError, match="role 'janitor'"):
        clinic.auth.add_user("bob", "", "janitor", "long enough")  # type: ignore[arg-type]
    with pytest.raises(UserError, match=r"username 'a b'"):
        clinic.auth.add_user("a b", "", "nurse", "long enough")
    assert [u.username for u in clinic.auth.users()] == ["admin"]
    [event] = clinic.audit.events(entity="user")
    assert "long enough" not in str(event.new) and event.new["role"] == "admin"


def test_kiosk_pin(clinic: Clinic) -> None:
    clinic.auth.add_user("nurse", "", "nurse", "long enough")
    with pytest.raises(UserError, match="4 to 8 digits"):
        clinic.auth.set_pin("nurse", "12a4")
    assert clinic.auth.set_pin("nurse", "2468").has_pin
    assert clinic.auth.check_pin("nurse", "2468").username == "nurse"
    with pytest.raises(AuthError, match="wrong username or PIN"):
        clinic.auth.check_pin("nurse", "1357")
    with pytest.raises(AuthError, match="wrong username or PIN"):
        clinic.auth.check_pin("ghost", "2468")
    with pytest.raises(AuthError, match="wrong username or password"):
        clinic.auth.authenticate("nurse", "2468")  # a PIN is not a password


def test_clinical_changes_without_a_patient_are_refused(clinic: Clinic) -> None:
    with pytest.raises(UserError, match="no patient with id 5"):
        clinic.patients.update(5, {"bmi": 20.0}, expected_version=1, reason="x")
    clinic.patients.register(patient_draft())
    assert clinic.audit.verify_chain().ok


def test_admin_account_actions_are_audited_and_keep_one_admin(clinic: Clinic) -> None:
    clinic.auth.add_user("boss", "Ada Admin", "admin", "a long admin password")
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "a long nurse password")
    assert clinic.auth.set_role("nina", "surgeon").role == "surgeon"
    with pytest.raises(UserError, match="only active admin"):
        clinic.auth.set_active("boss", False)
    with pytest.raises(UserError, match="only active admin"):
        clinic.auth.set_role("boss", "nurse")
    with pytest.raises(UserError, match="role 'chief'"):
        clinic.auth.set_role("nina", "chief")  # type: ignore[arg-type]
    assert clinic.auth.set_active("nina", False).active is False
    with pytest.raises(AuthError):
        clinic.auth.authenticate("nina", "a long nurse password")  # a deactivated account cannot sign in
    clinic.auth.set_active("nina", True)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthError):
            clinic.auth.authenticate("nina", "wrong password")
    with pytest.raises(UserError, match="at least 8"):
        clinic.auth.set_password("nina", "short")
    clinic.auth.set_password("nina", "a brand new password")  # also lifts the lock-out
    assert clinic.auth.authenticate("nina", "a brand new password").role == "surgeon"
    with pytest.raises(UserError, match="no user ghost"):
        clinic.auth.set_active("ghost", False)
    changes = [(e.field, e.old, e.new) for e in clinic.audit.events(entity="user") if e.field]
    # the deactivated account's attempt counts as the first failure: the fifth wrong password locks, and
    # the attempt after it is refused without being checked
    wrong = ("sign_in", None, "wrong password")
    assert changes == [("role", "nurse", "surgeon"), ("active", True, False), wrong, ("active", False, True),
                       *[wrong] * (auth.MAX_FAILURES - 2), ("sign_in", None, "wrong password; locked for 5 minutes"),
                       ("sign_in", None, "refused: locked for 5 more minute(s)"),
                       ("password", None, "reset"), ("sign_in", None, "password accepted")]
    nina = next(user for user in clinic.auth.users() if user.username == "nina")
    assert {e.entity_id for e in clinic.audit.events(entity="user") if e.field == "sign_in"} == {nina.id}
    assert "a brand new password" not in str(clinic.audit.events())
    clinic.auth.set_role("nina", "admin")
    assert clinic.auth.set_active("boss", False).active is False  # another admin remains


def test_a_sign_in_aimed_at_no_account_is_audited_without_the_name_typed(clinic: Clinic) -> None:
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "a long nurse password")
    clinic.auth.set_pin("nina", "2468")
    with pytest.raises(AuthError):
        clinic.auth.authenticate("my secret password", "nina")  # the fields swapped
    assert clinic.auth.check_pin(None, "2468").username == "nina"
    with pytest.raises(AuthError):
        clinic.auth.check_pin(None, "1357")
    events = [e for e in clinic.audit.events(entity="user") if e.field == "sign_in"]
    assert [(e.entity_id, e.new) for e in events] == [
        (None, "wrong password for an unknown username"), (events[1].entity_id, "PIN alone accepted"),
        (None, "wrong PIN alone")]
    assert events[1].entity_id is not None
    assert "my secret password" not in str(clinic.audit.events())
    assert clinic.audit.verify_chain().ok
