"""First start: the wizard on a new database (administrator and clinic name, or the demo clinic), the
passphrase of an encrypted one, and the sign-in screen on a database already set up."""

from __future__ import annotations

import functools

import pytest
from PySide6.QtWidgets import QWizard

from sijpro.demo import sandbox
from sijpro.errors import UserError
from sijpro.services.clinic import Clinic
from sijpro.storage.encryption import encrypt_database
from tests.ui.staff.clicks import click
from tests.ui.staff.conftest import sign_in
from tests.ui.staff.setup import PASSWORD, TODAY
from ui.staff.first_run import FirstRunWizard
from ui.staff.main_window import StaffWindow
from ui.staff.passphrase import PassphraseDialog
from ui.staff.start import StaffStart

pytestmark = pytest.mark.gui


@pytest.fixture
def start(tmp_path, qtbot):
    from sijpro.services.context import FixedClock

    def make(path) -> StaffStart:
        starter = StaffStart(str(path), clock=FixedClock(TODAY), demo_path=tmp_path / "demo.sqlite")
        window = starter.first_window()
        qtbot.addWidget(window)
        window.show()
        return starter

    return make


def test_a_new_database_opens_the_wizard_which_checks_every_field(start, tmp_path, qtbot) -> None:
    path = tmp_path / "clinic.sqlite"
    starter = start(path)
    wizard = starter.window
    assert isinstance(wizard, FirstRunWizard) and not path.exists()
    wizard.next()
    page = wizard.account_page
    assert page.strength.text().startswith("At least 10 characters")
    page.username.setText("Alice Admin")
    page.password.setText("short")
    assert page.strength.text() == "Use at least 10 characters."
    page.repeated.setText("short")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert page.form.problem("username") == "Use 2 to 64 lower-case letters, digits, '.', '_' or '-'."
    assert page.form.problem("full_name") == "Required."
    assert page.form.problem("password") == "Use at least 10 characters."
    assert page.form.problem("clinic_name") == "Required."
    assert not path.exists() and wizard.isVisible()
    page.username.setText("alice")
    page.full_name.setText("Alice Martin")
    page.password.setText("correct horse 42")
    assert page.strength.text() == "This password is strong enough."
    page.repeated.setText("correct horse 43")
    page.clinic_name.setText("Clinique du Parc")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert page.form.problem("repeated") == "The two passwords differ."
    page.repeated.setText("correct horse 42")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    window = starter.window
    qtbot.addWidget(window)
    assert isinstance(window, StaffWindow) and window.isVisible() and not wizard.isVisible()
    assert window.login.title.text() == "Clinique du Parc"
    assert window.login.username.text() == "alice"
    assert "The clinic is ready. Sign in as alice" in window.login.notice.text()
    sign_in(window, "alice", "correct horse 42")
    assert window.user.role == "admin"


def test_explore_with_demo_data_builds_and_opens_a_separate_demo_clinic(start, tmp_path, qtbot, monkeypatch):
    monkeypatch.setattr(sandbox, "create_demo_clinic", functools.partial(sandbox.create_demo_clinic, patients=15))
    path = tmp_path / "clinic.sqlite"
    starter = start(path)
    wizard = starter.window
    wizard.choice_page.demo.setChecked(True)
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    click(wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: isinstance(starter.window, StaffWindow), timeout=60_000)
    window = starter.window
    qtbot.addWidget(window)
    assert not path.exists() and (tmp_path / "demo.sqlite").is_file()
    notice = window.login.notice.text()
    assert 'Sign in as demo-admin with the password "explore the demo"' in notice
    assert "demo-surgeon, demo-nurse" in notice
    sign_in(window, "demo-admin", sandbox.DEMO_PASSWORD)
    assert window.user.username == "demo-admin"
    assert window.workspace.page("worklist").model.total > 0


def test_an_initialised_database_without_accounts_still_opens_the_wizard(start, tmp_path, qtbot) -> None:
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path))
    starter = start(path)
    qtbot.waitUntil(lambda: isinstance(starter.window, FirstRunWizard))
    qtbot.addWidget(starter.window)


def test_a_database_set_up_shows_sign_in_at_once_and_opens_the_database_right_after(start, staff_db, qtbot) -> None:
    starter = start(staff_db[0])
    window = starter.window
    assert isinstance(window, StaffWindow) and window.stack.currentWidget() is window.login
    assert window.clinic is None and not window.login.sign_in_button.isEnabled()
    assert window.status.text() == "Opening the database…"
    qtbot.waitUntil(lambda: window.clinic is not None)
    assert window.login.sign_in_button.isEnabled() and window.login.title.text() == "Clinique du Parc"
    sign_in(window, "nina")
    assert window.user.username == "nina"


def test_a_database_that_cannot_be_opened_is_said_and_the_app_ends(start, tmp_path, qtbot) -> None:
    path = tmp_path / "clinic.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # a broken file
    failures = []
    from sijpro.services.context import FixedClock

    starter = StaffStart(str(path), clock=FixedClock(TODAY), on_failure=failures.append)
    window = starter.first_window()
    qtbot.addWidget(window)
    assert failures == []  # nothing opened before the window shows
    window.show()  # as the app does: the database opens once the window has painted
    qtbot.waitUntil(lambda: bool(failures))
    assert starter.exit_status == 1 and isinstance(failures[0], UserError)


def test_an_encrypted_database_asks_its_passphrase_and_says_when_it_is_wrong(start, staff_db, qtbot) -> None:
    encrypt_database(staff_db[0], "a secret passphrase")
    starter = start(staff_db[0])
    dialog = starter.window
    assert isinstance(dialog, PassphraseDialog)
    dialog.passphrase.setText("not the passphrase")
    dialog.accept()
    assert dialog.message.text() == "Wrong passphrase. Check it and try again." and dialog.isVisible()
    assert dialog.passphrase.text() == ""
    dialog.passphrase.setText("a secret passphrase")
    dialog.accept()
    window = starter.window
    qtbot.addWidget(window)
    assert isinstance(window, StaffWindow) and window.clinic is not None
    sign_in(window, "sam", PASSWORD)
    assert window.user.username == "sam"
