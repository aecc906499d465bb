"""The reminder ladder as protocol data (checked as a whole) and the day's plan: the latest rung whose day
has come, once, for collectable visits only, skipped with its reason when consent, channel or details say
no; ``sijpro remind`` signed in, with its exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.contact import ContactDetails
from sijpro.errors import UserError
from sijpro.protocol import ProtocolError, check_protocol, default_protocol, parse_protocol
from sijpro.reminders import ChasedVisit, ReminderStep, day_plan

DAY = dt.date(2024, 6, 3)
OPENED = DAY - dt.timedelta(days=15)
LADDER = (ReminderStep("email_1", "email", 0), ReminderStep("email_2", "email", 7),
          ReminderStep("letter", "post", 14), ReminderStep("call", "phone", 21))
EVERYTHING = ContactDetails(1, "06 12 34 56 78", "+33612345678", "a@example.org", "1 rue X", "", True, 1)


def plan(visits, contacts, made=None, declined=frozenset()):
    return day_plan(DAY, visits, lambda _timepoint: LADDER, contacts, made or {}, declined=declined)


def visit(state="due", opened=OPENED, patient_id=1, visit_id=10) -> ChasedVisit:
    return ChasedVisit(visit_id, patient_id, "m3", state, opened)


def with_(**fields) -> ContactDetails:
    values = {name: getattr(EVERYTHING, name) for name in EVERYTHING.__slots__} | fields
    return ContactDetails(**values)


def test_the_default_protocol_carries_a_ladder_and_keeps_it_through_a_stored_version() -> None:
    protocol = default_protocol()
    assert [step.code for step in protocol.ladder("m12")] == ["email_1", "email_2", "letter", "call"]
    assert protocol.ladder("baseline") == ()
    assert parse_protocol(protocol.to_mapping()) == protocol
    check_protocol(protocol)


@pytest.mark.parametrize(("reminders", "message"), [
    ({"m7": []}, "reminders.m7: not a timepoint of this protocol"),
    ({"default": [{"step": "x", "channel": "fax", "day": 0}]}, "field 'channel': 'fax' is not one of"),
    ({"default": [{"step": "x", "channel": "email", "day": -1}]}, "field 'day': -1 is not a whole number"),
    ({"default": [{"step": "Bad code", "channel": "email", "day": 0}]}, "field 'step': 'Bad code'"),
    ({"default": [{"step": "a", "channel": "email", "day": 7}, {"step": "b", "channel": "post", "day": 7}]},
     "reminders.default[2], field 'day': steps must come in increasing order of day (7 is not after 7)"),
    ({"default": [{"step": "a", "channel": "email", "day": 0}, {"step": "a", "channel": "post", "day": 9}]},
     "field 'step': a appears twice"),
    ({"default": [{"step": "a", "channel": "email", "day": 0, "when": 3}]}, "field 'when': not a field"),
])
def test_a_bad_ladder_is_refused_naming_the_step_and_field(reminders, message) -> None:
    mapping = default_protocol().to_mapping() | {"reminders": reminders}
    with pytest.raises(ProtocolError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_protocol(mapping, "protocol")


def test_a_rung_after_the_visit_stops_being_collected_is_refused_as_a_whole() -> None:
    mapping = default_protocol().to_mapping()
    mapping["reminders"] = {"default": [{"step": "late_call", "channel": "phone", "day": 59}]}
    with pytest.raises(ProtocolError, match="timepoint w6, field 'reminders': step late_call on day 59 comes "
                                            r"after the visit stops being collected \(day 58"):
        check_protocol(parse_protocol(mapping))
    mapping["reminders"]["default"][0]["day"] = 58
    check_protocol(parse_protocol(mapping))


def test_the_latest_rung_whose_day_has_come_is_made_once() -> None:
    assert [(p.step, p.days_open, p.skipped) for p in plan([visit()], {1: EVERYTHING})] == [("letter", 15, None)]
    assert plan([visit()], {1: EVERYTHING}, made={10: {"letter"}}) == []
    assert [p.step for p in plan([visit()], {1: EVERYTHING}, made={10: {"email_1"}})] == ["letter"]
    assert [p.step for p in plan([visit(opened=DAY)], {1: EVERYTHING})] == ["email_1"]
    assert plan([visit(opened=DAY + dt.timedelta(days=1))], {1: EVERYTHING}) == []


@pytest.mark.parametrize("state", ["completed", "cancelled", "missed", "upcoming", "scheduled"])
def test_only_collectable_visits_are_chased(state: str) -> None:
    assert plan([visit(state=state)], {1: EVERYTHING}) == []
    assert len(plan([visit(state="overdue")], {1: EVERYTHING})) == 1


@pytest.mark.parametrize(("contact", "opened_days", "reason"), [
    (None, 0, "no_consent"),
    (with_(consent=None), 0, "no_consent"),
    (with_(consent=False), 0, "declined"),
    (with_(channel="none"), 21, "declined"),
    (with_(email=""), 0, "no_email"),
    (with_(address=""), 14, "no_address"),
    (with_(phone_e164=""), 21, "no_phone"),
    (with_(channel="post"), 7, "prefers_other"),
    (with_(channel="phone"), 14, "prefers_other"),
    (with_(channel="post"), 14, None),
    (with_(channel="phone"), 21, None),
    (with_(channel="email"), 14, None),
])
def test_consent_channel_and_details_decide_whether_a_rung_is_made(contact, opened_days, reason) -> None:
    contacts = {} if contact is None else {1: contact}
    found = plan([visit(opened=DAY - dt.timedelta(days=opened_days))], contacts)
    assert [p.skipped for p in found] == [reason]


def test_a_patient_who_declined_when_contacted_is_not_chased_again() -> None:
    assert [p.skipped for p in plan([visit()], {1: EVERYTHING}, declined={1})] == ["declined"]


def test_remind_json_lists_the_plan_of_the_day(clinic_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SIJPRO_PASSWORD", "nurse password 1")
    assert main(["--db", str(clinic_path), "remind", "--date", DAY.isoformat(), "--json", "--user", "nina"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["date"] == DAY.isoformat()
    assert shown["counts"] == {"email": 2, "post": 1, "phone": 1, "skipped": 1, "undelivered": 0}
    assert [(e["mrn"], e["step"], e["to"]) for e in shown["email"]] == [
        ("R-8", "email_2", "r-8@example.org"), ("R-0", "email_1", "r-0@example.org")]
    assert [(e["mrn"], e["step"], e["to"], e["timepoint"], e["state"]) for e in shown["post"] + shown["phone"]] == [
        ("R-15", "letter", "1 rue X\n69003 Lyon", "m3", "due"), ("R-22", "call", "+33612345678", "m3", "due")]
    assert [(e["mrn"], e["skipped"]) for e in shown["skipped"]] == [("R-NO", "no_consent")]
    assert main(["--db", str(clinic_path), "remind", "--date", DAY.isoformat(), "--user", "nina"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"Contact plan for {DAY.isoformat()}: 2 e-mail(s), 1 letter(s), 1 call(s), 1 skipped")
    assert "consent to be contacted not recorded" in text


def test_remind_exit_codes(clinic_path: Path, capsys, monkeypatch) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["--db", str(clinic_path), "remind", "--date", "2024-02-30"])
    assert usage.value.code == 2
    assert "not a date" in capsys.readouterr().err
    assert main(["--db", str(clinic_path), "remind"]) == 1
    assert "sign in" in capsys.readouterr().err
    monkeypatch.setenv("SIJPRO_PASSWORD", "wrong password")
    assert main(["--db", str(clinic_path), "remind", "--user", "nina"]) == 1
    assert "wrong username or password" in capsys.readouterr().err


def test_made_outcomes_match_the_unique_index_that_keeps_a_rung_made_once() -> None:
    from sijpro.reminders import MADE_OUTCOMES
    from sijpro.storage.models import MADE_CONDITION

    assert set(MADE_CONDITION.removeprefix("outcome IN (").removesuffix(")").replace("'", "").split(", ")) \
        == MADE_OUTCOMES


def test_a_call_not_answered_comes_back_tomorrow_and_a_call_back_on_its_day(clinic_path: Path) -> None:
    from sijpro.services.clinic import Clinic
    from sijpro.services.context import FixedClock

    with Clinic.open(str(clinic_path), clock=FixedClock(DAY)) as opened:
        nurse = opened.sign_in("nina", "nurse password 1")
        call = nurse.reminders.plan(DAY).of("phone")[0]
        assert call.patient.mrn == "R-22" and call.step.step == "call"
        nurse.reminders.record_call(call.visit.id, "call", "no_answer")
        assert nurse.reminders.plan(DAY).of("phone") == ()
        assert [e.patient.mrn for e in nurse.reminders.plan(DAY + dt.timedelta(days=1)).of("phone")] == ["R-22"]
        with pytest.raises(UserError, match="field 'call_back_on': a call back needs a day after today"):
            nurse.reminders.record_call(call.visit.id, "call", "call_back", call_back_on=DAY)
        nurse.reminders.record_call(call.visit.id, "call", "call_back", call_back_on=DAY + dt.timedelta(days=3))
        assert nurse.reminders.plan(DAY + dt.timedelta(days=2)).of("phone") == ()
        assert len(nurse.reminders.plan(DAY + dt.timedelta(days=3)).of("phone")) == 1
        nurse.reminders.record_call(call.visit.id, "call", "reached", note="answered at once")
        assert nurse.reminders.plan(DAY + dt.timedelta(days=3)).of("phone") == ()
        with pytest.raises(UserError, match="already recorded"):
            nurse.reminders.record_call(call.visit.id, "call", "wrong_number")
        with pytest.raises(UserError, match="is not a phone call of the m3 ladder"):
            nurse.reminders.record_call(call.visit.id, "letter", "reached")
        with pytest.raises(UserError, match="field 'outcome'"):
            nurse.reminders.record_call(call.visit.id, "call", "busy")
        outcomes = [(a.outcome, a.by, a.call_back_on) for a in nurse.reminders.attempts_of(call.patient.id)]
        assert outcomes == [("no_answer", "nina", DAY + dt.timedelta(days=1)),
                            ("call_back", "nina", DAY + dt.timedelta(days=3)), ("reached", "nina", None)]
        # the answers taken on that call: mode phone, through paper entry
        answers = {"lumbar": 3, "radicular": 2}
        [response] = nurse.collection.enter_paper(call.visit.id, {"nrs": answers}, DAY, mode="phone")
        assert response.mode == "phone"
        with pytest.raises(UserError, match="field 'mode'"):
            nurse.collection.enter_paper(call.visit.id, {"nrs": answers}, DAY, mode="fax")


def test_a_patient_who_declines_on_the_phone_is_not_chased_again(clinic_path: Path) -> None:
    from sijpro.services.clinic import Clinic
    from sijpro.services.context import FixedClock

    with Clinic.open(str(clinic_path), clock=FixedClock(DAY)) as opened:
        nurse = opened.sign_in("nina", "nurse password 1")
        call = nurse.reminders.plan(DAY).of("phone")[0]
        nurse.reminders.record_call(call.visit.id, "call", "declined")
        assert "R-22" not in [entry.patient.mrn for entry in nurse.reminders.plan(DAY + dt.timedelta(days=1)).entries]
        m6 = nurse.reminders.plan(DAY + dt.timedelta(days=75))  # R-22's m6 window is open by then
        assert "R-22" not in [entry.patient.mrn for entry in m6.entries]
        assert [(e.visit.timepoint, e.step.skipped) for e in m6.skipped if e.patient.mrn == "R-22"] == [
            ("m6", "declined")]
