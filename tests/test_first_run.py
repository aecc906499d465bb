"""First start of a clinic: the administrator and the clinic name in one call, settings, the demo clinic."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from argon2 import PasswordHasher

from sijpro.errors import InputErrors, UserError
from sijpro.progress import Cancelled
from sijpro.services import auth
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.first_run import NewAdmin, set_up_clinic
from sijpro.services.passwords import password_problem
from tests.trusted import trusted

GOOD = NewAdmin("Alice", "Alice Admin", "correct horse 42", "correct horse 42")


@pytest.fixture(autouse=True)
def cheap_hashing():
    with mock.patch.object(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)):
        yield


@pytest.mark.parametrize(("password", "problem"), [
    ("short 1", "at least 10"),
    ("onlyletterslong", "two kinds"),
    ("1234567890", "two kinds"),
    ("alice-is-the-admin", "username"),
    ("correct horse 42", None),
    ("two words!", None),
])
def test_password_strength_rule(password, problem) -> None:
    found = password_problem(password, "alice")
    assert (found is None) if problem is None else (found is not None and problem in found.text)


def test_set_up_creates_the_admin_and_names_the_clinic(database_url, clock) -> None:
    user = set_up_clinic(database_url, GOOD, "  Clinique du Parc ", clock=clock)
    assert (user.username, user.role) == ("alice", "admin")
    with trusted(database_url, clock=clock) as clinic:
        assert clinic.auth.authenticate("alice", GOOD.password).id == user.id
        assert clinic.settings.load() == ClinicSettings(name="Clinique du Parc")
        events = clinic.audit.events(entity="setting")
        # the account is made before anyone can sign in; the clinic is named by its new administrator
        assert [(e.actor, e.field, e.new) for e in events] == [("alice", "clinic.name", "Clinique du Parc")]
        assert [e.actor for e in clinic.audit.events(entity="user", entity_id=user.id) if not e.field] == ["first-run"]
        assert clinic.audit.verify_chain().ok


def test_every_problem_is_named_and_nothing_is_created(tmp_path, clock) -> None:
    path = tmp_path / "clinic.sqlite"
    with pytest.raises(InputErrors) as raised:
        set_up_clinic(str(path), NewAdmin("A", "", "correct horse 42", "correct horse 43"), " ", clock=clock)
    assert list(map(str, raised.value.problems)) == [
        "field 'username': use 2 to 64 lower-case letters, digits, '.', '_' or '-'",
        "field 'full_name': required",
        "field 'repeated': the two passwords differ",
        "field 'clinic_name': required",
    ]
    assert not path.exists()


def test_a_second_first_run_is_refused(database_url, clock) -> None:
    set_up_clinic(database_url, GOOD, "Clinic", clock=clock)
    with pytest.raises(UserError, match="already has users"):
        set_up_clinic(database_url, NewAdmin("mallory", "M", "another pass 1", "another pass 1"), "X", clock=clock)
    with trusted(database_url, clock=clock) as clinic:
        assert [u.username for u in clinic.auth.users()] == ["alice"]


def test_settings_round_trip_and_are_checked(clinic) -> None:
    assert clinic.settings.load() == ClinicSettings()
    clinic.settings.save(ClinicSettings(name="Clinic", idle_lock_minutes=3))
    assert clinic.settings.load() == ClinicSettings(name="Clinic", idle_lock_minutes=3)
    with pytest.raises(InputErrors, match="idle_lock_minutes"):
        clinic.settings.save(ClinicSettings(name="Clinic", idle_lock_minutes=0))
    assert clinic.settings.load().idle_lock_minutes == 3
    assert [(e.field, e.old, e.new) for e in clinic.audit.events(entity="setting")] == [
        ("clinic.name", "", "Clinic"), ("clinic.idle_lock_minutes", 10, 3)]


def test_a_session_names_its_account_in_the_audit_trail_and_nothing_changes_it(clinic, database_url) -> None:
    clinic.auth.add_user("nina", "Nina", "admin", "a long password 1")
    with Clinic.open(database_url) as opened:
        nina = opened.sign_in("nina", "a long password 1")
        assert not hasattr(opened, "act_as") and nina.actor == "nina"
        with pytest.raises(AttributeError):
            nina.context.actor = "mallory"  # type: ignore[misc]
        nina.settings.save(ClinicSettings(name="Clinic"))
    assert clinic.audit.events(entity="setting")[-1].actor == "nina"
def test_the_demo_clinic_is_built_once_with_its_accounts(tmp_path) -> None:
    from sijpro.demo.sandbox import DEMO_PASSWORD, DEMO_USERS, create_demo_clinic

    path = tmp_path / "demo.sqlite"
    seen: list[int] = []
    account = create_demo_clinic(path, patients=12, today=dt.date(2024, 6, 3),
                                 progress=lambda done, total: seen.append(done * 100 // total))
    assert (account.path, account.username, account.password) == (path, "demo-admin", DEMO_PASSWORD)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
    assert sorted(tmp_path.iterdir()) == [path]
    with trusted(str(path)) as clinic:
        assert {(u.username, u.role) for u in clinic.auth.users()} == {(n, r) for n, _, r in DEMO_USERS}
        assert len(clinic.patients.search("DEMO", limit=100)) == 12
        assert clinic.settings.load().name
    modified = path.stat().st_mtime_ns
    assert create_demo_clinic(path, patients=12).username == "demo-admin"
    assert path.stat().st_mtime_ns == modified


def test_a_cancelled_demo_leaves_nothing(tmp_path) -> None:
    from sijpro.demo.sandbox import create_demo_clinic

    def cancel_midway(done: int, total: int) -> None:
        if done > 30:
            raise Cancelled

    with pytest.raises(Cancelled):
        create_demo_clinic(tmp_path / "demo.sqlite", patients=12, progress=cancel_midway)
    assert list(tmp_path.iterdir()) == []


def test_a_new_database_is_told_without_opening_it(database_url, clock) -> None:
    from sijpro.services.first_run import is_new_database

    assert is_new_database(database_url)
    Clinic.init(database_url, clock=clock)
    assert not is_new_database(database_url)
