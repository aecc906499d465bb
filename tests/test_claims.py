"""One visit, one device: a claim refuses other devices until released or expired; a take-over is
audited and the device that lost the visit has its next answer refused, never written over."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.services.claims import CLAIM_MINUTES, VisitClaimed
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.factories import operated_patient
from tests.trusted import on_device

SURGERY = dt.date(2024, 4, 22)  # conftest's today (3 June 2024) is w6's due date


@pytest.fixture
def w6(clinic: Clinic) -> int:
    patient = operated_patient(clinic, surgery=SURGERY)
    return clinic.schedule.timeline(patient.id)[1].id


@pytest.fixture
def tablet_b(clinic: Clinic, database_url: str, clock: FixedClock):
    """A second device on the same database."""
    with Clinic.open(database_url, clock=clock) as other:
        yield on_device(other.system_session("kiosk (bea)"), "tablet-B")


def test_a_second_device_is_refused_naming_the_holder_until_release(clinic, tablet_b, w6) -> None:
    clinic = on_device(clinic, "tablet-A")
    (claim,) = clinic.claims.claim([w6], "tablet-A")
    assert (claim.device, claim.claimed_by) == ("tablet-A", "nurse1")
    with pytest.raises(VisitClaimed, match="w6 visit is being answered on tablet-A") as refused:
        tablet_b.claims.claim([w6], "tablet-B")
    assert refused.value.holder.device == "tablet-A"
    with pytest.raises(VisitClaimed):  # the collection itself refuses, whatever the caller asked before
        tablet_b.collection.open(w6, "nrs")
    response = clinic.collection.open(w6, "nrs")
    clinic.collection.save_answer(response.id, "lumbar", 4)
    with pytest.raises(VisitClaimed):
        tablet_b.collection.save_answer(response.id, "lumbar", 9)
    clinic.claims.release([w6], "tablet-A")
    assert clinic.claims.holder(w6) is None
    tablet_b.claims.claim([w6], "tablet-B")
    assert tablet_b.collection.open(w6, "nrs").answers == {"lumbar": 4}  # resumed, not restarted


def test_a_take_over_is_audited_and_the_old_holder_cannot_write(clinic, tablet_b, w6) -> None:
    clinic = on_device(clinic, "tablet-A")
    clinic.claims.claim([w6], "tablet-A")
    response = clinic.collection.open(w6, "nrs")
    tablet_b.claims.claim([w6], "tablet-B", take_over=True)
    tablet_b.collection.save_answer(response.id, "lumbar", 7)
    with pytest.raises(VisitClaimed, match="tablet-B"):
        clinic.collection.save_answer(response.id, "lumbar", 2)
    assert clinic.collection.response(response.id).answers == {"lumbar": 7}
    events = [e for e in clinic.audit.events() if e.field == "claimed_on"]
    assert [(e.actor, e.old, e.new, e.reason) for e in events] == [
        ("nurse1", None, "tablet-A", None),
        ("kiosk (bea)", "tablet-A", "tablet-B", "taken over from tablet-A"),
    ]
    clinic.claims.release([w6], "tablet-A")  # releasing what it no longer holds changes nothing
    assert clinic.claims.holder(w6).device == "tablet-B"


def test_a_claim_expires_and_each_answer_moves_it_on(clinic, tablet_b, w6, clock) -> None:
    clinic = on_device(clinic, "tablet-A")
    clinic.claims.claim([w6], "tablet-A")
    response = clinic.collection.open(w6, "nrs")
    clock.set(clock.now() + dt.timedelta(minutes=CLAIM_MINUTES - 1))
    clinic.collection.save_answer(response.id, "lumbar", 3)  # the tablet is alive: its claim goes on
    clock.set(clock.now() + dt.timedelta(minutes=CLAIM_MINUTES - 1))
    with pytest.raises(VisitClaimed):
        tablet_b.claims.claim([w6], "tablet-B")
    clock.set(clock.now() + dt.timedelta(minutes=2))
    assert clinic.claims.holder(w6) is None
    tablet_b.claims.claim([w6], "tablet-B")  # a dead tablet's claim lapses
    assert clinic.claims.holder(w6).device == "tablet-B"


def test_several_visits_are_claimed_together_or_not_at_all(clinic, tablet_b) -> None:
    first = operated_patient(clinic, "MRN001", surgery=SURGERY)
    second = operated_patient(clinic, "MRN002", surgery=SURGERY)
    visit_1, visit_2 = (clinic.schedule.timeline(p.id)[1].id for p in (first, second))
    tablet_b.claims.claim([visit_2], "tablet-B")
    with pytest.raises(VisitClaimed):
        clinic.claims.claim([visit_1, visit_2], "tablet-A")
    assert clinic.claims.holder(visit_1) is None
    assert [c.visit_id for c in clinic.claims.active()] == [visit_2]
