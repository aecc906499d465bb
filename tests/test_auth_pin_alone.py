"""Kiosk unlock with a PIN alone: who holds it, when it is not enough, the per-device throttle with
growing delays, and the PINs too easy to guess to be set."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from sijpro.errors import UserError
from sijpro.services import auth
from sijpro.services.auth import FREE_PIN_TRIES, MAX_FAILURES, AuthError, wait_after
from sijpro.storage.models import User
from tests.trusted import on_device


@pytest.fixture
def staff(clinic, monkeypatch):
    # The same argon2id, at its lowest cost: a real hash takes a third of a second here, and PIN-alone
    # checks verify every holder's hash.
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(auth, "_pin_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "long enough password")
    clinic.auth.add_user("sam", "Sam Surgeon", "surgeon", "long enough password")
    clinic.auth.add_user("nopin", "No Pin", "nurse", "long enough password")
    clinic.auth.set_pin("nina", "5829")
    clinic.auth.set_pin("sam", "7306")
    return clinic


def test_a_pin_alone_names_its_one_holder(staff) -> None:
    assert staff.auth.check_pin(None, "5829").username == "nina"
    assert staff.auth.check_pin("", "7306").username == "sam"
    assert staff.auth.check_pin("nina", "5829").username == "nina"  # with a username, as before


def test_a_wrong_pin_alone_is_refused_without_naming_anyone(staff) -> None:
    with pytest.raises(AuthError, match=r"^wrong PIN$"):
        staff.auth.check_pin(None, "0000")
    with pytest.raises(AuthError, match=r"^wrong PIN$"):
        staff.auth.check_pin(None, "not digits")


def test_a_shared_pin_needs_the_username(staff) -> None:
    staff.auth.set_pin("nopin", "5829")
    with pytest.raises(AuthError, match="username"):
        staff.auth.check_pin(None, "5829")
    assert staff.auth.check_pin("nopin", "5829").username == "nopin"


def test_wrong_pins_alone_slow_one_device_with_growing_delays_and_never_the_others(staff, clock) -> None:
    staff = on_device(staff, "tablet-A")
    start = clock.now()
    waits = []
    for attempt in range(FREE_PIN_TRIES + 4):
        with pytest.raises(AuthError) as refused:
            staff.auth.check_pin(None, f"90{attempt:02d}")
        waits.append(refused.value.params.get("seconds", 0))
        if waits[-1]:
            assert refused.value.code == "pin_wait"
            with pytest.raises(AuthError) as waiting:  # even the right PIN waits: nothing is checked
                staff.auth.check_pin(None, "5829")
            assert waiting.value.code == "pin_wait" and 0 < waiting.value.params["seconds"] <= waits[-1]
            clock.set(clock.now() + dt.timedelta(seconds=waits[-1]))
    assert waits == [0, 0, 5, 10, 20, 40, 60]
    assert [wait_after(n) for n in range(1, 10)] == [0, 0, 5, 10, 20, 40, 60, 60, 60]
    assert clock.now() - start == dt.timedelta(seconds=135)
    with pytest.raises(AuthError, match="wait 60 s"):
        staff.auth.check_pin(None, "9099")
    assert staff.auth.check_pin("nina", "5829").username == "nina"  # the username way is never slowed
    assert staff.auth.authenticate("sam", "long enough password").username == "sam"
    staff = on_device(staff, "tablet-B")
    assert staff.auth.check_pin(None, "5829").username == "nina"  # another tablet is not slowed at all
    staff = on_device(staff, "tablet-A")
    clock.set(clock.now() + dt.timedelta(seconds=60))
    assert staff.auth.check_pin(None, "5829").username == "nina"
    with pytest.raises(AuthError) as fresh:
        staff.auth.check_pin(None, "9099")
    assert fresh.value.code == "wrong"  # a right PIN starts the count again


@pytest.mark.parametrize("pin", ["0000", "1111", "99999999", "1234", "4321", "3456789", "9876", "1212",
                                 "123123", "2580", "1004"])
def test_pins_anyone_would_try_first_are_refused(staff, pin) -> None:
    with pytest.raises(UserError, match="too easy to guess"):
        staff.auth.set_pin("nina", pin)
    assert staff.auth.check_pin("nina", "5829").username == "nina"  # the old PIN stays


@pytest.mark.parametrize("pin", ["5829", "2468", "1357", "90210", "13572468"])
def test_other_pins_are_accepted(staff, pin) -> None:
    staff.auth.set_pin("nina", pin)
    assert staff.auth.check_pin("nina", pin).username == "nina"


def test_a_right_pin_alone_resets_the_count(staff) -> None:
    for _ in range(FREE_PIN_TRIES - 1):
        with pytest.raises(AuthError):
            staff.auth.check_pin(None, "1111")
    staff.auth.check_pin(None, "5829")
    for _ in range(FREE_PIN_TRIES - 1):
        with pytest.raises(AuthError, match=r"^wrong PIN$"):
            staff.auth.check_pin(None, "1111")


def test_an_inactive_or_locked_holder_cannot_unlock_with_the_pin_alone(staff) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            staff.auth.check_pin("nina", "0000")
    with pytest.raises(AuthError, match="locked"):
        staff.auth.check_pin(None, "5829")


def stored_pin_hash(clinic, username: str) -> str:
    with clinic.database.reading() as session:
        return session.scalar(select(User.pin_hash).where(User.username == username))


def test_pins_get_the_pin_parameters_and_an_older_hash_moves_to_them_when_used(clinic) -> None:
    clinic.auth.add_user("nina", "Nina Nurse", "nurse", "long enough password")
    clinic.auth.set_pin("nina", "5829")
    assert stored_pin_hash(clinic, "nina").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("5829")
    with clinic.database.writing() as session:
        session.execute(update(User).where(User.username == "nina").values(pin_hash=older))
    assert clinic.auth.check_pin(None, "5829").username == "nina"
    assert stored_pin_hash(clinic, "nina").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert clinic.auth.check_pin("nina", "5829").username == "nina"
    with pytest.raises(AuthError):
        clinic.auth.check_pin("nina", "1234")
