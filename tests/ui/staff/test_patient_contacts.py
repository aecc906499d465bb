"""The patient form's contact details: typed in with real key presses, problems at their fields, saved with
the patient in one call, loaded back for an edit and changed with a reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.trusted import as_system
from ui.staff.patient_dialog import PatientDialog

pytestmark = pytest.mark.gui


def type_into(widget, text: str) -> None:
    widget.setFocus()
    QTest.keyClicks(widget, text)


def test_contact_details_are_typed_checked_and_saved_with_the_patient(staff_clinic, qtbot) -> None:
    nurse = staff_clinic.session("nina")
    dialog = PatientDialog(nurse)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for widget, text in ((dialog.mrn, "T-900"), (dialog.family_name, "Roux"), (dialog.given_name, "Anne"),
                         (dialog.phone, "06 12"), (dialog.email, "anne@")):
        type_into(widget, text)
    type_into(dialog.address, "1 rue Haute")
    QTest.keyClick(dialog.address, Qt.Key.Key_Return)
    QTest.keyClicks(dialog.address, "69003 Lyon")
    dialog.channel.set_value("email")
    QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.saved is None
    assert dialog.form.problem("phone").startswith("Type the number with its country code")
    assert dialog.form.problem("email") == "Not an e-mail address: type it as name@example.org."
    assert dialog.form.problem("consent") == "A preferred contact needs the patient's agreement to be contacted."
    assert as_system(staff_clinic).patients.by_mrn("T-900") is None
    dialog.phone.selectAll()
    type_into(dialog.phone, "+33 6 12 34 56 78")
    type_into(dialog.email, "example.org")
    dialog.consent.set_value(True)
    QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None
    details = as_system(staff_clinic).contacts.get(dialog.saved.id)
    assert (details.phone_e164, details.email, details.address, details.channel, details.consent) == (
        "+33612345678", "anne@example.org", "1 rue Haute\n69003 Lyon", "email", True)

    edit = PatientDialog(nurse, dialog.saved)
    qtbot.addWidget(edit)
    edit.show()
    assert edit.email.text() == "anne@example.org" and edit.address.toPlainText() == "1 rue Haute\n69003 Lyon"
    edit.email.selectAll()
    type_into(edit.email, "anne.roux@example.org")
    QTest.mouseClick(edit.ok, Qt.MouseButton.LeftButton)
    assert edit.saved is None and edit.form.problem("reason")
    type_into(edit.reason, "new address given by phone")
    QTest.mouseClick(edit.ok, Qt.MouseButton.LeftButton)
    assert edit.saved is not None
    system = as_system(staff_clinic)
    assert system.contacts.get(dialog.saved.id).email == "anne.roux@example.org"
    changed = [(e.field, e.new, e.actor, e.reason) for e in system.audit.events(entity="contact")]
    assert ("email", "anne.roux@example.org", "nina", "new address given by phone") in changed
