"""Signing in (right, wrong, locked out), idle lock keeping the window's state, and what each role sees."""

from __future__ import annotations

import pytest

from tests.ui.staff.conftest import sign_in

pytestmark = pytest.mark.gui


WRONG = ("Wrong username or password. After 5 failed attempts in a row an account is locked for 5 minutes: "
         "wait, or ask an administrator.")


def test_the_window_starts_on_the_sign_in_screen_with_nothing_behind_it(make_window) -> None:
    window = make_window()
    assert window.stack.currentWidget() is window.login
    assert window.workspace is None and not window.menuBar().isVisible()
    assert window.login.title.text() == "Clinique du Parc"


def test_a_good_password_opens_the_nurses_worklist_and_names_her_in_the_audit_trail(make_window, staff_clinic):
    window = make_window()
    sign_in(window, "nina")
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.current_key() == "worklist"
    assert "Nina Nurse (nurse)" in window.status.text()
    assert window.session.actor == "nina" and window.workspace.clinic is window.session
    assert staff_clinic.actor == "staff"  # the open database itself still acts as nobody


def test_a_wrong_password_is_one_clear_sentence_and_the_password_is_cleared(make_window) -> None:
    window = make_window()
    sign_in(window, "nina", "not her password")
    assert window.user is None and window.stack.currentWidget() is window.login
    assert window.login.message.text() == WRONG
    assert window.login.password.text() == ""
    sign_in(window, "nobody", "whatever it is")
    assert window.login.message.text() == WRONG  # never says who exists


def test_repeated_failures_lock_the_account_out_in_the_same_words_as_any_failure(make_window) -> None:
    window = make_window()
    for _ in range(5):
        sign_in(window, "nina", "wrong guess 123")
        assert window.login.message.text() == WRONG
    sign_in(window, "nina")  # even the right password waits, and is told what any failure is told
    assert window.user is None and window.login.message.text() == WRONG


def test_idle_time_locks_back_to_sign_in_and_the_same_user_finds_the_window_as_left(signed_in, qtbot, ids):
    window = signed_in("nina", idle_seconds=0.3)
    patients = window.workspace.open_page("patients")
    patients.show_patient(ids["K-002"])
    patients.search.setText("Smith")
    workspace = window.workspace
    qtbot.waitUntil(lambda: window.user is None, timeout=3000)
    assert window.stack.currentWidget() is window.login
    assert not window.menuBar().isVisible()
    assert window.login.username.text() == "nina" and window.login.password.text() == ""
    assert "locked after a while without use" in window.login.notice.text()
    assert window.clinic.actor == "staff"  # what happens at a locked desk is not nina's doing
    session = window.session
    sign_in(window, "nina")
    assert window.session is session and session.actor == "nina"
    assert window.workspace is workspace and window.workspace.current_key() == "patients"
    assert patients.record.patient.mrn == "K-002" and patients.search.text() == "Smith"


def test_someone_else_signing_in_after_a_lock_gets_a_fresh_workspace_of_their_own(signed_in) -> None:
    window = signed_in("nina")
    nurse_workspace = window.workspace
    window.menus.lock_action.trigger()
    sign_in(window, "sam")
    assert window.workspace is not nurse_workspace
    assert window.workspace.user.username == "sam"


def test_locking_closes_dialogs_that_may_show_a_patient(signed_in, qtbot, ids) -> None:
    from ui.staff.patient_dialog import PatientDialog

    window = signed_in("nina")
    dialog = PatientDialog(window.session, window.session.patients.get(ids["K-001"]), window)
    dialog.show()
    window.lock()
    assert not dialog.isVisible()


def test_a_nurse_sees_daily_work_only(signed_in) -> None:
    window = signed_in("nina")
    assert window.workspace.keys == ["worklist", "patients", "paper", "followup"]
    assert set(window.menus.actions_by_name()) == {"kioskMode", "lock", "signOut", "quit", "find", "printPage",
                                                   "pageHelp", "about"}
    record = window.workspace.open_page("patients").record
    assert set(record.buttons) == {"edit", "procedure", "reschedule", "paper", "hand_over", "invite"}


def test_a_surgeon_and_an_admin_see_more_but_never_a_page_that_is_not_installed(signed_in) -> None:
    from ui.staff.pages import PAGES

    installed = {entry.key for entry in PAGES if entry.available()}
    surgeon = signed_in("sam")
    assert set(surgeon.workspace.keys) == installed & {"worklist", "patients", "paper", "followup", "dashboard",
                                                      "cohort", "reports"}
    admin = signed_in("ada")
    assert set(admin.workspace.keys) == installed
    for key in admin.workspace.keys:  # every listed page really opens
        assert admin.workspace.open_page(key) is not None


def test_sign_out_forgets_the_workspace(signed_in) -> None:
    window = signed_in("nina")
    window.menus.sign_out_action.trigger()
    assert window.workspace is None and window.user is None
    assert window.login.username.text() == ""
