"""Who may do what, checked by the services themselves: sessions with a fixed actor and role, the one
capability table, kiosk sessions confined to one patient's visit, and the password rules."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from sijpro.access import ADMIN, CAPABILITIES, NURSE, SURGEON, AccessDenied, Capability, Principal
from sijpro.demo import generate_demo_cohort
from sijpro.errors import UserError
from sijpro.protocol import default_protocol
from sijpro.services import auth, backups, maintenance
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import FixedClock
from sijpro.services.session import Session
from tests.conftest import TODAY
from tests.factories import ANSWERS, operated_patient, patient_draft

PASSWORDS = {"ada": "admin passw0rd", "sam": "surgeon password", "nina": "nurse password"}


@pytest.fixture
def opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Clinic:
    """A clinic with an administrator, a surgeon and a nurse, and two patients due today; opened as
    nobody, as the desktop and the command line open it."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    url = str(tmp_path / "clinic.sqlite")
    clock = FixedClock(TODAY)
    Clinic.init(url, clock=clock)
    clinic = Clinic.open(url, actor="desk", clock=clock)
    built = clinic.system_session("set-up")
    for username, role in (("ada", "admin"), ("sam", "surgeon"), ("nina", "nurse")):
        built.auth.add_user(username, username.title(), role, PASSWORDS[username])  # type: ignore[arg-type]
    six_weeks_ago = TODAY.replace(month=4, day=22)
    operated_patient(built, "P1", surgery=six_weeks_ago)
    operated_patient(built, "P2", surgery=six_weeks_ago, family_name="Other")
    yield clinic
    clinic.close()


def signed_in(clinic: Clinic, username: str) -> Session:
    return clinic.sign_in(username, PASSWORDS[username])


def test_a_nurse_session_is_refused_an_administrators_actions_by_the_services(opened: Clinic,
                                                                              tmp_path: Path) -> None:
    nurse = signed_in(opened, "nina")
    assert (nurse.actor, nurse.principal.role, nurse.user and nurse.user.username) == ("nina", "nurse", "nina")
    refused = {
        "add a user": lambda: nurse.auth.add_user("mallory", "M", "admin", "a long passw0rd"),
        "reset a password": lambda: nurse.auth.set_password("ada", "a new passw0rd!"),
        "set a PIN": lambda: nurse.auth.set_pin("ada", "1234"),
        "list accounts": nurse.auth.users,
        "read the audit trail": nurse.audit.events,
        "edit the protocol": lambda: nurse.protocols.save_new_version(default_protocol()),
        "import": lambda: nurse.imports.load(generate_demo_cohort(2, 1, today=TODAY)),
        "export": lambda: nurse.exports.write("csv", tmp_path / "out"),
        "read the cohort": nurse.outcomes.cohort,
        "rename the clinic": lambda: nurse.settings.save(ClinicSettings(name="Mallory's")),
        "change the backup policy": lambda: backups.save_settings(nurse, backups.BackupSettings(keep=1)),
        "back up to a file of her choice": lambda: maintenance.backup(nurse, tmp_path / "copy.sqlite"),
    }
    for action, attempt in refused.items():
        with pytest.raises(AccessDenied, match=r"^refused: .* needs the .*role; nina is signed in as nurse$"):
            attempt()
        assert not (tmp_path / "out").exists() and not (tmp_path / "copy.sqlite").exists(), action
    # what a nurse does, she does, in her own name
    patient = nurse.patients.register(patient_draft("P3", family_name="Third", given_name="Zoé"))
    assert nurse.schedule.worklist(TODAY).counts["due"] == 2
    admin = signed_in(opened, "ada")
    assert [u.username for u in admin.auth.users()] == ["ada", "nina", "sam"]
    assert admin.audit.events(entity="patient", entity_id=patient.id)[0].actor == "nina"
    assert {e.new for e in admin.audit.events(entity="user") if e.field == "sign_in"} == {"password accepted"}


def test_the_open_database_acts_as_nobody_until_someone_signs_in(opened: Clinic) -> None:
    with pytest.raises(AccessDenied, match=r"^sign in first: patients needs a nurse or surgeon or admin account$"):
        opened.patients.search("P1")
    with pytest.raises(AccessDenied, match="sign in first"):
        opened.auth.add_user("mallory", "M", "admin", "a long passw0rd")  # the clinic has accounts already
    assert maintenance.verify(opened) == []  # what needs no account
    assert opened.auth.has_accounts() and not hasattr(opened, "act_as")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opened.context.principal = Principal.system("mallory")  # type: ignore[misc]


def test_roles_are_cumulative_and_come_from_the_database_not_the_caller(opened: Clinic, tmp_path: Path) -> None:
    assert NURSE < SURGEON < ADMIN and set(CAPABILITIES) == {"nurse", "surgeon", "admin"}
    surgeon = signed_in(opened, "sam")
    assert surgeon.exports.write("csv", tmp_path / "out").subjects and surgeon.outcomes.cohort()
    with pytest.raises(AccessDenied, match="needs the admin role"):
        surgeon.audit.events()
    nina = signed_in(opened, "nina").user
    assert nina is not None
    forged = opened.session(dataclasses.replace(nina, role="admin"))
    assert forged.principal.role == "nurse"
    with pytest.raises(AccessDenied):
        forged.auth.users()
    signed_in(opened, "ada").auth.set_active("nina", False)
    with pytest.raises(AccessDenied, match="nina cannot sign in: the account is not active"):
        opened.session(nina)


def test_a_kiosk_session_answers_its_patients_visit_and_nothing_else(opened: Clinic) -> None:
    nurse = signed_in(opened, "nina")
    p1, p2 = (nurse.patients.by_mrn(mrn) for mrn in ("P1", "P2"))
    assert p1 is not None and p2 is not None
    tablet = nurse.hand_over(p1.id)
    assert tablet.actor == "kiosk (nina)" and tablet.principal.role == "kiosk"
    visit = next(v for v, _ in tablet.collection.pending(p1.id))
    response = tablet.collection.open(visit.id, "nrs", language="fr")
    for item, value in ANSWERS["nrs"].items():
        tablet.collection.save_answer(response.id, item, value)
    assert tablet.collection.complete(response.id).status == "complete"
    assert tablet.patients.update(p1.id, {"language": "fr"}, expected_version=p1.row_version,
                                  reason="chosen on the kiosk").language == "fr"
    other_visit = next(v for v, _ in nurse.collection.pending(p2.id))
    refused = [
        lambda: tablet.collection.open(other_visit.id, "nrs"),
        lambda: tablet.collection.open(visit.id, "odi", mode="paper"),
        lambda: tablet.patients.get(p2.id),
        lambda: tablet.patients.search("Other"),
        lambda: tablet.patients.update(p1.id, {"family_name": "X"}, expected_version=2, reason="x"),
        lambda: tablet.schedule.worklist(TODAY),
        lambda: tablet.hand_over(p2.id),
        lambda: tablet.collection.amend(response.id, "lumbar", 1, "typo"),
    ]
    for attempt in refused:
        with pytest.raises(AccessDenied):
            attempt()
    nurse_response = nurse.collection.open(other_visit.id, "nrs", mode="paper")
    with pytest.raises(AccessDenied, match="not handed over for that visit"):
        tablet.collection.save_answer(nurse_response.id, "lumbar", 3)
    assert [r.visit_id for r in tablet.collection.in_progress()] == []  # the other patient's stays unseen
    answered = signed_in(opened, "ada").audit.events(entity="response", entity_id=response.id)
    assert {e.actor for e in answered} == {"kiosk (nina)"}
    with pytest.raises(UserError, match="nothing is due"):
        nurse.hand_over(p1.id, TODAY.replace(year=2030))


def test_every_public_service_method_declares_what_it_needs() -> None:
    """A method added without a check fails here: it must say ``requires(...)`` or ``open_to_all``."""
    session = Clinic.open("sqlite://").system_session("test")
    for name, member in vars(type(session)).items():  # the services loaded on first use, loaded now
        if isinstance(member, functools.cached_property):
            getattr(session, name)
    classes = {type(value) for value in vars(session).values() if hasattr(value, "context")}
    assert {"AuditTrail", "Auth", "Claims", "Cohort", "Collection", "Exports", "Imports", "Outcomes", "Patients",
            "Procedures", "Protocols", "Schedule", "Settings"} <= {cls.__name__ for cls in classes}
    session.database.close()
    undeclared = [f"{cls.__name__}.{name}" for cls in classes
                  for name, method in inspect.getmembers(cls, inspect.isfunction)
                  if not name.startswith("_") and not hasattr(method, "needs")]
    assert undeclared == []
    assert auth.Auth.users.needs == {Capability.USERS}  # type: ignore[attr-defined]


@pytest.mark.parametrize(("role", "password", "problem"), [
    ("admin", "short1", "at least 10 characters"),
    ("admin", "onlyletterstoo", "two kinds"),
    ("admin", "ada-12345678", "username"),
    ("nurse", "seven77", "at least 8 characters"),
])
def test_password_rules_hold_in_the_core_for_every_front_end(opened: Clinic, role: str, password: str,
                                                             problem: str) -> None:
    admin = signed_in(opened, "ada")
    with pytest.raises(UserError, match=problem):
        admin.auth.add_user("ada2" if problem != "username" else "ada", "X", role, password)  # type: ignore[arg-type]
    with pytest.raises(UserError, match=problem):
        admin.auth.set_password("ada" if role == "admin" else "nina", password)
    admin.auth.add_user("newbie", "N", "nurse", "eight888")  # a nurse's 8 characters are enough


def test_the_first_account_of_a_new_database_is_an_administrator_made_without_signing_in(
        tmp_path: Path) -> None:
    url = str(tmp_path / "new.sqlite")
    Clinic.init(url)
    with Clinic.open(url) as clinic:
        with pytest.raises(AccessDenied, match="must be an administrator"):
            clinic.auth.add_user("nina", "N", "nurse", "nurse password")
        clinic.auth.add_user("ada", "Ada", "admin", "admin passw0rd")
        with pytest.raises(AccessDenied, match="sign in first"):
            clinic.auth.add_user("eve", "Eve", "admin", "another passw0rd")  # a second one is not a first run
        assert [u.username for u in clinic.sign_in("ada", "admin passw0rd").auth.users()] == ["ada"]
