"""Patients: register with problems shown at their fields, the duplicate warning, procedures with a staged
second side and the schedule they plan, moving the surgery date, and edits that need a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tests.trusted import as_system
from tests.ui.staff.setup import TODAY
from ui.staff.patient_dialog import PatientDialog
from ui.staff.procedure_dialog import ProcedureDialog
from ui.staff.reschedule_dialog import RescheduleDialog

pytestmark = pytest.mark.gui


def fill(dialog: PatientDialog, **values: str) -> None:
    for name, text in values.items():
        getattr(dialog, name).setText(text)


def test_search_by_mrn_name_or_birth_date(signed_in, qtbot) -> None:
    page = signed_in("nina").workspace.open_page("patients")
    for text, expected in (("K-002", ["K-002"]), ("dupont helene", ["K-001"]), ("1958-07-01", ["K-003"])):
        page.search.setText(text)
        page.run_search()
        assert [p.mrn for p in page.results_model.records()] == expected
    page.search.setText("zzz")
    page.run_search()
    assert page.hint.text() == "No patient matches 'zzz'."


def test_register_shows_every_problem_at_its_field_and_saves_nothing(staff_clinic, qtbot) -> None:
    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    fill(dialog, family_name="Durand", given_name="Zoé", birth_date="1960-02-30", bmi="95")
    dialog.ok.click()
    assert dialog.form.problem("birth_date") == "'1960-02-30' is not a date: type it as YYYY-MM-DD, e.g. 1956-03-21."
    assert dialog.saved is None
    fill(dialog, birth_date="1960-02-28")
    dialog.accept()
    assert dialog.form.problem("mrn") == "Required."
    assert dialog.form.problem("bmi") == "Enter a BMI between 10 and 90."
    assert dialog.form.problem("birth_date") == ""
    assert dialog.mrn.hasFocus() or not dialog.isVisible()
    fill(dialog, mrn="K-001", bmi="24.5")
    dialog.accept()
    assert dialog.form.problem("mrn") == "MRN K-001 is already registered to another patient."
    fill(dialog, mrn="D-100")
    dialog.accept()
    assert dialog.saved is not None and dialog.result() == PatientDialog.DialogCode.Accepted
    assert as_system(staff_clinic).patients.by_mrn("D-100").bmi == 24.5


def test_a_possible_duplicate_is_listed_and_registered_only_when_confirmed(staff_clinic, qtbot) -> None:
    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, mrn="K-901", family_name="Dupond", given_name="Helene", birth_date="1950-03-02")
    dialog.accept()
    assert dialog.saved is None and dialog.duplicates.isVisible()
    assert "DUPONT, Hélène, MRN K-001, born 1950-03-02" in dialog.duplicate_text.text()
    ok = dialog.ok
    assert ok.text() == "Register anyway"
    dialog.given_name.setText("Helena")  # a change withdraws the confirmation
    dialog.given_name.textEdited.emit("Helena")
    assert not dialog.duplicates.isVisible() and ok.text() == "Register"
    dialog.accept()
    assert dialog.saved is None and dialog.duplicates.isVisible()
    dialog.accept()
    assert dialog.saved is not None and dialog.saved.mrn == "K-901"


def test_a_procedure_with_a_staged_second_side_plans_and_shows_the_schedule(staff_clinic, qtbot, ids) -> None:
    patient = as_system(staff_clinic).patients.get(ids["S-NEW"])
    dialog = ProcedureDialog(staff_clinic.session("nina"), patient)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.staged.isVisible()  # asked only for a bilateral fusion
    dialog.surgery_date.setText("2024-06-10")
    dialog.side.set_value("bilateral")
    assert dialog.staged.isVisible() and not dialog.second_side_date.isVisible()
    dialog.staged.setChecked(True)
    dialog.second_side_date.setText("2024-06-01")
    dialog.approach.set_value("lateral")
    dialog.device.setText("iFuse")
    dialog.accept()
    assert dialog.form.problem("second_side_date") == "The second side must come after the surgery date."
    dialog.second_side_date.setText("2024-07-15")
    dialog.accept()
    saved = dialog.saved
    assert (saved.side, saved.second_side_date, saved.device, saved.is_index) == (
        "bilateral", dt.date(2024, 7, 15), "iFuse", True)
    assert dialog.stack.currentIndex() == 1 and dialog.isVisible()  # now showing the schedule
    model = dialog.timeline.model
    assert [model.data(model.index(row, 0)) for row in range(model.rowCount())] == [
        "Before surgery", "6 weeks", "3 months", "6 months", "12 months", "24 months"]
    assert model.data(model.index(2, 1)) == "2024-09-10"
    dialog.close_buttons.button(QDialogButtonBox.StandardButton.Close).click()
    assert not dialog.isVisible()


def test_moving_the_surgery_needs_a_reason_and_moves_the_visits(staff_clinic, qtbot, ids) -> None:
    patient = as_system(staff_clinic).patients.get(ids["S-SOON"])
    index = as_system(staff_clinic).procedures.for_patient(patient.id)[0]
    dialog = RescheduleDialog(staff_clinic.session("nina"), patient, index)
    qtbot.addWidget(dialog)
    dialog.show()
    new_date = index.surgery_date + dt.timedelta(days=14)
    dialog.surgery_date.setText(new_date.isoformat())
    dialog.accept()
    assert dialog.form.problem("reason") == "Say why you make this change: it is kept in the audit trail."
    assert as_system(staff_clinic).procedures.for_patient(patient.id)[0].surgery_date == index.surgery_date
    dialog.reason.setText("surgery postponed (theatre closed)")
    dialog.accept()
    assert dialog.timeline.isVisible()
    moved = {v.timepoint: v.due_date for v in as_system(staff_clinic).schedule.timeline(patient.id)}
    assert moved["m3"] == new_date + relativedelta(months=3)
    events = as_system(staff_clinic).audit.events(entity="procedure", entity_id=index.id)
    assert events[-1].reason == "surgery postponed (theatre closed)"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
    assert dialog.result() == RescheduleDialog.DialogCode.Accepted


def answer_the_box_into(messages: list[str]) -> None:
    """Accept the message box the next event-loop turn shows, keeping its text."""

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        messages.append(box.text())
        box.accept()

    QTimer.singleShot(0, answer)


def test_moving_a_surgery_someone_else_just_changed_moves_nothing(staff_clinic, qtbot, ids) -> None:
    patient = as_system(staff_clinic).patients.get(ids["S-SOON"])
    index = as_system(staff_clinic).procedures.for_patient(patient.id)[0]
    dialog = RescheduleDialog(staff_clinic.session("nina"), patient, index)
    qtbot.addWidget(dialog)
    dialog.show()
    as_system(staff_clinic).procedures.update(index.id, {"device": "iFuse-3D"}, expected_version=index.row_version,
                                   reason="another desk")
    dialog.surgery_date.setText((index.surgery_date + dt.timedelta(days=7)).isoformat())
    dialog.reason.setText("theatre closed")
    messages: list[str] = []
    answer_the_box_into(messages)
    dialog.accept()
    assert messages and "nothing was saved" in messages[0]
    assert as_system(staff_clinic).procedures.for_patient(patient.id)[0].surgery_date == index.surgery_date
    assert not dialog.isVisible() and dialog.saved is None
    assert dialog.result() == RescheduleDialog.DialogCode.Rejected


def test_an_edit_needs_a_reason_and_a_conflict_overwrites_nothing(staff_clinic, qtbot, ids) -> None:
    patient = as_system(staff_clinic).patients.get(ids["K-002"])
    dialog = PatientDialog(staff_clinic.session("nina"), patient)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.reason.isVisible()
    dialog.bmi.setText("31")
    dialog.accept()
    assert dialog.form.problem("reason") == "Say why you make this change: it is kept in the audit trail."
    dialog.reason.setText("weighed today")
    as_system(staff_clinic).patients.update(patient.id, {"given_name": "Johnny"}, expected_version=patient.row_version,
                                 reason="another desk")
    messages: list[str] = []
    answer_the_box_into(messages)
    dialog.accept()
    assert messages and messages[0].startswith("This patient was changed by test at")
    assert "nothing was saved" in messages[0]
    stored = as_system(staff_clinic).patients.get(patient.id)
    assert (stored.given_name, stored.bmi) == ("Johnny", None)
    assert not dialog.isVisible()


def test_the_record_page_registers_then_records_the_surgery(signed_in, qtbot, monkeypatch) -> None:
    window = signed_in("nina")
    page = window.workspace.open_page("patients")

    def register(dialog: PatientDialog) -> int:
        fill(dialog, mrn="R-001", family_name="Roux", given_name="Rémi", birth_date="1966-06-06")
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(PatientDialog, "exec", register)
    page.register_button.click()
    assert page.record.patient.mrn == "R-001"
    assert [p.mrn for p in page.results_model.records()] == ["R-001"]
    assert not page.record.buttons["reschedule"].isEnabled()  # no surgery yet

    def surgery(dialog: ProcedureDialog) -> int:
        dialog.surgery_date.setText(TODAY.isoformat())
        dialog.accept()
        dialog.close_buttons.rejected.emit()
        return int(dialog.result())

    monkeypatch.setattr(ProcedureDialog, "exec", surgery)
    page.record.buttons["procedure"].click()
    assert page.record.index_procedure.surgery_date == TODAY
    assert page.record.timeline.model.rowCount() == 6
    assert page.record.buttons["reschedule"].isEnabled()


def test_a_formula_like_mrn_is_refused_at_its_field(staff_clinic, qtbot) -> None:
    """Typed in with real key presses: '=HYPERLINK(...)' and '-2' would run as formulas in an export opened in
    Excel, so the MRN field refuses them in the user's words, and nothing is saved."""
    from PySide6.QtCore import Qt

    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    fill(dialog, family_name="Durand", given_name="Zoé")
    for typed, shown in (('=HYPERLINK("x")', "'=', '(', '\"', ')': not allowed. Letters, digits, '-', '_', '.' "
                                            "and '/' only."),
                         ("-2", "May not start with '-': a spreadsheet would read it as a formula.")):
        dialog.mrn.clear()
        qtbot.keyClicks(dialog.mrn, typed)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.form.problem("mrn") == shown
        assert dialog.saved is None
    assert as_system(staff_clinic).patients.by_mrn("-2") is None


def test_prior_interventions_tell_none_from_not_known(staff_clinic, qtbot) -> None:
    """No box ticked: not known; 'None' ticked: none of them; 'None' and a code exclude each other."""
    from PySide6.QtCore import Qt

    for mrn, clicks, expected in (("I-1", (), None), ("I-2", ("SCS", "none"), frozenset()),
                                  ("I-3", ("none", "SCS", "RFA"), frozenset({"SCS", "RFA"}))):
        dialog = PatientDialog(staff_clinic.session("nina"))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        fill(dialog, mrn=mrn, family_name="Durand", given_name="Zoé")
        for name in clicks:
            box = dialog.no_intervention if name == "none" else dialog.interventions[name]
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.saved is not None, mrn
        assert as_system(staff_clinic).patients.by_mrn(mrn).prior_interventions == expected, mrn
    edited = PatientDialog(staff_clinic.session("nina"), as_system(staff_clinic).patients.by_mrn("I-2"))
    qtbot.addWidget(edited)
    assert edited.no_intervention.isChecked() and not any(b.isChecked() for b in edited.interventions.values())


def test_the_site_is_typed_in_with_the_patient_and_checked(staff_clinic, qtbot) -> None:
    from PySide6.QtTest import QTest

    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog, mrn="S-200", family_name="Roux", given_name="Anne", birth_date="1955-03-02")
    QTest.keyClicks(dialog.site, "lyon 2")
    dialog.ok.click()
    assert "is not a site code" in dialog.form.problem("site") and dialog.saved is None
    dialog.site.clear()
    QTest.keyClicks(dialog.site, "LYON-2")
    dialog.ok.click()
    assert dialog.saved is not None and as_system(staff_clinic).patients.by_mrn("S-200").site == "LYON-2"


def test_a_patients_numbers_are_written_in_the_desks_language(qtbot) -> None:
    """A BMI reads 27,4 in French, on the record and in the field that edits it (which takes either mark)."""
    from sijpro.records import PatientRecord
    from ui.i18n import set_language
    from ui.staff.inputs import NumberEdit
    from ui.staff.patient_record import detail_text

    patient = PatientRecord(id=1, mrn="K-001", family_name="Durand", given_name="Zoé", bmi=27.4)
    try:
        set_language("fr")
        assert detail_text(patient, "bmi") == "27,4"
        field = NumberEdit(27.4)
        qtbot.addWidget(field)
        assert field.text() == "27,4" and field.value() == 27.4
    finally:
        set_language("en")
    assert detail_text(patient, "bmi") == "27.4"
