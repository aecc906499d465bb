"""``sijpro remind --send`` against a real SMTP server on 127.0.0.1 (aiosmtpd), the messages read back:
each e-mail once, in the patient's language, without health data; every attempt recorded and audited; a
refused address recorded, shown and not retried; a server that is down loses nothing and the next run
sends each e-mail exactly once; a run that died after handing an e-mail over never sends it again;
STARTTLS with a user and password."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import json
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sijpro.cli import main
from tests.reminder_clinic import DAY, NURSE, NURSE_PASSWORD
from tests.trusted import trusted

REFUSED = "r-15@example.org"


class Inbox:
    """The server's handler: keeps every message, refuses one address for good."""

    def __init__(self, refuse: str | None = None) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802  # aiosmtpd's hook
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted"

    def to(self) -> list[str]:
        return sorted(str(message["To"]) for message in self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[object]:
    """``start(inbox, port=None, **smtp_options)``: a server on 127.0.0.1; all stopped at the end."""
    started: list[Controller] = []

    def start(inbox: Inbox, port: int | None = None, **options: object) -> int:
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **options)
        controller.start()
        started.append(controller)
        return controller.port

    yield start
    for controller in started:
        controller.stop()


def remind(capsys, monkeypatch, clinic_path: Path, url: str | None, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setenv("SIJPRO_PASSWORD", NURSE_PASSWORD)
    if url is None:
        monkeypatch.delenv("SIJPRO_SMTP_URL", raising=False)
    else:
        monkeypatch.setenv("SIJPRO_SMTP_URL", url)
    status = main(["--db", str(clinic_path), "remind", "--send", "--date", DAY.isoformat(), "--user", NURSE, *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def attempts(clinic_path: Path) -> list[tuple[str, str, str, str, str]]:
    with sqlite3.connect(clinic_path) as connection:
        return connection.execute(
            "SELECT p.mrn, a.step, a.outcome, a.by, a.detail FROM contact_attempts a "
            "JOIN patients p ON p.id = a.patient_id ORDER BY a.id").fetchall()


def verify(clinic_path: Path, capsys) -> None:
    assert main(["--db", str(clinic_path), "verify"]) == 0, capsys.readouterr().err
    capsys.readouterr()


def test_each_email_goes_once_in_the_patients_language_without_health_data(
        clinic_path, smtp_server, capsys, monkeypatch) -> None:
    inbox = Inbox()
    port = smtp_server(inbox)
    status, out, err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}?from=suivi@clinique.example")
    assert status == 0, err
    assert out.startswith(f"Sent 2 e-mail(s) through 127.0.0.1:{port}; 0 refused, 0 failed, 0 not tried")
    assert inbox.to() == ["r-0@example.org", "r-8@example.org"]
    first, french = sorted(inbox.messages, key=lambda message: str(message["To"]))
    assert first["Subject"] == "Your clinic: your follow-up questionnaires"
    assert first["From"].addresses[0].addr_spec == "suivi@clinique.example"
    assert "Dear Jo Patient R-0," in first.get_content()
    # R-8 reads French; its ladder is at its second e-mail, but no first one was ever sent: no "again"
    assert french["Subject"] == "Votre clinique : vos questionnaires de suivi"
    assert "Bonjour Jo Patient R-8," in french.get_content() and "il y a une semaine" not in french.get_content()
    assert all(len(line) <= 72 for message in inbox.messages for line in message.get_content().splitlines())
    for message in inbox.messages:
        text = message.as_string().lower()
        for word in ("r-0,", "mrn", "m3", "fusion", "surgery", "oswestry", "pain", "+33"):
            assert word not in text.replace("patient r-0,", "").replace("patient r-8,", ""), word
    assert attempts(clinic_path) == [("R-8", "email_2", "sent", NURSE, ""), ("R-0", "email_1", "sent", NURSE, "")]
    # the same day again: nothing is sent twice
    status, out, _ = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")
    assert status == 0 and out.startswith("Sent 0 e-mail(s)") and len(inbox.messages) == 2
    # a week later R-0's second e-mail says it is a reminder; R-8 is at its letter by then
    week_later = (DAY + dt.timedelta(days=7)).isoformat()
    status, out, err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}", "--date", week_later)
    assert status == 0, err
    assert [str(message["To"]) for message in inbox.messages[2:]] == ["r-0@example.org"]
    assert inbox.messages[2]["Subject"] == "Your clinic: a reminder about your follow-up questionnaires"
    assert "We wrote to you a week ago" in inbox.messages[2].get_content()
    verify(clinic_path, capsys)
    with sqlite3.connect(clinic_path) as connection:
        audited = connection.execute("SELECT field, old, new, actor FROM audit_events WHERE entity = "
                                     "'contact_attempt' ORDER BY id").fetchall()
    assert [(field, new) for field, _old, new, _actor in audited][1::2] == [("outcome", '"sent"')] * 3
    assert {actor for *_, actor in audited} == {NURSE}


def test_a_refused_address_is_recorded_shown_and_not_tried_again(clinic_path, smtp_server, capsys,
                                                                 monkeypatch) -> None:
    path = clinic_path
    with trusted(str(path), "set-up") as clinic:
        patient = clinic.patients.by_mrn("R-0")
        details = clinic.contacts.get(patient.id)
        clinic.contacts.save(patient.id, dataclasses.replace(details.draft(), email=REFUSED),
                             expected_version=details.row_version, reason="new address")
    inbox = Inbox(refuse=REFUSED)
    port = smtp_server(inbox)
    status, out, err = remind(capsys, monkeypatch, path, f"smtp://127.0.0.1:{port}")
    assert status == 1
    assert "1 address(es) refused" in err
    assert f"{REFUSED}  REFUSED: 550 5.1.1 no such mailbox" in out
    assert inbox.to() == ["r-8@example.org"]
    assert ("R-0", "email_1", "refused", NURSE, "550 5.1.1 no such mailbox") in attempts(path)
    monkeypatch.setenv("SIJPRO_PASSWORD", NURSE_PASSWORD)
    assert main(["--db", str(path), "remind", "--date", DAY.isoformat(), "--user", NURSE]) == 0
    plan = capsys.readouterr().out
    assert "1 not delivered" in plan and "NOT DELIVERED" in plan
    assert f"{REFUSED}  refused by the server" in plan
    status, out, _ = remind(capsys, monkeypatch, path, f"smtp://127.0.0.1:{port}")
    assert status == 0 and out.startswith("Sent 0 e-mail(s)") and len(inbox.messages) == 1


def test_smtp_down_loses_nothing_and_the_next_run_sends_each_once(clinic_path, smtp_server, capsys,
                                                                   monkeypatch) -> None:
    port = free_port()  # nothing listens there yet
    status, out, err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")
    assert status == 1
    assert (f"sijpro remind: cannot reach the SMTP server 127.0.0.1:{port}: connection refused; 2 e-mail(s) were "
            "not sent and will be tried again at the next run") in err
    assert [row[2] for row in attempts(clinic_path)] == ["failed"]
    assert "2 e-mail(s)" in out  # still in the plan
    inbox = Inbox()
    smtp_server(inbox, port=port)
    status, out, err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")
    assert status == 0, err
    assert inbox.to() == ["r-0@example.org", "r-8@example.org"]
    assert [row[2] for row in attempts(clinic_path)] == ["failed", "sent", "sent"]
    status, _out, _err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")
    assert status == 0 and len(inbox.messages) == 2
    verify(clinic_path, capsys)


def test_an_email_handed_over_without_an_answer_is_never_sent_again(clinic_path, smtp_server, capsys,
                                                                    monkeypatch) -> None:
    """What a run that died between the server's taking the message and its recording leaves behind."""
    inbox = Inbox()
    port = smtp_server(inbox)
    assert remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")[0] == 0
    subprocess.run(["sqlite3", str(clinic_path), "UPDATE contact_attempts SET outcome = 'sending' WHERE id = 1"],
                   check=True)
    status, out, _ = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}")
    assert status == 0 and len(inbox.messages) == 2
    assert "handed to the server, no answer heard back (not sent again)" in out


def test_starttls_with_a_user_and_password(clinic_path, smtp_server, capsys, monkeypatch, tmp_path) -> None:
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, data) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.login == b"suivi@clinique.example" and data.password == b"s3cret pass",
                          handled=False)  # the server answers 535 itself on a wrong password

    inbox = Inbox()
    port = smtp_server(inbox, tls_context=context, require_starttls=True, authenticator=authenticator,
                       auth_require_tls=True, auth_exclude_mechanism=["LOGIN"])  # PLAIN, one round trip
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the client trusts this test's own certificate
    status, out, err = remind(capsys, monkeypatch, clinic_path,
                              f"smtp+starttls://suivi%40clinique.example:wrong@127.0.0.1:{port}")
    assert status == 1 and f"the SMTP server 127.0.0.1:{port} refused the user name or password" in err
    assert "wrong" not in err and "wrong" not in out
    status, out, err = remind(capsys, monkeypatch, clinic_path,
                              f"smtp+starttls://suivi%40clinique.example:s3cret%20pass@127.0.0.1:{port}")
    assert status == 0, err
    assert inbox.to() == ["r-0@example.org", "r-8@example.org"]
    assert logins[-1] == (b"suivi@clinique.example", b"s3cret pass")


@pytest.mark.parametrize(("url", "words"), [
    (None, "set SIJPRO_SMTP_URL to the clinic's SMTP server"),
    ("http://127.0.0.1:25", "the scheme must be smtp, smtp+starttls or smtps"),
    ("smtp://127.0.0.1:99999", "the port is not a number from 1 to 65535"),
])
def test_no_or_a_bad_server_url_sends_nothing(clinic_path, capsys, monkeypatch, url, words) -> None:
    status, _out, err = remind(capsys, monkeypatch, clinic_path, url)
    assert status == 1 and words in err
    assert attempts(clinic_path) == []


def test_json_and_a_direct_edit_of_a_contact_attempt(clinic_path, smtp_server, capsys, monkeypatch) -> None:
    import json

    inbox = Inbox()
    port = smtp_server(inbox)
    status, out, err = remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{port}", "--json")
    assert status == 0, err
    shown = json.loads(out)
    assert [entry["mrn"] for entry in shown["send"]["sent"]] == ["R-8", "R-0"]
    assert shown["send"]["server"] == f"127.0.0.1:{port}" and shown["send"]["unreachable"] is None
    assert shown["counts"]["email"] == 0  # what is left of the day's plan once sent
    subprocess.run(["sqlite3", str(clinic_path), "UPDATE contact_attempts SET by = 'someone' WHERE id = 2"],
                   check=True)
    assert main(["--db", str(clinic_path), "verify"]) == 1
    assert "contact_attempt 2 (row 2 of table contact_attempts)" in capsys.readouterr().err


def test_the_cohort_completeness_counts_the_contacts_per_answered_and_lost_visit(
        clinic_path, smtp_server, capsys, monkeypatch, tmp_path) -> None:
    """Real contacts (two e-mails through the SMTP server, a call recorded) and a visit answered by phone:
    ``report cohort --json`` counts them per answered and per lost visit beside DESIGN.md's counts, and
    the cohort PDF's completeness table prints them."""
    from tests.factories import answer_all
    from tests.trusted import trusted

    inbox = Inbox()
    assert remind(capsys, monkeypatch, clinic_path, f"smtp://127.0.0.1:{smtp_server(inbox)}")[0] == 0
    assert inbox.to() == ["r-0@example.org", "r-8@example.org"]
    with trusted(str(clinic_path), NURSE) as nurse:
        r22 = nurse.patients.by_mrn("R-22")
        call = next(entry for entry in nurse.reminders.plan(DAY).of("phone") if entry.patient.mrn == "R-22")
        nurse.reminders.record_call(call.visit.id, "call", "no_answer")
        nurse.reminders.record_call(call.visit.id, "call", "reached")
        answer_all(nurse, call.visit.id, call.visit.instruments, mode="phone")
        assert nurse.schedule.course(r22.id)[2].visit.timepoint == "m3"
        nurse.auth.add_user("sam", "Sam", "surgeon", "surgeon password 1")
    monkeypatch.setenv("SIJPRO_PASSWORD", "surgeon password 1")
    summary_file, pdf = tmp_path / "cohort.json", tmp_path / "cohort.pdf"
    assert main(["--db", str(clinic_path), "report", "cohort", "-o", str(pdf), "--json", str(summary_file),
                 "--user", "sam"]) == 0, capsys.readouterr().err
    completeness = json.loads(summary_file.read_text())["completeness"]
    m3 = completeness["m3"]
    # DESIGN.md's counts, as they were: the four other m3 visits are still being collected (or missed)
    assert {key: m3[key] for key in ("eligible", "answered")} == {"eligible": 5, "answered": 1}
    assert m3["missed"] + m3["pending"] == 4 and m3["pct_answered"] == 20
    assert m3["contacts"] == {
        "answered": {"visits": 1, "contacted": 1, "contacts": 2, "mean": 2,
                     "by_channel": {"email": 0, "post": 0, "phone": 2}},
        "lost": {"visits": 4, "contacted": 2, "contacts": 2, "mean": 0.5,
                 "by_channel": {"email": 2, "post": 0, "phone": 0}},
    }
    # every contact recorded is counted once, at the visit it was made for
    assert sum(row["contacts"][group]["contacts"] for row in completeness.values()
               for group in ("answered", "lost")) == len(attempts(clinic_path)) == 4
    assert completeness["w6"]["contacts"]["answered"] == {"visits": 0, "contacted": 0, "contacts": 0, "mean": None,
                                                          "by_channel": {"email": 0, "post": 0, "phone": 0}}
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    table = text[text.index("Follow-up completeness"):]
    assert table.count("Contacts per") == 2 and "answered visit" in table and "lost" in table  # headings wrap
    m3_line = next(line for line in table.splitlines() if line.strip().startswith("3 months"))
    assert m3_line.split()[-4:] == ["2.0", "(2)", "0.5", "(2)"], m3_line
