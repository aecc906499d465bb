"""MRNs are unique after trimming, compared case-insensitively, everywhere: registering, editing, importing,
looking up, and in the database itself; control and bidirectional characters are refused."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert

from sijpro.errors import ConflictError, InputErrors, UserError
from sijpro.mrn import mrn_key, mrn_problem
from sijpro.services.clinic import Clinic
from sijpro.services.file_jobs import import_files
from sijpro.storage import schema
from sijpro.storage.database import Database
from sijpro.storage.engine import resolve_url
from sijpro.storage.models import Patient
from tests.factories import operated_patient, patient_draft
from tests.trusted import trusted

PATIENTS_HEADER = ("mrn,family_name,given_name,birth_date,sex,language,bmi,fbss,prior_lumbar_surgeries,"
                   "prior_lumbosacral_fusion,prior_interventions,surgery_date,side,approach\n")


def test_the_compared_form_ignores_case_spaces_and_width() -> None:
    assert mrn_key("  ab-1 ") == mrn_key("AB-1") == mrn_key("ＡＢ-１")
    assert mrn_key("STRASSE/1") == mrn_key("straße/1")
    assert mrn_key("AB-1") != mrn_key("AB-2")


@pytest.mark.parametrize("hostile", ["AB\u202e1", "AB\u200f1", "AB\u2066X", "AB\u200d1", "AB\x001", "AB\x1b[31m",
                                     "AB\t1", "AB\u00851", "AB\ufeff1"])
def test_control_and_bidirectional_characters_are_refused(clinic: Clinic, hostile: str) -> None:
    problem = mrn_problem(hostile.strip())
    assert problem is not None and problem.code == "mrn_characters" and "U+" in problem.params["bad"]
    with pytest.raises(InputErrors, match="field 'mrn'"):
        clinic.patients.register(patient_draft(hostile))
    assert clinic.patients.search("AB") == []
    # looking one up finds nobody, on PostgreSQL too (whose text cannot hold a NUL at all)
    assert clinic.patients.by_mrn(hostile) is None and clinic.patients.search(hostile) == []
    assert clinic.patients.registered([hostile, "AB"]) == frozenset()


def test_register_and_edit_refuse_an_mrn_differing_only_by_case(clinic: Clinic) -> None:
    first = clinic.patients.register(patient_draft("AB-1"))
    with pytest.raises(UserError, match=r"^MRN ab-1 is already registered \(as AB-1\)$"):
        clinic.patients.register(patient_draft(" ab-1 ", family_name="Other", given_name="Person"))
    with pytest.raises(UserError, match=r"^MRN AB-1 is already registered$"):
        clinic.patients.register(patient_draft("AB-1 ", family_name="Other", given_name="Person"))
    second = clinic.patients.register(patient_draft("CD-2", family_name="Other", given_name="Person"))
    with pytest.raises(UserError, match=r"already registered to another patient \(as AB-1\)"):
        clinic.patients.update(second.id, {"mrn": "aB-1"}, expected_version=second.row_version, reason="typo")
    # the patient's own MRN may change case
    renamed = clinic.patients.update(first.id, {"mrn": "ab-1"}, expected_version=first.row_version, reason="typo")
    assert renamed.mrn == "ab-1"
    assert clinic.patients.by_mrn(" AB-1") == renamed
    assert clinic.patients.search("AB-1")[0].id == first.id


def test_the_database_refuses_a_second_spelling_too(clinic: Clinic) -> None:
    clinic.patients.register(patient_draft("AB-1"))
    with pytest.raises(ConflictError, match="mrn_key"), clinic.context.database.writing() as session:
        session.execute(insert(Patient).values(mrn="ab-1", mrn_key=mrn_key("ab-1"), family_name="", given_name="",
                                               language="en", prior_interventions="", search_key="",
                                               created_at=dt.datetime(2024, 6, 1), row_version=1))


def test_import_treats_mrns_differing_by_case_as_one_patient(clinic: Clinic, tmp_path: Path) -> None:
    operated_patient(clinic, "AB-1", dt.date(2024, 1, 15))
    patients = tmp_path / "patients.csv"
    patients.write_text(PATIENTS_HEADER + "ab-1,X,Y,1960-01-01,F,en,,,,,,2024-01-15,left,lateral\n"
                        "EF-3,Z,W,1960-01-01,F,en,,,,,,2024-01-15,left,lateral\n"
                        "ef-3,Z,W,1960-01-01,F,en,,,,,,2024-01-15,left,lateral\n", encoding="utf-8")
    with pytest.raises(InputErrors) as refused:
        import_files(clinic, [patients])
    text = str(refused.value)
    assert "line 2" in text and "patient ab-1 is already in the database (as AB-1)" in text
    assert "line 4" in text and "patient ef-3 appears twice" in text and "as EF-3" in text
    assert clinic.patients.by_mrn("EF-3") is None  # nothing imported
    responses = tmp_path / "responses.csv"
    responses.write_text("mrn,timepoint,instrument,item,value,completed_on\n"
                         " ab-1 ,w6,nrs,lumbar,4,2024-02-26\nab-1,w6,nrs,radicular,2,2024-02-26\n", encoding="utf-8")
    summary = import_files(clinic, [responses])
    assert summary.questionnaires == 1
    patient = clinic.patients.by_mrn("AB-1")
    assert clinic.outcomes.patient(patient.id).at("w6").scores["nrs.lumbar"] == 4


def test_upgrading_a_database_with_two_spellings_stops_and_names_them(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    path.touch(mode=0o600)
    database = Database(resolve_url(str(path)))
    try:
        with database.engine.connect() as connection:
            command.upgrade(schema.alembic_config(connection), "0003")
            connection.commit()
    finally:
        database.close()
    with sqlite3.connect(path) as raw:
        for mrn in ("AB-1", "ab-1", "CD-2"):
            raw.execute("INSERT INTO patients (mrn, family_name, given_name, language, prior_interventions, "
                        "search_key, created_at, row_version) VALUES (?, '', '', 'en', '', '', '2024-01-01', 1)",
                        (mrn,))
    with pytest.raises(UserError, match="AB-1; ab-1"):
        Clinic.init(str(path))
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE patients SET mrn = 'AB-1b' WHERE mrn = 'ab-1'")
    Clinic.init(str(path))
    with trusted(str(path)) as clinic:
        assert clinic.patients.by_mrn("cd-2").mrn == "CD-2"
