"""Invitations to answer at home and the patient's door: issue, reissue, revoke, expiry by the visit's
last collecting day, five wrong birth dates, secrets never stored in clear, passes that outlive a server
restart, one visit on one device between a tablet and the web (both ways), a second browser taking over,
the door's rate limits, and ``verify`` seeing a direct edit of the invitations table."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace

import pytest

from sijpro.access import AccessDenied
from sijpro.errors import InputErrors, UserError
from sijpro.services import tamper
from sijpro.services.claims import VisitClaimed
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.invitations import (
    ADDRESS_LIMIT,
    LINK_LIMIT,
    MAX_TRIES,
    IdentityRefused,
    LinkClosed,
    LinkLocked,
    TooManyTries,
    VisitInUse,
    WebDoor,
)
from sijpro.storage.models import Invitation
from sijpro.storage.row_states import ROW_TABLES
from tests.factories import ANSWERS, operated_patient
from tests.trusted import on_device

SURGERY = dt.date(2024, 4, 22)  # conftest's today (3 June 2024) is w6's due date
BIRTH = dt.date(1961, 4, 12)  # tests.factories.patient_draft's
HOME = "203.0.113.7"


@pytest.fixture(autouse=True)
def web_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIJPRO_WEB_URL", "https://prom.example.org/")


@pytest.fixture
def patient(clinic: Clinic) -> int:
    return operated_patient(clinic, surgery=SURGERY).id


@pytest.fixture
def door(clinic: Clinic, clock: FixedClock) -> WebDoor:
    return WebDoor(clinic.database, clock)


def test_issue_gives_a_link_and_a_code_for_the_open_visit_valid_to_its_last_day(clinic, patient) -> None:
    issued = clinic.invitations.issue(patient)
    assert (issued.mrn, issued.timepoint) == ("MRN001", "w6")
    assert issued.link == f"https://prom.example.org/v/{issued.token}" and len(issued.token) >= 43
    assert len(issued.code) == 10 and issued.printed_code == f"{issued.code[:5]}-{issued.code[5:]}"
    # w6 window closes 17 June; the overdue grace would run to 17 July, but m3's window opens 8 July
    assert issued.valid_until == dt.date(2024, 7, 7)
    (listed,) = clinic.invitations.for_patient(patient)
    assert (listed.invitation_id, listed.state, listed.issued_by) == (issued.invitation_id, "issued", "nurse1")
    event = next(e for e in clinic.audit.events(entity="invitation") if e.entity_id == issued.invitation_id)
    assert issued.token not in str(event.new) and issued.code not in str(event.new)


def test_a_visit_not_open_to_answering_is_refused_by_name(clinic, patient, clock) -> None:
    with pytest.raises(UserError, match="m3 visit of MRN001 is scheduled: it is not open"):
        clinic.invitations.issue(patient, "m3")
    with pytest.raises(UserError, match="baseline visit of MRN001 is missed"):
        clinic.invitations.issue(patient, "baseline")
    with pytest.raises(UserError, match="no m48 visit"):
        clinic.invitations.issue(patient, "m48")
    clock.set(dt.date(2024, 5, 1))  # between baseline (missed) and w6 (scheduled): nothing open
    with pytest.raises(UserError, match="MRN001 has no visit open to answering today"):
        clinic.invitations.issue(patient)


def test_without_a_web_address_the_link_is_the_servers_own_and_e_mails_carry_none(clinic, patient, door,
                                                                                   monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_WEB_URL")
    issued = clinic.invitations.issue(patient)
    assert issued.link == f"http://127.0.0.1:8080/v/{issued.token}" and issued.local_only
    assert door.look(issued.code, address=HOME).status == "needs_birth_date"  # the code opens it anywhere
    assert clinic.invitations.current(issued.visit_id).link == issued.link
    visit = clinic.invitations.for_patient(patient)[0]
    assert clinic.invitations.for_reminder(patient, visit.visit_id, visit.timepoint) is None  # nothing to mail


def test_the_door_asks_for_the_birth_date_by_link_or_by_code_however_typed(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    assert door.look(issued.token).status == "needs_birth_date"
    typed = f" {issued.code[:5].lower()} - {issued.code[5:]} "
    state = door.look(typed)
    assert (state.status, state.timepoint, state.language, state.tries_left) == ("needs_birth_date", "w6", "en", 5)
    assert door.look("not-a-token").status == "unknown"
    wrong_check = issued.code[:-1] + ("0" if issued.code[-1] != "0" else "1")
    assert door.look(wrong_check).status == "unknown"


def test_five_wrong_birth_dates_lock_the_link_and_each_is_audited(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    for tries_left in range(MAX_TRIES - 1, 0, -1):
        with pytest.raises(IdentityRefused) as refused:
            door.confirm(issued.token, dt.date(1961, 4, 13), address=HOME)
        assert refused.value.tries_left == tries_left
    with pytest.raises(LinkLocked):
        door.confirm(issued.token, dt.date(1960, 1, 1), address=HOME)
    with pytest.raises(LinkLocked):  # the right date no longer opens it
        door.confirm(issued.code, BIRTH, address=HOME)
    assert door.look(issued.token).status == "locked"
    assert clinic.invitations.for_patient(patient)[0].state == "locked"
    events = clinic.audit.events(entity="invitation")
    tries = [e for e in events if e.field == "failed_tries"]
    assert [e.new for e in tries] == [1, 2, 3, 4, 5] and {e.actor for e in tries} == {"patient (web)"}
    assert HOME in tries[0].reason
    assert any(e.field == "locked" for e in events)
    assert all("1961" not in f"{e.old}{e.new}{e.reason}" for e in events)  # no birth date in the trail
    reissued = clinic.invitations.issue(patient)  # the clinic sends a new one
    assert door.confirm(reissued.code, BIRTH, address=HOME).invitation_id == reissued.invitation_id


def test_a_right_date_resets_the_count(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    for _ in range(MAX_TRIES - 1):
        with pytest.raises(IdentityRefused):
            door.confirm(issued.token, dt.date(2000, 1, 1), address=HOME)
    door.confirm(issued.token, BIRTH, address=HOME)
    with pytest.raises(IdentityRefused) as refused:
        door.confirm(issued.token, dt.date(2000, 1, 1), address=HOME)
    assert refused.value.tries_left == MAX_TRIES - 1


def test_expired_after_the_last_collecting_day(clinic, patient, door, clock) -> None:
    issued = clinic.invitations.issue(patient)
    web_pass = door.confirm(issued.token, BIRTH, address=HOME)
    clock.set(issued.valid_until)
    assert door.look(issued.token).status == "needs_birth_date"
    clock.set(issued.valid_until + dt.timedelta(days=1))
    assert door.look(issued.token).status == "expired"
    with pytest.raises(LinkClosed) as closed:
        door.confirm(issued.token, BIRTH, address=HOME)
    assert closed.value.status == "expired"
    with pytest.raises(LinkClosed, match="expired"):
        door.enter(web_pass.pass_token)
    assert clinic.invitations.for_patient(patient)[0].state == "expired"


def test_a_new_invitation_revokes_the_old_and_revoking_closes_link_code_and_pass(clinic, patient, door) -> None:
    first = clinic.invitations.issue(patient)
    first_pass = door.confirm(first.token, BIRTH, address=HOME)
    second = clinic.invitations.issue(patient)
    assert {first.token, first.code}.isdisjoint({second.token, second.code})
    assert door.look(first.token).status == "revoked" and door.look(first.code).status == "revoked"
    with pytest.raises(LinkClosed, match="withdrawn"):
        door.enter(first_pass.pass_token)
    states = {r.invitation_id: (r.state, r.revoked_reason) for r in clinic.invitations.for_patient(patient)}
    assert states[first.invitation_id] == ("revoked", "replaced by a new invitation")
    assert states[second.invitation_id][0] == "issued"
    with pytest.raises(UserError, match="reason"):
        clinic.invitations.revoke(second.invitation_id, " ")
    clinic.invitations.revoke(second.invitation_id, "patient prefers paper")
    assert door.look(second.code).status == "revoked"
    with pytest.raises(UserError, match="already revoked"):
        clinic.invitations.revoke(second.invitation_id, "again")


def test_secrets_are_never_stored_in_clear(clinic, patient, door, database_url) -> None:
    if "postgresql" in database_url:
        pytest.skip("the table is read with sqlite3")
    issued = clinic.invitations.issue(patient)
    web_pass = door.confirm(issued.code, BIRTH, address=HOME)
    with sqlite3.connect(database_url) as raw:
        stored = " ".join(str(value) for row in raw.execute("SELECT * FROM invitations") for value in row)
        audit = " ".join(str(value) for row in raw.execute("SELECT old, new, reason FROM audit_events")
                         for value in row)
    secrets = [issued.token, issued.code, issued.printed_code, web_pass.pass_token, web_pass.pass_token.split(".")[2]]
    for secret in secrets:
        assert secret not in stored and secret not in audit
        assert secret.lower() not in stored.lower()


def test_a_pass_opens_a_web_session_for_that_visit_only_and_survives_a_restart(clinic, patient, database_url,
                                                                                clock) -> None:
    issued = clinic.invitations.issue(patient)
    web_pass = WebDoor(clinic.database, clock).confirm(issued.token, BIRTH, address=HOME)
    with Clinic.open(database_url, clock=clock) as restarted:  # another server process
        web = WebDoor(restarted.database, clock).enter(web_pass.pass_token, address=HOME)
        assert web.context.device == f"web:{issued.invitation_id}:1" and web.actor == "patient (web)"
        (pending, _), *_ = web.collection.pending(patient)
        response = web.collection.open(pending.id, "nrs")
        assert response.mode == "web"
        for item, value in ANSWERS["nrs"].items():
            web.collection.save_answer(response.id, item, value)
        web.collection.complete(response.id)
        with pytest.raises(UserError):
            web.collection.open(pending.id, "nrs", mode="kiosk")
        with pytest.raises(AccessDenied):
            web.invitations.issue(patient)
        other = operated_patient(clinic, "MRN002", surgery=SURGERY).id
        with pytest.raises(AccessDenied):
            web.collection.pending(other)
    assert clinic.collection.response(response.id).answers == ANSWERS["nrs"]


def test_kiosk_and_web_refuse_each_other(clinic, patient, door) -> None:
    w6 = clinic.schedule.timeline(patient)[1].id
    issued = clinic.invitations.issue(patient)
    web_pass = door.confirm(issued.token, BIRTH, address=HOME)
    tablet = on_device(clinic.hand_over(patient), "tablet-A")
    tablet.claims.claim([w6], "tablet-A")
    with pytest.raises(VisitInUse, match="tablet at the clinic"):
        door.enter(web_pass.pass_token)
    tablet.claims.release([w6], "tablet-A")
    web = door.enter(web_pass.pass_token)
    with pytest.raises(VisitClaimed, match="the patient's own phone or computer"):
        tablet.claims.claim([w6], "tablet-A")
    with pytest.raises(VisitClaimed):
        tablet.collection.open(w6, "nrs")
    assert web.collection.open(w6, "nrs").mode == "web"


def test_a_second_device_takes_the_visit_over_and_the_first_is_refused(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    phone = door.enter(door.confirm(issued.token, BIRTH, address=HOME).pass_token)
    first_pass_phone = phone
    w6 = clinic.schedule.timeline(patient)[1].id
    response = phone.collection.open(w6, "nrs")
    phone.collection.save_answer(response.id, "lumbar", 6)
    old_pass = door.confirm(issued.code, BIRTH, address="198.51.100.2")
    laptop = door.enter(old_pass.pass_token)
    assert laptop.collection.open(w6, "nrs").answers == {"lumbar": 6}  # resumed where it stopped
    laptop.collection.save_answer(response.id, "radicular", 3)
    with pytest.raises(VisitClaimed):
        first_pass_phone.collection.save_answer(response.id, "lumbar", 9)
    assert clinic.collection.response(response.id).answers == {"lumbar": 6, "radicular": 3}
    assert old_pass.pass_token.startswith(f"{issued.invitation_id}.2.")


def test_a_replaced_pass_says_the_questionnaire_moved(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    first = door.confirm(issued.token, BIRTH, address=HOME)
    door.confirm(issued.token, BIRTH, address=HOME)
    with pytest.raises(LinkClosed) as closed:
        door.enter(first.pass_token)
    assert closed.value.status == "moved"
    for forged in ("", "x", f"{issued.invitation_id}.9.abc", "1.1." + "a" * 300, "999.1.abc"):
        with pytest.raises(LinkClosed):
            door.enter(forged)


def test_a_finished_visit_closes_the_link(clinic, patient, door) -> None:
    issued = clinic.invitations.issue(patient)
    web = door.enter(door.confirm(issued.token, BIRTH, address=HOME).pass_token)
    for visit, instrument in web.collection.pending(patient):
        response = web.collection.open(visit.id, instrument)
        for item, value in ANSWERS[instrument].items():
            web.collection.save_answer(response.id, item, value)
        web.collection.complete(response.id)
    assert door.look(issued.token).status == "finished"
    with pytest.raises(LinkClosed) as closed:
        door.confirm(issued.token, BIRTH, address=HOME)
    assert closed.value.status == "finished"
    assert clinic.invitations.for_patient(patient)[0].state == "finished"


def test_every_failure_at_the_door_is_audited_with_the_address(clinic, patient, door) -> None:
    door.look("no-such-link", address=HOME)
    with pytest.raises(LinkClosed):
        door.confirm("ABCDEFGHJK", BIRTH, address=HOME)
    with pytest.raises(LinkClosed):
        door.enter("1.1.nope", address=HOME)
    refused = [e for e in clinic.audit.events(entity="invitation") if e.field and e.field.endswith("_refused")]
    assert [(e.field, e.new["status"], e.new["address"], e.actor) for e in refused] == [
        ("look_refused", "unknown", HOME, "patient (web)"),
        ("confirm_refused", "unknown", HOME, "patient (web)"),
        ("enter_refused", "unknown", HOME, "patient (web)"),
    ]
    assert all("no-such-link" not in str(e.new) for e in refused)


def test_rate_limits_per_address_and_per_link_hold_across_doors(clinic, patient, database_url, clock) -> None:
    issued = clinic.invitations.issue(patient)
    first = WebDoor(clinic.database, clock)
    for n in range(LINK_LIMIT):
        assert first.allow(f"198.51.100.{n}", issued.token)
    with Clinic.open(database_url, clock=clock) as other:  # another worker process counts with it
        second = WebDoor(other.database, clock)
        with pytest.raises(TooManyTries) as refused:
            second.allow("192.0.2.1", issued.token)
        assert 0 < refused.value.retry_after <= 600
        assert second.allow("192.0.2.1", None)  # the address alone: its second try
        for _ in range(ADDRESS_LIMIT - 2):
            second.allow("192.0.2.1")
        with pytest.raises(TooManyTries):
            second.allow("192.0.2.1")
    clock.set(clock.now() + dt.timedelta(minutes=11))
    assert first.allow("192.0.2.1", issued.token)


def test_invitations_are_fingerprinted_and_verify_sees_a_direct_edit(clinic, patient, door, database_url) -> None:
    assert ROW_TABLES["invitation"] is Invitation.__table__
    issued = clinic.invitations.issue(patient)
    for _ in range(MAX_TRIES):
        with pytest.raises((IdentityRefused, LinkLocked)):
            door.confirm(issued.token, dt.date(2000, 1, 1), address=HOME)
    with clinic.database.connection() as connection:
        assert tamper.row_faults(connection, clinic.database.audit_key) == []
    with clinic.database.connection(write=True) as connection:  # unlock it behind the app's back
        connection.execute(Invitation.__table__.update().values(locked_at=None, failed_tries=0))
    with clinic.database.connection() as connection:
        faults = tamper.row_faults(connection, clinic.database.audit_key)
    assert faults and "table invitations" in faults[0] and "changed outside SIJ-PRO" in faults[0]


@pytest.mark.parametrize(("address", "words"), [
    ("prom.example.org", "is not a web address"), ("ftp://prom.example.org", "is not a web address"),
    ("https://", "is not a web address"), ("https://x.org/?a=1", "is not a web address"),
    ("https://user:secret@x.org", "is not a web address"), ("http://prom.example.org", "must use https")])
def test_a_web_address_that_is_not_one_is_refused_by_name(clinic, patient, monkeypatch, address, words) -> None:
    monkeypatch.setenv("SIJPRO_WEB_URL", address)
    with pytest.raises(UserError, match=rf"SIJPRO_WEB_URL: .* {words}"):
        clinic.invitations.issue(patient)
    monkeypatch.delenv("SIJPRO_WEB_URL")
    with pytest.raises(InputErrors) as refused:
        clinic.settings.save(replace(clinic.settings.load(), web_address=address))
    assert [problem.field for problem in refused.value.problems] == ["web_address"]
    assert words in str(refused.value)
    assert clinic.settings.load().web_address == ""


def test_the_clinics_web_address_serves_every_machine_and_the_variable_overrides_it(clinic, patient,
                                                                                    monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_WEB_URL")
    clinic.settings.save(replace(clinic.settings.load(), web_address=" https://prom.clinique.example/ "))
    assert clinic.settings.load().web_address == "https://prom.clinique.example"
    issued = clinic.invitations.issue(patient)
    assert issued.link == f"https://prom.clinique.example/v/{issued.token}"
    assert clinic.invitations.current(issued.visit_id).link == issued.link
    monkeypatch.setenv("SIJPRO_WEB_URL", "http://127.0.0.1:8080")  # this machine only: plain http is accepted
    assert clinic.invitations.current(issued.visit_id).link == f"http://127.0.0.1:8080/v/{issued.token}"
    changes = [(e.field, e.new) for e in clinic.audit.events(entity="setting")]
    assert ("clinic.web_address", "https://prom.clinique.example") in changes
