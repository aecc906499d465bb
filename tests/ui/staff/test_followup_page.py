"""The desk's follow-up contacts: the day's plan with its skipped steps, the "To call" list, a call's outcome
recorded with real clicks (no answer: gone until tomorrow; reached: paper entry opens to take the answers
by phone), and the day's e-mails sent in the background to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from PySide6.QtCore import Qt

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.factories import copy_clinic_file
from tests.reminder_clinic import DAY, NURSE
from tests.test_remind_send import Inbox, free_port
from tests.ui.staff.clicks import click, click_row
from ui.staff.call_dialog import CallDialog
from ui.staff.followup_page import FollowUpPage
from ui.staff.patient_record import PatientRecordView

pytestmark = pytest.mark.gui


@pytest.fixture
def page(reminder_template: Path, tmp_path: Path, qtbot):
    path = copy_clinic_file(reminder_template, tmp_path / "clinic.sqlite")
    with Clinic.open(str(path), clock=FixedClock(DAY)) as clinic:
        session = clinic.session(NURSE)
        shown = FollowUpPage(session, session.user)
        qtbot.addWidget(shown)
        shown.resize(1300, 700)
        shown.show()
        qtbot.waitExposed(shown)
        yield shown


def driven_call(monkeypatch, outcome: str) -> list[CallDialog]:
    """The call dialog, when it opens, gets ``outcome`` clicked and then Record."""
    seen: list[CallDialog] = []

    def exec_(dialog: CallDialog) -> int:
        dialog.show()
        seen.append(dialog)
        click(dialog.outcomes[outcome])
        click(dialog.ok)
        return int(dialog.result())

    monkeypatch.setattr(CallDialog, "exec", exec_)
    return seen


def rows(page: FollowUpPage) -> list[tuple[str, str, str]]:
    model = page.model
    return [(model.record(row).entry.patient.mrn, model.record(row).entry.step.step, model.record(row).status)
            for row in range(model.rowCount())]


def test_the_plan_and_a_call_not_answered(page, monkeypatch, qtbot) -> None:
    assert sorted(rows(page)) == [("R-0", "email_1", ""), ("R-15", "letter", ""), ("R-22", "call", ""),
                                  ("R-8", "email_2", ""), ("R-NO", "letter", "no_consent")]
    assert page.summary.text() == (f"Plan for {DAY.isoformat()}: 2 e-mail(s), 1 letter(s), 1 call(s); 1 skipped, "
                                   "0 not delivered.")
    assert page.view_buttons["phone"].text() == "To call (1)"
    click(page.view_buttons["phone"])
    assert rows(page) == [("R-22", "call", "")]
    assert not page.call_button.isEnabled()
    click_row(page.table, 0)
    seen = driven_call(monkeypatch, "no_answer")
    click(page.call_button)
    assert seen and seen[0].saved is not None and seen[0].saved.outcome == "no_answer"
    assert rows(page) == [] and page.view_buttons["phone"].text() == "To call (0)"
    attempts = page.clinic.reminders.attempts_of(seen[0].entry.patient.id)
    assert [(a.outcome, a.by) for a in attempts] == [("no_answer", NURSE)]
    # the patient's record shows the details and the contact made
    record = PatientRecordView(page.clinic, page.user)
    qtbot.addWidget(record)
    record.show_patient(seen[0].entry.patient.id)
    assert record.contacts_box.isVisibleTo(record)
    assert "Phone: +33 6 12 34 56 78 (+33612345678)" in record.contact_details.text()
    assert "Agrees to be contacted: Yes" in record.contact_details.text()
    assert record.contact_history.text().endswith("Call  m3 call: no answer  (nina)")


def test_a_patient_reached_answers_by_phone_in_paper_entry(page, monkeypatch, qtbot) -> None:
    click(page.view_buttons["phone"])
    click_row(page.table, 0)
    driven_call(monkeypatch, "reached")
    with qtbot.waitSignal(page.paper_entry_requested, timeout=5000) as opened:
        click(page.call_button)
    assert opened.args == [page.clinic.patients.by_mrn("R-22").id]


def test_the_days_emails_are_sent_in_the_background(page, monkeypatch, qtbot) -> None:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setenv("SIJPRO_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        page.refresh()
        click(page.send_button)
        qtbot.waitUntil(lambda: page.summary.text().startswith("Sent 2 e-mail(s)"), timeout=20000)
    finally:
        controller.stop()
    assert inbox.to() == ["r-0@example.org", "r-8@example.org"]
    assert ("R-0", "email_1", "") not in rows(page) and not page.send_button.isEnabled()


def test_a_call_declined_at_the_desk_shows_on_the_timeline_and_stops_the_ladder(
        page, monkeypatch, qtbot, tmp_path, capsys) -> None:
    """End to end: the nurse records 'declined' in the call dialog with real clicks; the patient's timeline
    shows that contact beside its visit; ``sijpro remind --json`` plans nothing more for the patient and
    says why, on the day after and when the next visit's window has opened. A patient who withdraws
    consent on their details (an opt-out) is left alone the same way."""
    from sijpro.cli import main

    click(page.view_buttons["phone"])
    click_row(page.table, 0)
    driven_call(monkeypatch, "declined")
    click(page.call_button)
    declined = page.clinic.patients.by_mrn("R-22")
    record = PatientRecordView(page.clinic, page.user)
    qtbot.addWidget(record)
    record.resize(1200, 800)
    record.show()
    qtbot.waitExposed(record)
    record.show_patient(declined.id)
    model = record.timeline.model
    contacts_column = model.columnCount() - 1
    assert model.headerData(contacts_column, Qt.Orientation.Horizontal) == "Contacts"
    cells = {model.index(row, 0).data(): model.index(row, contacts_column).data() for row in range(model.rowCount())}
    assert cells["3 months"].startswith(f"{DAY.isoformat()} ") and cells["3 months"].endswith(
        "  Call  call: declined further reminders  (nina)")
    assert cells["6 months"] == "" and cells["6 weeks"] == ""

    # an opt-out: R-0 withdraws consent on the details kept for them
    opted_out = page.clinic.patients.by_mrn("R-0")
    details = page.clinic.contacts.get(opted_out.id)
    page.clinic.contacts.save(opted_out.id, replace(details.draft(), consent=False),
                              expected_version=details.row_version, reason="patient opted out")

    monkeypatch.setenv("SIJPRO_PASSWORD", "nurse password 1")
    # R-22's m3 the next day and when its m3 ladder's last rung has long come, its m6 once open; R-0's m3
    # on the day its second e-mail would go and when its call would come
    for days, left_alone in ((1, ("R-22", "R-0")), (7, ("R-22", "R-0")), (21, ("R-22", "R-0")), (75, ("R-22",))):
        day = DAY + dt.timedelta(days=days)
        assert main(["--db", str(tmp_path / "clinic.sqlite"), "remind", "--date", day.isoformat(), "--user", NURSE,
                     "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        planned = [entry["mrn"] for channel in ("email", "post", "phone") for entry in shown[channel]]
        skipped = {entry["mrn"]: entry["skipped"] for entry in shown["skipped"]}
        for mrn in left_alone:
            assert mrn not in planned and skipped.get(mrn) == "declined", (day, mrn, planned, skipped)
