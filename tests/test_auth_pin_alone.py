"""Kiosk unlock with a PIN alone: who holds it, when it is not enough, and the clinic-wide throttle."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from sijpro.services import auth
from sijpro.services.auth import LOCK_MINUTES, MAX_FAILURES, AuthError
from sijpro.storage.models import User


@pytest.fixture
def staff(clinic, monkeypatch):
    # The same argon2id, at its lowest cost: a real hash takes a third of a second here, and PIN-alone
    # checks verify every holder's hash.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(auth, "_pin_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "long enough password")
    clinic.auth.add_user("sam", "Sam Surgeon", "surgeon", "long enough password")
    clinic.auth.add_user("nopin", "No Pin", "nurse", "long enough password")
    clinic.auth.set_pin("nina", "4321")
    clinic.auth.set_pin("sam", "8765")
    return clinic


def test_a_pin_alone_names_its_one_holder(staff) -> None:
    assert staff.auth.check_pin(None, "4321").username == "nina"
    assert staff.auth.check_pin("", "8765").username == "sam"
    assert staff.auth.check_pin("nina", "4321").username == "nina"  # with a username, as before


def test_a_wrong_pin_alone_is_refused_without_naming_anyone(staff) -> None:
    with pytest.raises(AuthError, match=r"^wrong PIN$"):
        staff.auth.check_pin(None, "0000")
    with pytest.raises(AuthError, match=r"^wrong PIN$"):
        staff.auth.check_pin(None, "not digits")


def test_a_shared_pin_needs_the_username(staff) -> None:
    staff.auth.set_pin("nopin", "4321")
    with pytest.raises(AuthError, match="username"):
        staff.auth.check_pin(None, "4321")
    assert staff.auth.check_pin("nopin", "4321").username == "nopin"


def test_wrong_pins_alone_lock_pin_alone_unlock_but_not_the_accounts(staff, clock) -> None:
    for attempt in range(MAX_FAILURES):
        with pytest.raises(AuthError) as refused:
            staff.auth.check_pin(None, f"99{attempt:02d}")
    assert "username is needed" in str(refused.value)
    with pytest.raises(AuthError, match="enter your username"):
        staff.auth.check_pin(None, "4321")  # even the right PIN, for now
    assert staff.auth.check_pin("nina", "4321").username == "nina"  # accounts are not locked
    assert staff.auth.authenticate("sam", "long enough password").username == "sam"
    clock.set(dt.datetime.combine(clock.today(), dt.time(12, LOCK_MINUTES + 1), tzinfo=dt.UTC))
    assert staff.auth.check_pin(None, "4321").username == "nina"


def test_a_right_pin_alone_resets_the_count(staff) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError):
            staff.auth.check_pin(None, "1111")
    staff.auth.check_pin(None, "4321")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AuthError, match=r"^wrong PIN$"):
            staff.auth.check_pin(None, "1111")


def test_an_inactive_or_locked_holder_cannot_unlock_with_the_pin_alone(staff) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            staff.auth.check_pin("nina", "0000")
    with pytest.raises(AuthError, match="locked"):
        staff.auth.check_pin(None, "4321")


def stored_pin_hash(clinic, username: str) -> str:
    with clinic.database.reading() as session:
        return session.scalar(select(User.pin_hash).where(User.username == username))


def test_pins_get_the_pin_parameters_and_an_older_hash_moves_to_them_when_used(clinic) -> None:
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "long enough password")
    clinic.auth.set_pin("nina", "4321")
    assert stored_pin_hash(clinic, "nina").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("4321")
    with clinic.database.writing() as session:
        session.execute(update(User).where(User.username == "nina").values(pin_hash=older))
    assert clinic.auth.check_pin(None, "4321").username == "nina"
    assert stored_pin_hash(clinic, "nina").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert clinic.auth.check_pin("nina", "4321").username == "nina"
    with pytest.raises(AuthError):
        clinic.auth.check_pin("nina", "1234")
