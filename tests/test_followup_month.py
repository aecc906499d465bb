"""A clinic's month of follow-up, driven day by day through ``sijpro remind --date D --letters DIR --send
--json`` against a real SMTP server on 127.0.0.1 (aiosmtpd): 200 patients whose 6-week windows open over
the month, with contact details and consent of every kind.

Each day the e-mails land in the server and are read back (no health data in them), the letters render
and the codes they carry open the right visits for paper entry, the phone tasks appear on the plan and
close once their outcome is recorded; patients answer (a form at the clinic, a paper pack sent back, on
the phone), and ``report cohort --json`` counts them as answered and counts the contacts that were made.
A refused address, the SMTP server stopped mid-month and patients who opt out or decline give clear
messages and lose nothing: the e-mails not sent while the server was down go the next day, each once.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from sijpro.cli import main
from sijpro.contact import ContactDraft
from sijpro.protocol import default_protocol
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import FixedClock
from tests.factories import ANSWERS, copy_clinic_file, operated_patient
from tests.test_remind_send import Inbox, free_port
from tests.trusted import trusted

pytestmark = pytest.mark.slow

N_PATIENTS = 200
TODAY = dt.date.today()
FIRST = TODAY - dt.timedelta(days=31)
"""The month is the 30 days before yesterday's end: the cohort is counted on the real today."""
DAYS = tuple(FIRST + dt.timedelta(days=n) for n in range(30))
SMTP_DOWN = DAYS[12]
OPT_OUT_DAY = DAYS[10]
NURSE, NURSE_PASSWORD = "nina", "nurse password 1"
SURGEON, SURGEON_PASSWORD = "sam", "surgeon password 1"
REFUSED = "bounce"


def w6_opens(index: int) -> dt.date:
    """Patient ``index``'s 6-week window opens between 5 days before the month and its last day."""
    return FIRST + dt.timedelta(days=index % 35 - 5)


def surgery_opening(opens: dt.date) -> dt.date:
    w6 = default_protocol().timepoint("w6")
    surgery = opens - dt.timedelta(days=28)
    while w6.window(surgery)[0] != opens:
        surgery += dt.timedelta(days=1 if w6.window(surgery)[0] < opens else -1)
    return surgery


def contact(index: int) -> ContactDraft:
    """Most agree with no preferred channel; some prefer the phone, some have an address the server refuses,
    some were never asked."""
    mrn = f"M-{index:03d}"
    email = f"{REFUSED}-{index}@example.org" if index % 25 == 7 else f"{mrn.lower()}@example.org"
    consent = None if index % 20 == 13 else True
    channel = "phone" if index % 10 == 9 else ""
    return ContactDraft(f"+33 6 12 34 {index // 100:02d} {index % 100:02d}", email, f"{index} rue X\n69003 Lyon",
                        channel, consent)


def answers_how(index: int) -> str:
    """How (or whether) patient ``index`` answers: at the clinic 3 days after the first e-mail, with the
    paper pack sent back, on the phone when called (at once or the day after an unanswered call), or not:
    they decline on the phone or the number is wrong."""
    if index % 5 == 0:
        return "clinic"
    return ("post", "phone", "phone_later", "no")[index % 4]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("month") / "clinic.sqlite"
    Clinic.init(str(path), clock=FixedClock(FIRST - dt.timedelta(days=90)))
    with trusted(str(path), "set-up", clock=FixedClock(FIRST - dt.timedelta(days=90))) as clinic:
        clinic.settings.save(ClinicSettings(name="Centre du Rachis", address="3 quai Claude Bernard\n69007 Lyon",
                                            phone="+33 4 72 00 00 00"))
        for index in range(N_PATIENTS):
            patient = operated_patient(clinic, f"M-{index:03d}", surgery=surgery_opening(w6_opens(index)),
                                       family_name=f"Patient{index}", given_name="Jo",
                                       language="fr" if index % 3 == 0 else "en")
            clinic.contacts.save(patient.id, contact(index), expected_version=0, reason="")
        clinic.auth.add_user(NURSE, "Nina", "nurse", NURSE_PASSWORD)
        clinic.auth.add_user(SURGEON, "Sam", "surgeon", SURGEON_PASSWORD)
    return path


@dataclass
class Month:
    """What the simulation did, to check the database and the cohort against."""

    answered: dict[str, str] = field(default_factory=dict)
    """MRN -> the mode its 6-week visit was answered in."""
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(address, subject) of each message the server took."""
    due_answers: dict[dt.date, list[tuple[str, int, str]]] = field(default_factory=dict)
    """Day -> (MRN, visit id, mode) of answers that arrive that day."""
    called_once: set[str] = field(default_factory=set)


def remind(capsys, monkeypatch, path: Path, day: dt.date, folder: Path) -> tuple[int, dict, str]:
    monkeypatch.setenv("SIJPRO_PASSWORD", NURSE_PASSWORD)
    status = main(["--db", str(path), "remind", "--date", day.isoformat(), "--letters", str(folder), "--send",
                   "--json", "--user", NURSE])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def cohort(capsys, monkeypatch, path: Path, folder: Path) -> dict:
    monkeypatch.setenv("SIJPRO_PASSWORD", SURGEON_PASSWORD)
    folder.mkdir(exist_ok=True)
    status = main(["--db", str(path), "report", "cohort", "-o", str(folder / "cohort.pdf"),
                   "--json", str(folder / "cohort.json"), "--user", SURGEON])
    assert status == 0, capsys.readouterr().err
    capsys.readouterr()
    return json.loads((folder / "cohort.json").read_text())


def attempts(path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT p.mrn, a.step, a.channel, a.outcome FROM contact_attempts a JOIN patients p ON p.id = a.patient_id "
            "ORDER BY a.id").fetchall()


def start_server(inbox: Inbox, port: int) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def test_a_month_of_follow_up(template, tmp_path, capsys, monkeypatch) -> None:
    path = copy_clinic_file(template, tmp_path / "clinic.sqlite")
    inbox = Inbox()
    refused_addresses = {f"{REFUSED}-{index}@example.org" for index in range(N_PATIENTS) if index % 25 == 7}
    port = free_port()
    monkeypatch.setenv("SIJPRO_SMTP_URL", f"smtp://127.0.0.1:{port}")
    month = Month()
    index_of = {f"M-{index:03d}": index for index in range(N_PATIENTS)}
    checkpoints: list[dict] = []
    controller: Controller | None = start_server(RefusingInbox(inbox, refused_addresses), port)
    try:
        for day in DAYS:
            if day == SMTP_DOWN:
                controller.stop()
                controller = None
            elif controller is None:
                controller = start_server(RefusingInbox(inbox, refused_addresses), port)
            if day == OPT_OUT_DAY:
                opt_out(path, day, [mrn for mrn, index in index_of.items() if index % 20 == 17])
            before = len(inbox.messages)
            status, plan, err = remind(capsys, monkeypatch, path, day, tmp_path / "post" / day.isoformat())
            arrived = inbox.messages[before:]
            check_the_day(day, status, plan, err, arrived=arrived, month=month, index_of=index_of,
                          refused_addresses=refused_addresses)
            take_calls_and_answers(path, day, plan, month, index_of)
            if day in (DAYS[9], DAYS[19], DAYS[-1]):
                checkpoints.append(cohort(capsys, monkeypatch, path, tmp_path / f"cohort-{day.isoformat()}"))
    finally:
        if controller is not None:
            controller.stop()

    # every e-mail went exactly once; the server refused the bad addresses and nothing else
    assert month.sent and max(month.sent.values()) == 1
    made = attempts(path)
    emails = [a for a in made if a[2] == "email"]
    by_rung: dict[tuple[str, str], list[str]] = {}
    for mrn, step, _channel, outcome in emails:
        by_rung.setdefault((mrn, step), []).append(outcome)
    # a rung is sent once, refused for good, or failed while the server went away and sent the next day
    assert set(map(tuple, by_rung.values())) <= {("sent",), ("refused",), ("failed", "sent")}, Counter(
        map(tuple, by_rung.values()))
    assert sum(1 for a in emails if a[3] == "sent") == len(inbox.messages) == sum(month.sent.values())
    bad = {f"M-{i:03d}" for i in range(N_PATIENTS) if i % 25 == 7}
    assert {a[0] for a in emails if a[3] == "refused"} == {a[0] for a in emails if a[0] in bad} != set()
    assert all(a[3] == "refused" for a in emails if a[0] in bad)
    # nobody without consent was contacted, nor anyone after opting out
    never = {f"M-{i:03d}" for i in range(N_PATIENTS) if i % 20 == 13}
    assert never.isdisjoint(a[0] for a in made)

    # the cohort: answers rise, each counted; the contacts counted match the contacts made
    answered = [c["completeness"]["w6"]["answered"] for c in checkpoints]
    assert answered == sorted(answered) and answered[0] < answered[-1]
    final = checkpoints[-1]["completeness"]["w6"]
    assert final["answered"] == len(month.answered)
    assert final["eligible"] == N_PATIENTS
    contacts = final["contacts"]
    assert contacts["answered"]["visits"] + contacts["lost"]["visits"] == N_PATIENTS
    for channel in ("email", "post", "phone"):
        assert (contacts["answered"]["by_channel"][channel] + contacts["lost"]["by_channel"][channel]
                == sum(1 for a in made if a[2] == channel)), channel
    assert contacts["answered"]["contacts"] + contacts["lost"]["contacts"] == len(made)
    with sqlite3.connect(path) as connection:
        stored = dict(connection.execute(
            "SELECT p.mrn, min(r.mode) FROM responses r JOIN visits v ON v.id = r.visit_id JOIN patients p "
            "ON p.id = v.patient_id WHERE v.timepoint = 'w6' AND r.completed_at IS NOT NULL GROUP BY p.mrn"))
    assert stored == month.answered
    assert set(month.answered.values()) == {"paper", "post", "phone"}
    assert main(["--db", str(path), "verify"]) == 0, capsys.readouterr().err


class RefusingInbox(Inbox):
    """The month's server: takes every message, refuses the bad addresses for good (550)."""

    def __init__(self, kept: Inbox, refused: set[str]) -> None:
        super().__init__()
        self.messages = kept.messages
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802  # aiosmtpd's hook
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def opt_out(path: Path, day: dt.date, mrns: list[str]) -> None:
    with trusted(str(path), NURSE, clock=FixedClock(day)) as clinic:
        for mrn in mrns:
            patient = clinic.patients.by_mrn(mrn)
            details = clinic.contacts.get(patient.id)
            clinic.contacts.save(patient.id, replace(details.draft(), consent=False),
                                 expected_version=details.row_version, reason="asked not to be contacted")


def check_the_day(day, status, plan, err, *, arrived, month: Month, index_of, refused_addresses) -> None:
    sent = plan["send"]["sent"]
    if day == SMTP_DOWN:
        assert status == 1 and "cannot reach the SMTP server 127.0.0.1" in err, err
        assert "will be tried again at the next run" in err and not arrived and not sent
        assert plan["email"], "no e-mail was due on the day the server was down"
        return
    refused = plan["send"]["refused"]
    assert status == (1 if refused else 0), err
    assert all(entry["to"] in refused_addresses for entry in refused)
    if refused:
        assert "address(es) refused" in err
    assert sorted(str(m["To"]) for m in arrived) == sorted(entry["to"] for entry in sent)
    for message in arrived:
        month.sent[(str(message["To"]), str(message["Subject"]))] += 1
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert not any(word in body for word in ("Oswestry", "ODI", "SF-12", "pain", "douleur", "fusion")), body
        mrn = str(message["To"]).split("@")[0].upper()
        assert mrn not in month.answered, f"{mrn} chased after answering"
    for entry in (*sent, *plan["post"], *plan["phone"]):
        index = index_of[entry["mrn"]]
        assert contact(index).consent is True and not (index % 20 == 17 and day >= OPT_OUT_DAY), entry
    for entry in plan["skipped"]:
        index = index_of[entry["mrn"]]
        if index % 20 == 13:
            assert entry["skipped"] == "no_consent"
        elif index % 20 == 17 and day >= OPT_OUT_DAY:
            assert entry["skipped"] == "declined"
    # every letter written opens its visit through its code
    for letter in plan["letters"]["written"]:
        assert Path(plan["letters"]["folder"], letter["file"]).stat().st_size > 0
        assert letter["mrn"] not in month.answered


def take_calls_and_answers(path: Path, day: dt.date, plan: dict, month: Month, index_of) -> None:
    """The nurse records each call's outcome (reached: the answers taken then, in mode phone); the answers
    due today arrive (forms at the clinic, paper packs back by their code); the phone list is then empty."""
    with trusted(str(path), NURSE, clock=FixedClock(day)) as clinic:
        for letter in plan["letters"]["written"]:
            found = clinic.letters.lookup(letter["code"])
            assert found.visit.id == letter["visit_id"] and found.patient.mrn == letter["mrn"]
            if answers_how(index_of[letter["mrn"]]) == "post" and letter["new"]:
                month.due_answers.setdefault(day + dt.timedelta(days=4), []).append(
                    (letter["mrn"], letter["visit_id"], "post:" + letter["code"]))
        for entry in plan["send"]["sent"]:
            if entry["step"] == "email_1" and answers_how(index_of[entry["mrn"]]) == "clinic":
                month.due_answers.setdefault(day + dt.timedelta(days=3), []).append(
                    (entry["mrn"], entry["visit_id"], "paper"))
        for entry in plan["phone"]:
            how = answers_how(index_of[entry["mrn"]])
            if how == "phone" or (how == "phone_later" and entry["mrn"] in month.called_once):
                clinic.reminders.record_call(entry["visit_id"], entry["step"], "reached")
                enter(clinic, entry["visit_id"], day, "phone")
                month.answered[entry["mrn"]] = "phone"
            elif how == "phone_later":
                clinic.reminders.record_call(entry["visit_id"], entry["step"], "no_answer")
                month.called_once.add(entry["mrn"])
            else:
                clinic.reminders.record_call(entry["visit_id"], entry["step"],
                                             "declined" if index_of[entry["mrn"]] % 8 == 3 else "wrong_number")
        for mrn, planned_visit, how in month.due_answers.pop(day, []):
            if mrn in month.answered:
                continue
            # a paper pack comes back: its code, typed at the desk, opens the visit
            visit_id = clinic.letters.lookup(how.removeprefix("post:")).visit.id if how.startswith("post:") \
                else planned_visit
            assert visit_id == planned_visit
            enter(clinic, visit_id, day - dt.timedelta(days=1), how.split(":")[0])
            month.answered[mrn] = how.split(":")[0]
        assert clinic.reminders.plan(day).of("phone") == (), "a call left open"


def enter(clinic, visit_id: int, form_date: dt.date, mode: str) -> None:
    instruments = default_protocol().timepoint("w6").instruments
    clinic.collection.enter_paper(visit_id, {code: ANSWERS[code] for code in instruments}, form_date, mode=mode)
