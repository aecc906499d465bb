"""A tablet that loses the database keeps the answers and delivers them exactly once (DESIGN rule 11).

The clinic database is PostgreSQL reached through a TCP proxy on loopback that blackholes the
connection mid-questionnaire (packets vanish, nothing is reset, as a dead Wi-Fi access point does) or
refuses it (a stopped server), then lets it through again. Answers given meanwhile return at once,
wait in the tablet's journal, and arrive in order, once each, when the database is back.
"""

from __future__ import annotations

import datetime as dt
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text

from sijpro.errors import Unreachable
from sijpro.services.clinic import Clinic
from sijpro.services.relay import Relay
from sijpro.storage import encryption
from sijpro.storage.journal import Journal
from sijpro.storage.models import AuditEvent, Delivery
from tests.conftest import POSTGRES_URL
from tests.factories import ODI_ANSWERS, operated_patient
from tests.tools.blackhole_proxy import BlackholeProxy
from tests.trusted import trusted

needs_postgres = [pytest.mark.postgres,
                  pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]
SURGERY = dt.date.today() - dt.timedelta(weeks=6)


def through(proxy: BlackholeProxy, url: str) -> str:
    return url.replace(f":{make_url(POSTGRES_URL).port}/", f":{proxy.port}/")  # type: ignore[arg-type]


def wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def odi_response(postgres_url: str) -> tuple[int, int]:
    Clinic.init(postgres_url)
    with trusted(postgres_url) as clinic:
        patient = operated_patient(clinic, surgery=SURGERY)
        w6 = clinic.schedule.timeline(patient.id)[1]
        return w6.id, clinic.collection.open(w6.id, "odi").id


def stored(postgres_url: str, response_id: int) -> tuple[dict[str, int | None], int, int]:
    """The answers, the audit events about them, and the deliveries recorded."""
    with trusted(postgres_url) as clinic:
        answers = clinic.collection.response(response_id).answers
        with clinic.database.reading() as session:
            events = session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity == "response", AuditEvent.entity_id == response_id,
                AuditEvent.field.like("odi%"))) or 0
            deliveries = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return answers, events, deliveries


@pytest.mark.parametrize("outage", ["blackhole", "refuse"])
@needs_postgres[0]
@needs_postgres[1]
def test_answers_given_while_the_database_is_unreachable_arrive_once_each(
        postgres_url: str, proxy: BlackholeProxy, tmp_path: Path, outage: str) -> None:
    visit_id, response_id = odi_response(postgres_url)
    journal = Journal(tmp_path / "journal.sqlite")
    relay = Relay(journal, lambda: Clinic.open(through(proxy, postgres_url), actor="kiosk (nina)"), "tablet-1",
                  deadline=2.0, retry=0.3).start()
    items = list(ODI_ANSWERS)
    try:
        def answer(item: str) -> float:
            started = time.monotonic()
            journal.append("answer", {"response_id": response_id, "item": item, "value": ODI_ANSWERS[item]},
                           "kiosk (nina)", dt.datetime.now(dt.UTC))
            relay.notify()
            return time.monotonic() - started

        answer(items[0])
        wait_until(lambda: journal.waiting_answers() == 0, 15)
        proxy.set(outage)  # mid-questionnaire
        taps = [answer(item) for item in items[1:7]]
        time.sleep(3)  # longer than the relay's deadline: it has tried, and is waiting to try again
        assert max(taps) < 1.0  # a tap never waits for the network
        assert journal.waiting_answers() == 6 and relay.reachable is False
        assert stored(postgres_url, response_id)[0] == {items[0]: ODI_ANSWERS[items[0]]}
        proxy.set("pass")
        taps += [answer(item) for item in items[7:]]
        wait_until(lambda: journal.waiting_answers() == 0, 30)
        journal.append("complete", {"response_ids": [response_id]}, "kiosk (nina)", dt.datetime.now(dt.UTC))
        relay.notify()
        wait_until(lambda: not journal.pending(), 30)
    finally:
        relay.stop()
    answers, events, deliveries = stored(postgres_url, response_id)
    assert answers == ODI_ANSWERS  # answers given = answers stored
    assert events == len(ODI_ANSWERS)  # each one once: no duplicate
    assert deliveries == len(ODI_ANSWERS) + 1
    assert journal.counts() == {"delivered": len(ODI_ANSWERS) + 1}
    assert stat.S_IMODE((tmp_path / "journal.sqlite").stat().st_mode) == 0o600
    with trusted(postgres_url) as clinic:
        assert clinic.collection.response(response_id).status == "complete"
        assert clinic.schedule.visit(visit_id).status == "open"  # its other questionnaires are still due
        actors = {event.actor for event in clinic.audit.events(entity="response", entity_id=response_id)}
        assert actors >= {"kiosk (nina)"}


@needs_postgres[0]
@needs_postgres[1]
def test_an_entry_sent_again_after_its_acknowledgement_was_lost_is_applied_once(
        postgres_url: str, tmp_path: Path) -> None:
    _, response_id = odi_response(postgres_url)
    journal = Journal(tmp_path / "journal.sqlite")
    entry = journal.append("answer", {"response_id": response_id, "item": "odi1", "value": 4}, "kiosk",
                           dt.datetime.now(dt.UTC))
    relay = Relay(journal, lambda: Clinic.open(postgres_url, actor="kiosk"), "tablet-1")
    assert relay.drain() is False
    journal.mark(entry, "pending")  # as if the reply had been lost with the connection
    later = journal.append("answer", {"response_id": response_id, "item": "odi1", "value": 2}, "kiosk",
                           dt.datetime.now(dt.UTC))
    assert relay.drain() is False
    relay.stop()
    answers, events, deliveries = stored(postgres_url, response_id)
    assert answers == {"odi1": 2} and events == 2 and deliveries == 2  # the resend changed nothing
    assert later != entry
    with Clinic.open(postgres_url) as clinic, clinic.database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM deliveries WHERE id = :id"), {"id": entry}).scalar() == 1


@needs_postgres[0]
@needs_postgres[1]
def test_a_dead_network_is_a_sentence_within_seconds_not_a_frozen_screen(postgres_url: str,
                                                                         proxy: BlackholeProxy) -> None:
    Clinic.init(postgres_url)
    proxy.set("blackhole")
    started = time.monotonic()
    with pytest.raises(Unreachable, match=r"cannot reach the database .*connection timeout expired"):
        Clinic.open(through(proxy, postgres_url))
    assert time.monotonic() - started < 10  # libpq's connect_timeout, not TCP's minutes


def test_the_journal_is_owner_only_and_encrypted_when_the_clinic_is(tmp_path: Path) -> None:
    plain = Journal(tmp_path / "plain.sqlite")
    plain.append("answer", {"response_id": 1, "item": "odi1", "value": 3}, "kiosk", dt.datetime.now(dt.UTC))
    plain.close()
    secret = Journal(tmp_path / "secret.sqlite", passphrase="the clinic's passphrase")
    secret.append("answer", {"response_id": 1, "item": "odi1", "value": 3}, "kiosk", dt.datetime.now(dt.UTC))
    assert secret.waiting_answers() == 1
    secret.close()
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert encryption.file_state(tmp_path / "secret.sqlite") == "encrypted"
    assert encryption.file_state(tmp_path / "plain.sqlite") == "plain"
    assert Journal(tmp_path / "secret.sqlite", passphrase="the clinic's passphrase").waiting_answers() == 1
