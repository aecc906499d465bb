"""The clinic's settings page: name and idle-lock time saved through the settings service (each change an
audit event), refused at their field when wrong, and applied at once to the window that saved them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from sijpro.services.clinic_settings import MAX_NAME
from tests.trusted import as_system
from ui.i18n import set_language
from ui.staff.admin.clinic import ClinicPage

pytestmark = pytest.mark.gui


@pytest.fixture
def window(signed_in):
    shown = signed_in("ada")
    shown.workspace.open_page("clinic")
    return shown


def page_of(window) -> ClinicPage:
    page = window.workspace.page("clinic")
    assert isinstance(page, ClinicPage)
    return page


def test_only_an_administrator_has_the_page(signed_in) -> None:
    assert "clinic" not in signed_in("nina").workspace.entries
    assert "clinic" not in signed_in("sam").workspace.entries
    assert "clinic" in signed_in("ada").workspace.entries


def test_saving_stores_both_settings_audits_them_and_applies_them_to_the_window(window, staff_clinic, qtbot) -> None:
    page = page_of(window)
    assert (page.name.text(), page.idle_minutes.value()) == ("Clinique du Parc", 10)
    page.name.setText("  Centre du Rachis  ")
    page.idle_minutes.setValue(3)
    with qtbot.wait_signal(window.workspace.clinic_settings_changed) as saved:
        page.save_button.click()
    stored = as_system(staff_clinic).settings.load()
    assert (stored.name, stored.idle_lock_minutes) == ("Centre du Rachis", 3)
    assert saved.args[0] == stored
    assert page.result.isVisible() and page.result.text() == "Saved. This desk now locks after 3 minutes without use."
    changes = {(e.field, e.old, e.new, e.actor) for e in as_system(staff_clinic).audit.events(entity="setting")}
    assert ("clinic.name", "Clinique du Parc", "Centre du Rachis", "ada") in changes
    assert ("clinic.idle_lock_minutes", 10, 3, "ada") in changes
    assert window.windowTitle().endswith("Centre du Rachis")
    assert window.idle.timer.interval() == 3 * 60 * 1000 and window.idle.running
    window.lock()
    assert window.login.title.text() == "Centre du Rachis"


def test_an_over_long_name_is_refused_at_its_field_and_nothing_is_saved(window, staff_clinic) -> None:
    page = page_of(window)
    page.name.setText("x" * (MAX_NAME + 1))
    page.idle_minutes.setValue(30)
    page.save_button.click()
    assert page.form.problem("name") == f"At most {MAX_NAME} characters."
    assert not page.result.isVisible()
    assert as_system(staff_clinic).settings.load().idle_lock_minutes == 10
    assert window.idle.timer.interval() == 600 * 1000


def test_the_page_speaks_french(window) -> None:
    page = page_of(window)
    set_language("fr")
    try:
        assert page.heading.text() == "Clinique"
        assert page.save_button.text() == "Enregistrer"
        assert page.idle_minutes.suffix() == " min"
    finally:
        set_language("en")


def test_the_letterhead_address_and_phone_are_saved_and_kept(window, staff_clinic, qtbot) -> None:
    """The address and phone the letters with paper packs print: saved from the page, kept by a later save."""
    page = page_of(window)
    page.address.setPlainText("  3 quai Claude Bernard \n\n69007 Lyon  ")
    page.phone.setText(" 04 72 00 00 00 ")
    with qtbot.wait_signal(window.workspace.clinic_settings_changed):
        page.save_button.click()
    stored = as_system(staff_clinic).settings.load()
    assert (stored.address, stored.phone) == ("3 quai Claude Bernard\n69007 Lyon", "04 72 00 00 00")
    page.refresh()
    page.idle_minutes.setValue(5)
    with qtbot.wait_signal(window.workspace.clinic_settings_changed):
        page.save_button.click()
    assert as_system(staff_clinic).settings.load().address == "3 quai Claude Bernard\n69007 Lyon"


def test_the_web_address_is_typed_saved_and_refused_at_its_field_when_not_https(window, staff_clinic, qtbot) -> None:
    """Typed with the keyboard and saved with a click, as an administrator would; invitations then use it."""
    page = page_of(window)
    field = page.web_address
    field.setFocus()
    QTest.keyClicks(field, "http://prom.clinique.example")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.form.problem("web_address") == (
        "http://prom.clinique.example is plain http: patients' links must use https (http only for this machine, "
        "http://127.0.0.1).")
    assert as_system(staff_clinic).settings.load().web_address == ""
    field.selectAll()
    QTest.keyClicks(field, "https://prom.clinique.example/")
    with qtbot.wait_signal(window.workspace.clinic_settings_changed):
        QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert field.text() == "https://prom.clinique.example"
    assert page.form.problem("web_address") == ""
    assert as_system(staff_clinic).settings.load().web_address == "https://prom.clinique.example"
