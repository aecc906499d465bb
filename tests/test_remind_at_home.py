"""Reminder e-mails carry the visit's invitation to answer at home when the clinic runs the web app: read
back from a real SMTP server on 127.0.0.1, the link opens the patient's door, the French e-mail says it in
French, the link is never broken across lines, and the ladder's second e-mail carries the same link (one
invitation per visit, not one per e-mail); without a web address the e-mails go as before."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.errors import UserError
from sijpro.mail import SmtpServer
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.invitations import WebDoor
from tests.reminder_clinic import DAY
from tests.test_remind_send import Inbox, smtp_server  # noqa: F401  # the SMTP server fixture
from tests.trusted import trusted

WEB = "https://prom.example.org"
LINK = re.compile(re.escape(WEB) + r"/v/[A-Za-z0-9_-]{43}")
CODE = re.compile(r"\b[0-9A-Z]{5}-[0-9A-Z]{5}\b")


def flat(text: str) -> str:
    return " ".join(text.split())


def send(path: Path, port: int, day: dt.date) -> None:
    clock = FixedClock(day)
    with trusted(str(path), "nina", clock=clock) as clinic:
        clinic.reminders.send(SmtpServer.from_url(f"smtp://127.0.0.1:{port}"), day)


def test_the_emails_carry_one_link_per_visit_that_opens_the_door(clinic_path, smtp_server, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("SIJPRO_WEB_URL", WEB + "/")
    inbox = Inbox()
    port = smtp_server(inbox)
    send(clinic_path, port, DAY)
    by_to = {str(message["To"]): message for message in inbox.messages}
    assert sorted(by_to) == ["r-0@example.org", "r-8@example.org"]
    english, french = by_to["r-0@example.org"].get_content(), by_to["r-8@example.org"].get_content()
    assert "You can answer them now, at home" in flat(english)
    assert "Vous pouvez y répondre dès maintenant" in flat(french)
    assert f"go to {WEB} and type the code" in flat(english)
    # R-8's m3 window opened 8 days ago: it closes on 7 July, and is collected for 30 days more
    assert "Le lien et le code peuvent servir jusqu’au 6 août 2024." in flat(french)
    links = {to: LINK.findall(message.get_content()) for to, message in by_to.items()}
    assert all(len(line) <= 72 for message in inbox.messages for line in message.get_content().splitlines())
    assert all(len(found) == 1 for found in links.values()) and links["r-0@example.org"] != links["r-8@example.org"]
    assert any(line == links["r-0@example.org"][0] for line in english.splitlines())  # whole, on its own line
    code = CODE.search(english)
    assert code is not None
    clock = FixedClock(DAY)
    with Clinic.open(str(clinic_path), clock=clock) as opened:
        door = WebDoor(opened.database, clock)
        token = links["r-0@example.org"][0].rsplit("/", 1)[1]
        assert door.look(token).status == "needs_birth_date"
        assert door.look(code.group()).status == "needs_birth_date"
        state = door.look(LINK.findall(french)[0].rsplit("/", 1)[1])
        assert (state.status, state.language) == ("needs_birth_date", "fr")

    week_later = DAY + dt.timedelta(days=7)  # R-0's second e-mail: the same link, no new invitation
    send(clinic_path, port, week_later)
    (again,) = inbox.messages[2:]
    assert str(again["To"]) == "r-0@example.org" and "We wrote to you a week ago" in again.get_content()
    assert LINK.findall(again.get_content()) == links["r-0@example.org"]
    with trusted(str(clinic_path), "check", clock=FixedClock(week_later)) as clinic:
        patient = clinic.patients.by_mrn("R-0")
        assert [record.state for record in clinic.invitations.for_patient(patient.id)] == ["issued"]
    assert main(["--db", str(clinic_path), "verify"]) == 0  # the invitations were audited and sealed


def test_without_a_web_address_the_emails_go_as_before(clinic_path, smtp_server, monkeypatch) -> None:  # noqa: F811
    monkeypatch.delenv("SIJPRO_WEB_URL", raising=False)
    inbox = Inbox()
    send(clinic_path, smtp_server(inbox), DAY)
    assert len(inbox.messages) == 2
    assert all("/v/" not in message.get_content() and "at home" not in message.get_content()
               for message in inbox.messages)


def test_a_malformed_web_address_stops_the_run_before_anything_is_sent(clinic_path, smtp_server,  # noqa: F811
                                                                      monkeypatch) -> None:
    monkeypatch.setenv("SIJPRO_WEB_URL", "prom.example.org")
    inbox = Inbox()
    port = smtp_server(inbox)
    with pytest.raises(UserError, match="SIJPRO_WEB_URL"):
        send(clinic_path, port, DAY)
    assert inbox.messages == []
