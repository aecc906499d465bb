"""MRNs at the desk: registering one that differs from a patient's only by case is refused at the field,
hostile characters are refused as typed, and the dashboard's look-up finds a patient by MRN in any case or
by name, listing several to choose from with a click."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.trusted import as_system
from tests.ui.staff.clicks import click, click_row
from ui.i18n import set_language
from ui.staff.patient_dialog import PatientDialog

pytestmark = pytest.mark.gui


def type_into(field, text: str) -> None:
    """Select what the field holds and type over it, one key event per character (any character: a
    keyboard layout or an input method can produce a bidirectional mark or a control character)."""
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for character in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, field, Qt.Key.Key_unknown, character, Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def dialog(staff_clinic, qtbot) -> PatientDialog:
    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(dialog.family_name, "Durand")
    type_into(dialog.given_name, "Zoé")
    type_into(dialog.birth_date, "1960-02-28")
    return dialog


def test_an_mrn_differing_only_by_case_is_refused_at_the_field(dialog, staff_clinic) -> None:
    type_into(dialog.mrn, "  k-001 ")
    click(dialog.ok)
    assert dialog.saved is None
    assert dialog.form.problem("mrn") == ("MRN k-001 is already registered to another patient, as K-001 "
                                          "(MRNs are the same whatever the case).")
    set_language("fr")
    click(dialog.ok)
    assert dialog.form.problem("mrn").startswith("Le n° de dossier k-001 est déjà attribué à un autre patient")
    set_language("en")
    type_into(dialog.mrn, "K-900")
    click(dialog.ok)
    assert dialog.saved is not None and as_system(staff_clinic).patients.by_mrn("k-900").id == dialog.saved.id


@pytest.mark.parametrize(("hostile", "pasted"), [("K\u202e900", False), ("K\u200f900", False),
                                                 ("K\x07900", True), ("K\u2066900\u2069", True)])
def test_control_and_bidirectional_characters_are_refused_at_the_field(dialog, staff_clinic, hostile,
                                                                       pasted) -> None:
    if pasted:  # a control character cannot be typed, but it can come with a copied MRN
        QApplication.clipboard().setText(hostile)
        type_into(dialog.mrn, "")
        QTest.keyClick(dialog.mrn, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    else:
        type_into(dialog.mrn, hostile)
    click(dialog.ok)
    assert dialog.mrn.text() == hostile  # typed as it came, then refused with the reason
    assert dialog.saved is None and "not allowed" in dialog.form.problem("mrn")
    assert "U+" in dialog.form.problem("mrn") and as_system(staff_clinic).patients.search("K900") == []


def test_the_dashboard_finds_a_patient_by_mrn_in_any_case_or_by_name(signed_in, ids) -> None:
    window = signed_in("sam")
    page = window.workspace.open_page("dashboard")
    type_into(page.mrn, " k-002")
    QTest.keyClick(page.mrn, Qt.Key.Key_Return)
    assert page.outcomes is not None and page.outcomes.patient.id == ids["K-002"]
    type_into(page.mrn, "dupont")
    click(page.open_button)
    assert page.outcomes.patient.id == ids["K-001"]
    type_into(page.mrn, "k-00")  # several: listed, and a click opens the one chosen
    QTest.keyClick(page.mrn, Qt.Key.Key_Return)
    assert page.outcomes is None and page.matches.isVisible()
    listed = page.matches_model.records()
    assert len(listed) >= 3 and page.placeholder.text().startswith(f"{len(listed)} patients match k-00")
    click_row(page.matches, 1)
    assert page.outcomes is not None and page.outcomes.patient.id == listed[1].id
    assert page.name.text() == listed[1].display_name
