"""CSV export: the import files read back through the real import parser, the wide file agrees with
them, and the data dictionary describes every column of every file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from sijpro.exchange import export_csv
from sijpro.exchange.import_csv import parse_import_files
from sijpro.exchange.subjects import AnsweredQuestionnaire, PatientCourse, local_day, prepare_export
from sijpro.protocol import default_protocol
from sijpro.records import ImportBatch, PatientRecord, ProcedureRecord, ResponseRecord, ScoreValue
from sijpro.scoring import score_answers
from tests.exchange_data import make_courses

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def courses_from_batch(batch: ImportBatch) -> list[PatientCourse]:
    """What a database would hold after importing ``batch`` (scored on import, completed at noon UTC)."""
    protocol = default_protocol()
    courses = []
    for number, (draft, procedure) in enumerate(batch.patients, start=1):
        patient = PatientRecord(id=number, **vars(draft))
        index = ProcedureRecord(id=number, patient_id=number, **vars(procedure))
        answered = []
        for q in (q for q in batch.questionnaires if q.mrn == draft.mrn):
            scored = score_answers(q.instrument, q.answers, **protocol.scoring_options(q.instrument))
            moment = dt.datetime.combine(q.completed_on, dt.time(12))
            answered.append(AnsweredQuestionnaire(q.timepoint, ResponseRecord(
                id=len(answered) + 1, visit_id=0, instrument=q.instrument, mode=q.mode, language=q.language,
                status="complete", started_at=moment, completed_at=moment, answers=dict(q.answers),
                scores=tuple(ScoreValue(q.instrument, k, v, scored.version) for k, v in scored.values.items()),
            )))
        courses.append(PatientCourse(patient, index, tuple(answered)))
    return courses


def export(courses, directory: Path, deidentify: bool = False) -> list[str]:
    made = prepare_export(courses, default_protocol(), EXPORTED_AT, deidentify=deidentify, key=b"k")
    return export_csv.write_csv_export(made, directory)


def test_import_files_read_back_and_export_again_byte_identical(tmp_path: Path) -> None:
    courses = make_courses(25, seed=5)
    names = export(courses, tmp_path / "first")
    assert names == ["patients.csv", "responses.csv", "complications.csv", "analysis_wide.csv", "data_dictionary.csv",
                     "datapackage.json"]
    batch = parse_import_files([tmp_path / "first" / "responses.csv", tmp_path / "first" / "patients.csv"])
    assert len(batch.patients) == 25
    original = {c.patient.mrn: c for c in courses}
    for draft, procedure in batch.patients:
        patient = original[draft.mrn].patient
        assert (draft.family_name, draft.given_name, draft.birth_date, draft.bmi, draft.prior_interventions) == (
            patient.family_name, patient.given_name, patient.birth_date, patient.bmi, patient.prior_interventions)
        assert procedure.surgery_date == original[draft.mrn].index_procedure.surgery_date
    expected = {(c.patient.mrn, q.timepoint, q.response.instrument): q.response for c in courses
                for q in c.questionnaires}
    assert {(q.mrn, q.timepoint, q.instrument) for q in batch.questionnaires} == set(expected)
    for q in batch.questionnaires:
        response = expected[(q.mrn, q.timepoint, q.instrument)]
        assert q.answers == response.answers
        assert q.completed_on == local_day(response.completed_at)
    export(courses_from_batch(batch), tmp_path / "second")
    for name in names:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_wide_file_has_one_row_per_patient_and_timepoint_with_scores(tmp_path: Path) -> None:
    courses = make_courses(8, seed=9)
    export(courses, tmp_path)
    wide = read(tmp_path / "analysis_wide.csv")
    expected = {(c.patient.mrn, q.timepoint) for c in courses for q in c.questionnaires}
    assert sorted((row["mrn"], row["timepoint"]) for row in wide) == sorted(expected)
    responses = read(tmp_path / "responses.csv")
    for row in responses:
        match = next(w for w in wide if (w["mrn"], w["timepoint"]) == (row["mrn"], row["timepoint"]))
        column = row["item"].lower() if row["item"].lower().startswith(row["instrument"]) else \
            f"{row['instrument']}_{row['item'].lower()}"
        assert match[column] == (row["value"] or "ASKU")  # the analysis file says why a cell is empty
    for course in courses:
        for q in course.questionnaires:
            row = next(w for w in wide if (w["mrn"], w["timepoint"]) == (course.patient.mrn, q.timepoint))
            if q.response.instrument == "odi":
                value = q.response.scores[0].value
                assert row["odi_score"] == ("ASKU" if value is None else f"{value:.1f}")
            assert int(row["days_from_surgery"]) >= (local_day(q.response.completed_at)
                                                     - course.index_procedure.surgery_date).days


@pytest.mark.parametrize("deidentify", [False, True], ids=["identified", "deidentified"])
def test_dictionary_describes_every_column_and_every_code(tmp_path: Path, deidentify: bool) -> None:
    export(make_courses(10, seed=4), tmp_path, deidentify)
    dictionary = read(tmp_path / "data_dictionary.csv")
    described = {(row["file"], row["column"]): row for row in dictionary}
    for name in ("patients.csv", "responses.csv", "analysis_wide.csv"):
        rows = read(tmp_path / name)
        header = list(rows[0])
        assert [column for (file, column) in described if file == name] == header
        for column in header:
            entry = described[(name, column)]
            assert entry["label"] and entry["type"]
            codes = {part.split(" = ", 1)[0] for part in entry["codes"].split("; ")} if entry["codes"] else None
            for row in rows:
                value = row[column]
                if not value or (name == "analysis_wide.csv" and value in ("NASK", "ASKU", "UNK")):
                    continue
                if entry["type"] == "code":
                    assert value in codes, (name, column, value)
                elif entry["type"] == "codes":
                    assert set(value.split(";")) <= codes
                elif entry["type"] == "yesno":
                    assert value in ("0", "1")
                elif entry["type"] == "integer":
                    int(value)
                elif entry["type"] == "number":
                    float(value)
                elif entry["type"] == "date":
                    dt.date.fromisoformat(value)
        assert all(row["identifying"] == ("yes" if not deidentify and row["column"] in
                   {"mrn", "family_name", "given_name", "birth_date", "surgery_date", "completed_on", "occurred_on",
                    "notes", "phone", "email", "address"} else "no")
                   for row in dictionary)


def test_a_failed_export_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    from sijpro.progress import Cancelled

    target = tmp_path / "out"
    target.mkdir()
    (target / "patients.csv").write_text("old\n")

    def cancel(done: int, total: int) -> None:
        if done == 3:
            raise Cancelled

    made = prepare_export(make_courses(6), default_protocol(), EXPORTED_AT)
    with pytest.raises(Cancelled):
        export_csv.write_csv_export(made, target, cancel)
    assert sorted(p.name for p in target.iterdir()) == ["patients.csv"]
    assert (target / "patients.csv").read_text() == "old\n"
