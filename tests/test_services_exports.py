"""Exports from a real database (SQLite file, and PostgreSQL when available): export, import into a
fresh database, export again: the files are byte-identical."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from sijpro.demo.cohort import generate_demo_cohort
from sijpro.exchange.export_csv import DICTIONARY, PATIENTS, RESPONSES, WIDE
from sijpro.exchange.import_csv import parse_import_files
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.conftest import TODAY
from tests.trusted import trusted

CSV_FILES = (PATIENTS, RESPONSES, WIDE, DICTIONARY)


def test_export_import_export_is_byte_identical(clinic: Clinic, database_url: str, tmp_path: Path) -> None:
    clinic.imports.load(generate_demo_cohort(40, seed=3, today=TODAY))
    seen: list[tuple[int, int]] = []
    clinic.exports.write("csv", tmp_path / "first", progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 100) and seen[-1] == (100, 100)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    batch = parse_import_files([tmp_path / "first" / PATIENTS, tmp_path / "first" / RESPONSES], today=TODAY)
    assert len(batch.patients) == 40 and batch.questionnaires

    second_url = str(tmp_path / "second.sqlite")
    clock = FixedClock(TODAY)
    Clinic.init(second_url, clock=clock)
    with trusted(second_url, "nurse1", clock=clock) as second:
        second.imports.load(batch)
        second.exports.write("csv", tmp_path / "second")
    for name in CSV_FILES:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_exports_read_what_the_database_holds(clinic: Clinic, tmp_path: Path) -> None:
    batch = generate_demo_cohort(12, seed=8, today=TODAY)
    clinic.imports.load(batch)
    courses = clinic.exports.courses()
    assert [c.patient.mrn for c in courses] == sorted(draft.mrn for draft, _ in batch.patients)
    stored = {(c.patient.mrn, q.timepoint, q.response.instrument): q.response
              for c in courses for q in c.questionnaires}
    assert set(stored) == {(q.mrn, q.timepoint, q.instrument) for q in batch.questionnaires}
    for draft in batch.questionnaires:
        response = stored[(draft.mrn, draft.timepoint, draft.instrument)]
        assert {k: v for k, v in response.answers.items() if v is not None} == \
            {k: v for k, v in draft.answers.items() if v is not None}
        assert response.completed_at.date() == draft.completed_on
        assert response.scores and all(score.version for score in response.scores)

    clinic.exports.write("fhir", tmp_path / "bundle.json", deidentify=True)
    document = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    Bundle.model_validate(document)
    responses = [e for e in document["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert len(responses) == len(batch.questionnaires)
    clinic.exports.write("redcap", tmp_path / "redcap")
    with (tmp_path / "redcap" / "redcap_import.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    numbers = {str(c.patient.id): c.patient.mrn for c in courses}  # record_id: the patient's number, not the MRN
    assert {row["record_id"] for row in rows} == set(numbers)
    assert all(numbers[row["record_id"]] == row["mrn"] for row in rows if row["mrn"])


def test_a_questionnaire_still_in_progress_is_not_exported(clinic: Clinic, tmp_path: Path) -> None:
    from tests.factories import ANSWERS, operated_patient

    patient = operated_patient(clinic, surgery=dt.date(2024, 5, 20))
    visit = clinic.schedule.timeline(patient.id)[0]
    response = clinic.collection.open(visit.id, "nrs")
    clinic.collection.save_answer(response.id, "lumbar", ANSWERS["nrs"]["lumbar"])
    (course,) = clinic.exports.courses()
    assert course.questionnaires == ()
    clinic.exports.write("csv", tmp_path)
    assert (tmp_path / RESPONSES).read_text().splitlines() == ["mrn,timepoint,instrument,item,value,mode,completed_on"]


def test_deidentified_exports_of_a_real_database_leak_nothing(clinic: Clinic, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exported"  # the database file itself lives beside it
    tmp_path.mkdir()
    clinic.imports.load(generate_demo_cohort(25, seed=6, today=TODAY))
    clinic.exports.write("csv", tmp_path / "csv", deidentify=True)
    clinic.exports.write("redcap", tmp_path / "redcap", deidentify=True)
    clinic.exports.write("fhir", tmp_path / "bundle.json", deidentify=True)
    everything = b"".join(path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file())
    document = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    data = "".join((tmp_path / "csv" / name).read_text(encoding="utf-8") for name in (PATIENTS, RESPONSES, WIDE))
    data += (tmp_path / "redcap" / "redcap_import.csv").read_text(encoding="utf-8")
    data += json.dumps([e for e in document["entry"] if e["resource"]["resourceType"] != "Questionnaire"],
                       ensure_ascii=False)
    contacts = clinic.contacts.of_patients([course.patient.id for course in clinic.exports.courses()])
    assert len(contacts) == 25
    for details in contacts.values():  # contact details are identified data: never in a de-identified export
        for secret in (details.phone, details.phone_e164, details.email, *details.address.splitlines()):
            assert not secret or secret.encode() not in everything, secret
        assert not details.phone_e164 or details.phone_e164.removeprefix("+").encode() not in everything
    for course in clinic.exports.courses():
        patient = course.patient
        assert patient.mrn.encode() not in everything
        if patient.birth_date:
            assert patient.birth_date.isoformat().encode() not in everything
        assert course.index_procedure.surgery_date.isoformat().encode() not in everything
        for name in (patient.family_name, patient.given_name):  # questionnaire texts aside: 'Long' is a word
            assert f",{name}," not in data and f'"{name}"' not in data, name
    pseudonyms = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert all(set(p) <= {"resourceType", "id", "text", "identifier", "gender"} for p in pseudonyms)
    assert all(p["identifier"][0]["system"].endswith("/identifier/study-id") for p in pseudonyms)
