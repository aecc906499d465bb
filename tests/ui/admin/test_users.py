"""Users and roles: add (refusals shown at their field), change a role, reset a password, set a PIN,
deactivate and reactivate, the last administrator kept; every change in the auth service and the trail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sijpro.services.auth import AuthError
from tests.ui.demo_clinic import PASSWORD
from ui.i18n import set_language
from ui.staff.admin.users import UsersPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(shown_page):
    return shown_page(UsersPage)


def rows(page: UsersPage) -> dict[str, list[str]]:
    model = page.model
    return {model.record(row).username: [model.data(model.index(row, column)) for column in range(model.columnCount())]
            for row in range(model.rowCount())}


def save(dialog, **values: str) -> None:
    dialog.set_values(**values)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def test_add_a_user_with_each_refusal_at_its_field(page, qtmodeltester) -> None:
    qtmodeltester.check(page.model)
    assert sorted(rows(page)) == ["ada", "nina", "sam"]
    dialog = page.add_user()
    assert dialog.isVisible()
    save(dialog, username="zoe", full_name="Zoé Zimmer", role="surgeon", password="short", repeated="short")
    assert dialog.form.problem("password") == "Use at least 8 characters."
    save(dialog, password="a fine password", repeated="a fine pasword")
    assert dialog.form.problem("repeated") == "The two passwords differ." and dialog.form.problem("password") == ""
    save(dialog, username="nina", repeated="a fine password")
    assert dialog.form.problem("username") == "The username nina is already taken."
    save(dialog, username="Zoé Z")
    assert dialog.form.problem("username").startswith("Use 2 to 64 lower-case letters")
    save(dialog, username="zoe", role="admin", password="eightchr", repeated="eightchr")  # enough for a nurse
    assert dialog.form.problem("password") == ("An administrator's password guards every record. Use at least 10 "
                                               "characters.")
    assert dialog.isVisible() and page.clinic.auth.users()[-1].username == "sam"  # nothing saved so far
    save(dialog, role="surgeon", password="a fine password", repeated="a fine password")
    assert not dialog.isVisible()
    assert rows(page)["zoe"] == ["zoe", "Zoé Zimmer", "Surgeon", "active", "none"]
    assert page.selected().username == "zoe"
    assert page.clinic.auth.authenticate("zoe", "a fine password").role == "surgeon"
    created = [e for e in page.clinic.audit.events(entity="user") if e.new and isinstance(e.new, dict)]
    assert created[-1].new["username"] == "zoe" and created[-1].actor == "ada"


def test_role_password_pin_and_deactivation(page, dialogs) -> None:
    page.select("nina")
    save(page.change_role(), role="surgeon")
    assert rows(page)["nina"][2] == "Surgeon"

    dialog = page.reset_password()
    save(dialog, password="a new long password", repeated="a new long password")
    assert not dialog.isVisible()
    assert page.clinic.auth.authenticate("nina", "a new long password").username == "nina"

    dialog = page.set_pin()
    save(dialog, pin="12ab", pin_repeated="12ab")
    assert dialog.form.problem("pin") == "The PIN must be 4 to 8 digits."
    save(dialog, pin="2468", pin_repeated="2468")
    assert rows(page)["nina"][4] == "set"
    assert page.clinic.auth.check_pin("nina", "2468").username == "nina"

    assert page.buttons["active"].text() == "Deactivate"
    dialogs.answer = False
    page.buttons["active"].click()
    assert rows(page)["nina"][3] == "active"  # the admin said no
    dialogs.answer = True
    page.buttons["active"].click()
    assert rows(page)["nina"][3] == "deactivated" and page.buttons["active"].text() == "Reactivate"
    assert "Deactivate the account of Nina Nurse?" in dialogs.texts("question")[-1]
    with pytest.raises(AuthError):
        page.clinic.auth.authenticate("nina", "a new long password")
    page.buttons["active"].click()
    assert rows(page)["nina"][3] == "active"
    fields = [e.field for e in page.clinic.audit.events(entity="user", actor="ada")
              if e.field and e.field != "sign_in"]
    assert fields == ["role", "password", "pin", "active", "active"]


def test_the_last_administrator_stays(page, dialogs) -> None:
    page.select("ada")
    page.buttons["active"].click()
    assert dialogs.texts("warning") == [
        "This is the only active administrator account: make someone else an administrator first."]
    dialog = page.change_role()
    save(dialog, role="nurse")
    assert dialog.isVisible() and dialog.form.problem("role").startswith("This is the only active administrator")
    assert rows(page)["ada"][3] == "active" and rows(page)["ada"][2] == "Administrator"
    assert page.clinic.auth.authenticate("ada", PASSWORD).role == "admin"


def test_french(page) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Utilisateurs et rôles"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Identifiant"
    assert rows(page)["nina"][2] == "Infirmier·ère"
    dialog = page.add_user()
    assert dialog.windowTitle() == "Nouvel utilisateur"
    save(dialog, username="zoe", full_name="Zoé", password="court", repeated="court")
    assert dialog.form.problem("password") == "Utilisez au moins 8 caractères."
