"""De-identification: no MRN, name, birth date or calendar date in any byte of any exported file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sijpro.exchange import export_csv, fhir, redcap
from sijpro.exchange.subjects import AGE_TOP_CODE, age_at, local_day, prepare_export, study_ids, subjects
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[list, Path]:
    courses = make_courses(30, seed=21)
    directory = tmp_path_factory.mktemp("deidentified")
    export = prepare_export(courses, default_protocol(), EXPORTED_AT, deidentify=True)
    export_csv.write_csv_export(export, directory / "csv")
    redcap.write_redcap_export(export, directory / "redcap")
    fhir.write_fhir_export(export, directory / "bundle.json")
    return courses, directory


def exported_files(directory: Path) -> list[Path]:
    files = [path for path in directory.rglob("*") if path.is_file()]
    assert len(files) == 6 + 6 + 1
    return files


def test_no_identifier_of_any_patient_in_any_file(exported) -> None:
    courses, directory = exported
    files = {path: path.read_bytes() for path in exported_files(directory)}
    folded = {path: data.decode("utf-8").casefold() for path, data in files.items()}
    for course in courses:
        patient = course.patient
        secrets = [patient.mrn, patient.family_name, patient.given_name]
        if patient.birth_date:
            secrets.append(patient.birth_date.isoformat())
        secrets.append(course.index_procedure.surgery_date.isoformat())
        secrets.extend(local_day(q.response.completed_at).isoformat() for q in course.questionnaires)
        secrets.extend(q.response.completed_at.date().isoformat() for q in course.questionnaires)
        for secret in secrets:
            for path, data in files.items():
                assert secret.encode("utf-8") not in data, (secret, path.name)
                assert secret.casefold() not in folded[path], (secret, path.name)


def test_no_calendar_date_at_all_except_the_bundle_timestamp(exported) -> None:
    _, directory = exported
    for path in exported_files(directory):
        found = set(ISO_DATE.findall(path.read_bytes()))
        allowed = {b"2024-06-01"} if path.suffix == ".json" else set()
        assert found <= allowed, (path.name, sorted(found)[:5])


def test_study_ids_depend_on_the_key_not_on_the_mrn_order() -> None:
    mrns = [f"H{n:07d}" for n in range(200)]
    first, second = study_ids(mrns, b"one"), study_ids(mrns, b"two")
    assert sorted(first.values()) == [f"S{n:04d}" for n in range(1, 201)]
    assert first == study_ids(list(reversed(mrns)), b"one")  # stable within one export
    assert first != second
    in_mrn_order = [first[mrn] for mrn in sorted(mrns)]
    assert in_mrn_order != sorted(in_mrn_order)


def test_ids_are_consistent_across_the_files_of_one_export(exported) -> None:
    _, directory = exported
    patients = (directory / "csv" / "patients.csv").read_text().splitlines()[1:]
    ids = {line.split(",", 1)[0] for line in patients}
    assert len(ids) == 30 and all(re.fullmatch(r"S\d{4}", i) for i in ids)
    redcap_ids = {line.split(",", 1)[0] for line in (directory / "redcap" / "redcap_import.csv").read_text()
                  .splitlines()[1:]}
    assert redcap_ids == ids
    bundle = (directory / "bundle.json").read_text()
    assert all(f'"value":"{i}"' in bundle for i in ids)


def test_ages_and_days_replace_dates() -> None:
    courses = make_courses(5, seed=1)
    plain = {s.subject_id: s for s in subjects(courses, default_protocol())}
    hidden = subjects(courses, default_protocol(), deidentify=True, key=b"x")
    mapping = study_ids([c.patient.mrn for c in courses], b"x")
    for course in courses:
        subject = next(s for s in hidden if s.subject_id == mapping[course.patient.mrn])
        assert subject.identity is None
        assert subject.age_at_surgery == plain[course.patient.mrn].age_at_surgery
        surgery = course.index_procedure.surgery_date
        assert [q.day for q in subject.questionnaires] == [
            (q.completed_on - surgery).days for q in plain[course.patient.mrn].questionnaires]
        assert all(q.completed_at is None for q in subject.questionnaires)


def test_ages_are_top_coded_at_ninety_when_deidentified() -> None:
    birth = dt.date(1920, 3, 1)
    assert age_at(birth, dt.date(2022, 2, 28), top_code=False) == 101
    assert age_at(birth, dt.date(2022, 2, 28), top_code=True) == AGE_TOP_CODE
    assert age_at(birth, dt.date(2009, 3, 1), top_code=True) == 89
