"""The desk's "Invite to answer at home" on the patient record, driven with real clicks and key presses: a
new link and code shown to be copied (the clipboard holds them, and they open the patient's door), the
invitation listed, revoked with a reason (none given: refused at the form), the server's own link while the
clinic has no web address, a refusal worded for the desk, and no button for a role without the capability."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from sijpro.services.context import FixedClock
from sijpro.services.invitations import WebDoor
from tests.factories import patient_draft
from tests.trusted import as_system
from tests.ui.staff.clicks import click, click_row
from tests.ui.staff.setup import TODAY
from ui.staff.invitation_dialog import InvitationDialog

pytestmark = pytest.mark.gui
WEB = "https://prom.example.org"


def open_record(window, mrn: str):
    page = window.workspace.open_page("patients")
    QTest.keyClicks(page.search, mrn)
    page.run_search()
    click_row(page.results, 0)
    assert page.record.patient.mrn == mrn
    return page.record


def while_open(act: Callable[[InvitationDialog], None], seen: list[object]) -> None:
    """Run ``act`` on the invitation dialog once it is up (it is modal), then close it with a click."""

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, InvitationDialog):
            QTimer.singleShot(20, drive)
            return
        try:
            act(dialog)
        except BaseException as error:  # raised in a Qt slot: carried back to the test
            seen.append(error)
        click(dialog.buttons.buttons()[0])

    QTimer.singleShot(0, drive)


def test_invite_copy_and_revoke_from_the_record(signed_in, staff_clinic, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SIJPRO_WEB_URL", WEB)
    record = open_record(signed_in("nina"), "K-002")
    seen: list[object] = []
    shown: dict[str, str] = {}

    def invite(dialog: InvitationDialog) -> None:
        assert dialog.listing.text() == "No invitation yet."
        click(dialog.new_button)
        shown["link"], shown["code"] = dialog.link.text(), dialog.code.text()
        click(dialog.copy_link)
        shown["clipboard_link"] = QApplication.clipboard().text()
        click(dialog.copy_code)
        shown["clipboard_code"] = QApplication.clipboard().text()
        shown["listing"] = dialog.listing.text()
        shown["until"] = dialog.until.text()
        shown["new_button"] = dialog.new_button.text()
        assert dialog.grab().save(str(tmp_path / "invite-desk.png"))

    while_open(invite, seen)
    click(record.buttons["invite"])
    assert not seen, seen
    assert shown["link"].startswith(f"{WEB}/v/") and shown["clipboard_link"] == shown["link"]
    assert shown["clipboard_code"] == shown["code"] and len(shown["code"]) == 11
    assert shown["listing"].startswith("m3: not opened yet (made 2024-06-03 by nina, opens until ")
    assert shown["until"] and shown["new_button"] == "New invitation (replaces the one before)"
    door = WebDoor(staff_clinic.database, FixedClock(TODAY))
    assert door.look(shown["link"].rsplit("/", 1)[1]).status == "needs_birth_date"
    assert door.look(shown["code"]).status == "needs_birth_date"

    def revoke(dialog: InvitationDialog) -> None:
        assert "not opened yet" in dialog.listing.text()
        shown["again"] = f"{dialog.link.text()} {dialog.code.text()} {dialog.issued_box.isVisible()}"
        click(dialog.revoke_button)  # no reason yet
        shown["refused"] = dialog.form.problem("reason")
        dialog.reason.setFocus()
        QTest.keyClicks(dialog.reason, "patient prefers paper")
        click(dialog.revoke_button)
        shown["after"] = dialog.listing.text()
        shown["revoke_enabled"] = str(dialog.revoke_button.isEnabled())

    while_open(revoke, seen)
    click(record.buttons["invite"])
    assert not seen, seen
    assert shown["again"] == f"{shown['link']} {shown['code']} True"  # opened again: the same link and code
    assert shown["refused"] == "Say why you make this change: it is kept in the audit trail."
    assert shown["after"].startswith("m3: revoked") and shown["revoke_enabled"] == "False"
    assert door.look(shown["code"]).status == "revoked"
    (listed,) = as_system(staff_clinic).invitations.for_patient(record.patient.id)
    assert (listed.revoked_reason, listed.state) == ("patient prefers paper", "revoked")


def test_without_a_web_address_the_link_is_the_servers_own_and_the_dialog_says_so(signed_in, staff_clinic,
                                                                                    monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_WEB_URL", raising=False)
    record = open_record(signed_in("nina"), "K-003")
    seen: list[object] = []
    shown: dict[str, str] = {}

    def invite(dialog: InvitationDialog) -> None:
        click(dialog.new_button)
        shown["link"], shown["note"] = dialog.link.text(), dialog.local_only.text()
        shown["note_visible"] = str(dialog.local_only.isVisible())

    while_open(invite, seen)
    click(record.buttons["invite"])
    assert not seen, seen
    assert shown["link"].startswith("http://127.0.0.1:8080/v/") and shown["note_visible"] == "True"
    assert shown["note"].startswith("The clinic's web address is not set, so this link opens only on the server")


def test_a_refusal_is_said_in_the_desk_words_and_nothing_is_made(signed_in, staff_clinic, monkeypatch) -> None:
    monkeypatch.setenv("SIJPRO_WEB_URL", WEB)
    as_system(staff_clinic).patients.register(patient_draft("K-NEW"), confirm_duplicate=True)  # no surgery yet
    record = open_record(signed_in("nina"), "K-NEW")
    seen: list[object] = []
    shown: dict[str, str] = {}

    def invite(dialog: InvitationDialog) -> None:
        click(dialog.new_button)
        shown["error"] = dialog.form.general.text()
        shown["result_visible"] = str(dialog.issued_box.isVisible())

    while_open(invite, seen)
    click(record.buttons["invite"])
    assert not seen, seen
    assert shown["error"] == "No visit of this patient is open to answering today (due or overdue).", shown["error"]
    assert shown["result_visible"] == "False"
    assert as_system(staff_clinic).invitations.for_patient(record.patient.id) == []


def test_a_surgeon_has_it_too_and_the_button_follows_the_capability(signed_in) -> None:
    record = open_record(signed_in("sam"), "K-001")
    assert record.buttons["invite"].text() == "Invite to answer at home…"

