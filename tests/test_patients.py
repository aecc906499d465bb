"""Patients: registration, duplicates, search, validation and optimistic edits, on every engine."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.errors import ConflictError, InputErrors, UserError
from sijpro.records import PatientDraft, draft_changes
from sijpro.services.clinic import Clinic
from sijpro.services.patients import DuplicateWarning
from sijpro.storage.convert import patient_columns
from sijpro.storage.models import Patient
from tests.factories import patient_draft
from tests.trusted import trusted


def test_register_and_read_back(clinic: Clinic) -> None:
    draft = patient_draft(" 12345 ", family_name=" Lefèvre ", bmi=31.5, fbss=True, prior_lumbar_surgeries=2,
                          prior_lumbosacral_fusion=False, prior_interventions=frozenset({"SCS", "INJ"}))
    patient = clinic.patients.register(draft)
    assert (patient.mrn, patient.family_name, patient.row_version) == ("12345", "Lefèvre", 1)
    assert clinic.patients.get(patient.id) == patient
    assert clinic.patients.by_mrn("12345") == patient
    assert patient.prior_interventions == frozenset({"SCS", "INJ"})
    assert clinic.patients.by_mrn("nope") is None
    [event] = clinic.audit.events(entity="patient", entity_id=patient.id)
    assert event.actor == "nurse1" and event.new["family_name"] == "Lefèvre"


def test_same_mrn_is_refused(clinic: Clinic) -> None:
    clinic.patients.register(patient_draft("A1"))
    with pytest.raises(UserError, match="MRN A1 is already registered"):
        clinic.patients.register(patient_draft("A1", family_name="Other", birth_date=dt.date(1950, 1, 1)))


def test_same_birth_date_and_similar_name_warns_until_confirmed(clinic: Clinic) -> None:
    first = clinic.patients.register(patient_draft("A1", family_name="Lefèvre", given_name="Hélène"))
    with pytest.raises(DuplicateWarning) as warning:
        clinic.patients.register(patient_draft("A2", family_name="LEFEVRE", given_name="Helene"))
    assert warning.value.candidates == [first]
    assert "A1" in str(warning.value)
    with pytest.raises(DuplicateWarning):  # names swapped between the fields
        clinic.patients.register(patient_draft("A3", family_name="Hélène", given_name="Lefèvre"))
    second = clinic.patients.register(patient_draft("A2", family_name="LEFEVRE", given_name="Helene"),
                                      confirm_duplicate=True)
    assert second.id != first.id
    other_day = clinic.patients.register(patient_draft("A4", family_name="Lefèvre", given_name="Hélène",
                                                       birth_date=dt.date(1970, 1, 1)))
    assert other_day.mrn == "A4"
    clinic.patients.register(patient_draft("A5", family_name="Dubois", given_name="Marc"))  # same day, other name


def test_invalid_fields_are_all_named(clinic: Clinic) -> None:
    with pytest.raises(InputErrors) as errors:
        clinic.patients.register(patient_draft(" ", sex="Q", bmi=3.0, language="de",
                                               prior_interventions=frozenset({"XYZ"}),
                                               birth_date=dt.date(2030, 1, 1)))
    text = str(errors.value)
    for field in ("mrn", "sex", "bmi", "language", "prior_interventions", "birth_date"):
        assert f"field '{field}'" in text
    assert clinic.patients.search("a") == []


def test_search_by_mrn_names_and_birth_date(clinic: Clinic) -> None:
    helene = clinic.patients.register(patient_draft("X-100", family_name="Lefèvre", given_name="Hélène"))
    marc = clinic.patients.register(patient_draft("X-200", family_name="Dubois", given_name="Marc",
                                                  birth_date=dt.date(1955, 2, 3)))
    assert clinic.patients.search("helene") == [helene]
    assert clinic.patients.search("LEFEV hél") == [helene]
    assert clinic.patients.search("x-2") == [marc]
    assert clinic.patients.search("1955-02-03") == [marc]
    assert clinic.patients.search("X-") == [marc, helene]  # by family name
    assert clinic.patients.search("X-100")[0] == helene
    assert clinic.patients.search("50%_") == []
    assert clinic.patients.search("   ") == []
    assert len(clinic.patients.search("x", limit=1)) == 1


def test_update_with_reason_is_audited_field_by_field(clinic: Clinic) -> None:
    patient = clinic.patients.register(patient_draft("A1"))
    updated = clinic.patients.update(patient.id, {"bmi": 28.0, "given_name": "Claire-Marie"},
                                     expected_version=1, reason="checked with the patient")
    assert (updated.bmi, updated.given_name, updated.row_version) == (28.0, "Claire-Marie", 2)
    assert clinic.patients.search("marie") == [updated]
    events = clinic.audit.events(entity="patient", entity_id=patient.id)[1:]
    assert {(e.field, e.old, e.new, e.reason) for e in events} == {
        ("bmi", None, 28.0, "checked with the patient"),
        ("given_name", "Claire", "Claire-Marie", "checked with the patient"),
    }


def test_stale_update_is_refused_with_a_clear_conflict(clinic: Clinic, database_url: str) -> None:
    patient = clinic.patients.register(patient_draft("A1"))
    with trusted(database_url, "nurse2") as other:
        other.patients.update(patient.id, {"bmi": 30.0}, expected_version=1, reason="weighed today")
    with pytest.raises(ConflictError, match=r"changed by nurse2 .* nothing was saved"):
        clinic.patients.update(patient.id, {"bmi": 25.0}, expected_version=1, reason="my own reading")
    assert clinic.patients.get(patient.id).bmi == 30.0


def test_update_refusals(clinic: Clinic) -> None:
    first = clinic.patients.register(patient_draft("A1"))
    clinic.patients.register(patient_draft("A2", family_name="Other"))
    with pytest.raises(UserError, match="reason is required"):
        clinic.patients.update(first.id, {"bmi": 20.0}, expected_version=1, reason=" ")
    with pytest.raises(UserError, match="no field weight"):
        clinic.patients.update(first.id, {"weight": 80}, expected_version=1, reason="x")
    with pytest.raises(UserError, match="MRN A2 is already registered"):
        clinic.patients.update(first.id, {"mrn": "A2"}, expected_version=1, reason="x")
    with pytest.raises(InputErrors, match="field 'sex'"):
        clinic.patients.update(first.id, {"sex": "female"}, expected_version=1, reason="x")
    with pytest.raises(UserError, match="no patient with id 999"):
        clinic.patients.get(999)
    assert clinic.patients.get(first.id).row_version == 1


def test_a_duplicate_created_at_the_same_moment_is_a_conflict_not_a_crash(clinic: Clinic) -> None:
    """Two nurses registering one MRN at once: the database's unique index refuses the second."""
    clinic.patients.register(patient_draft("A1"))
    with pytest.raises(ConflictError, match="same moment"), clinic.database.writing() as session:
        session.add(Patient(**patient_columns(patient_draft("A1")), created_at=dt.datetime(2024, 1, 1)))
    assert len(clinic.patients.search("A1")) == 1


def test_draft_changes_names_only_the_fields_an_edit_changed(clinic: Clinic) -> None:
    stored = clinic.patients.register(patient_draft("C-1", bmi=27.5))
    unchanged = PatientDraft(**{name: getattr(stored, name) for name in PatientDraft.__dataclass_fields__})
    assert draft_changes(stored, unchanged) == {}
    edited = PatientDraft(**{**unchanged.__dict__, "bmi": 28.0, "prior_interventions": frozenset({"RFA"})})
    assert draft_changes(stored, edited) == {"bmi": 28.0, "prior_interventions": frozenset({"RFA"})}
