"""Import files: every bad-input class is reported with its file, line and field, all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sijpro.errors import InputErrors
from sijpro.exchange.import_csv import PATIENT_COLUMNS, mrns_in_files, parse_import_files
from sijpro.records import PatientDraft, ProcedureDraft

TODAY = dt.date(2025, 6, 1)
PATIENTS = (
    "mrn,family_name,given_name,birth_date,sex,language,bmi,fbss,prior_lumbar_surgeries,"
    "prior_lumbosacral_fusion,prior_interventions,surgery_date,side,approach\n"
    "P1,Lefèvre,Hélène,1961-04-12,F,fr,27.4,1,3,1,SCS;INJ,2023-05-02,bilateral,lateral\n"
    "P2,O'Brien,James,1950-11-30,M,en,,0,0,0,,2024-01-15,left,posterior\n"
)
RESPONSES = (
    "mrn,timepoint,instrument,item,value,completed_on\n"
    "P1,baseline,nrs,lumbar,8,2023-04-20\n"
    "P1,baseline,nrs,radicular,5,2023-04-20\n"
    "P1,w6,odi,odi1,3,2023-06-14\n"
    "P1,w6,odi,odi8,,2023-06-14\n"
    "P2,m3,relief,percent,70,2024-04-20\n"
)


def write(directory: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(text.encode(encoding))
    return path


def parse(*paths: Path, known: frozenset[str] = frozenset()):
    return parse_import_files(paths, known_mrns=known, today=TODAY)


def problems_of(*paths: Path, known: frozenset[str] = frozenset()) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse(*paths, known=known)
    return caught.value.problems


def replace_cell(text: str, line: int, column: str, value: str) -> str:
    """The file with one cell changed; ``line`` counts as an editor does (header = 1)."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def test_valid_files_become_one_batch(tmp_path: Path) -> None:
    batch = parse(write(tmp_path, "r.csv", RESPONSES), write(tmp_path, "p.csv", PATIENTS))
    assert batch.patients == (
        (PatientDraft("P1", "Lefèvre", "Hélène", dt.date(1961, 4, 12), "F", "fr", 27.4, True, 3, True,
                      frozenset({"SCS", "INJ"})),
         ProcedureDraft(dt.date(2023, 5, 2), "bilateral", "lateral")),
        (PatientDraft("P2", "O'Brien", "James", dt.date(1950, 11, 30), "M", "en", None, False, 0, False, None),
         ProcedureDraft(dt.date(2024, 1, 15), "left", "posterior")),
    )
    summary = [(q.mrn, q.timepoint, q.instrument, q.answers, q.completed_on, q.mode, q.language)
               for q in batch.questionnaires]
    assert summary == [
        ("P1", "baseline", "nrs", {"lumbar": 8, "radicular": 5}, dt.date(2023, 4, 20), "paper", "fr"),
        ("P1", "w6", "odi", {"odi1": 3, "odi8": None}, dt.date(2023, 6, 14), "paper", "fr"),
        ("P2", "m3", "relief", {"percent": 70}, dt.date(2024, 4, 20), "paper", "en"),
    ]
    assert [q.source for q in batch.questionnaires] == ["r.csv, line 2", "r.csv, line 4", "r.csv, line 6"]


def test_only_mrn_and_surgery_date_are_required(tmp_path: Path) -> None:
    batch = parse(write(tmp_path, "p.csv", "surgery_date,mrn\n2024-02-01,Z9\n"))
    assert batch.patients == ((PatientDraft("Z9", "", ""), ProcedureDraft(dt.date(2024, 2, 1))),)


def test_excel_files_french_semicolons_bom_crlf_decimal_comma_and_case(tmp_path: Path) -> None:
    text = PATIENTS.replace(",", ";").replace("SCS;INJ", '"scs; inj"').replace("27.4", "27,4")
    text = text.replace("MRN", "mrn").replace(";F;fr;", ";f;FR;").replace("bilateral", "Bilateral")
    path = write(tmp_path, "p.csv", "\ufeff" + text.replace("\n", "\r\n").replace("mrn;", "MRN;", 1))
    (first, _), _ = parse(path).patients
    assert (first.sex, first.language, first.bmi, first.prior_interventions) == ("F", "fr", 27.4,
                                                                                  frozenset({"SCS", "INJ"}))


PATIENT_CELL_CASES = [
    ("mrn", "", "required, but the cell is empty"),
    ("surgery_date", "", "required, but the cell is empty"),
    ("surgery_date", "02/05/2023", "'02/05/2023' is not a date written YYYY-MM-DD"),
    ("surgery_date", "2023-02-29", "2023-02-29 is not a real date"),
    ("surgery_date", "2027-01-01", "more than a year from today"),
    ("birth_date", "1961-13-01", "is not a real date"),
    ("birth_date", "1850-01-01", "before 1900"),
    ("birth_date", "2024-01-01", "is not before the surgery date 2023-05-02"),
    ("birth_date", "2026-01-01", "is in the future"),
    ("birth_date", "1901-01-01", "older than 110 at surgery"),
    ("sex", "W", "'W' is not one of F, M, X"),
    ("language", "de", "'de' is not one of en, fr"),
    ("bmi", "heavy", "'heavy' is not a number"),
    ("bmi", "8.5", "8.5 is outside the plausible range 10-80"),
    ("bmi", "274", "274 is outside the plausible range 10-80"),
    ("bmi", "nan", "is not a number"),
    ("fbss", "yes", "'yes' is not 0 (no) or 1 (yes)"),
    ("prior_lumbar_surgeries", "2.5", "'2.5' is not a whole number"),
    ("prior_lumbar_surgeries", "21", "21 is outside 0-20"),
    ("prior_lumbar_surgeries", "-1", "-1 is outside 0-20"),
    ("prior_lumbosacral_fusion", "2", "'2' is not 0 (no) or 1 (yes)"),
    ("prior_interventions", "SCS;TENS", "'TENS' is not one of SCS, ISS, IDDS, MILD, RFA, INJ"),
    ("prior_interventions", "SCS;", "an empty code is not one of"),
    ("side", "both", "'both' is not one of left, right, bilateral"),
    ("approach", "anterior", "'anterior' is not one of lateral, posterior"),
    ("family_name", "x" * 101, "longer than 100 characters"),
]


@pytest.mark.parametrize(("column", "value", "message"), PATIENT_CELL_CASES)
def test_each_bad_patient_cell_names_file_line_and_field(tmp_path: Path, column: str, value: str,
                                                         message: str) -> None:
    path = write(tmp_path, "patients.csv", replace_cell(PATIENTS, 2, column, value))
    problems = problems_of(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"patients.csv, line 2, field {column}: ")
    assert message in problems[0]


RESPONSE_CELL_CASES = [
    (2, "mrn", "P7", "patient P7 is neither in a patients file of this import nor in the database"),
    (2, "mrn", "", "required, but the cell is empty"),
    (2, "timepoint", "m9", "'m9' is not a timepoint of the protocol (baseline, w6, m3, m6, m12, m24)"),
    (2, "instrument", "eq5d", "'eq5d' is not an instrument"),
    (2, "instrument", "relief", "relief is not collected at baseline (the protocol has nrs, odi, sf12)"),
    (2, "item", "neck", "'neck' is not an item of nrs (lumbar, radicular)"),
    (2, "value", "11", "11 is outside 0-10"),
    (2, "value", "eight", "'eight' is not a number"),
    (2, "value", "7.5", "7.5 is not a whole number"),
    (4, "value", "6", "6 is not one of 0, 1, 2, 3, 4, 5"),
    (2, "completed_on", "", "required, but the cell is empty"),
    (2, "completed_on", "20/04/2023", "is not a date written YYYY-MM-DD"),
    (2, "completed_on", "2025-06-02", "2025-06-02 is in the future"),
    (4, "completed_on", "2023-04-30", "2023-04-30 is before the surgery (2023-05-02), but w6 is a follow-up"),
]


@pytest.mark.parametrize(("line", "column", "value", "message"), RESPONSE_CELL_CASES)
def test_each_bad_response_cell_names_file_line_and_field(tmp_path: Path, line: int, column: str, value: str,
                                                          message: str) -> None:
    text = replace_cell(RESPONSES, line, column, value)
    if column == "completed_on" and line == 4:  # both lines of the questionnaire, so only one problem
        text = replace_cell(text, 5, column, value)
    patients = write(tmp_path, "patients.csv", PATIENTS)
    problems = [p for p in problems_of(patients, write(tmp_path, "answers.csv", text)) if "line 5" not in p]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"answers.csv, line {line}, field {column}: ")
    assert message in problems[0]


def test_responses_may_refer_to_patients_already_in_the_database(tmp_path: Path) -> None:
    answers = write(tmp_path, "answers.csv", RESPONSES)
    batch = parse(answers, known=frozenset({"P1", "P2"}))
    assert [q.mrn for q in batch.questionnaires] == ["P1", "P1", "P2"]
    assert batch.patients == ()


def test_a_patient_already_in_the_database_is_not_registered_again(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "p.csv", PATIENTS), known=frozenset({"P2"}))
    assert problems == ["p.csv, line 3, field mrn: patient P2 is already in the database"]


def test_every_problem_of_every_file_is_listed_in_file_and_line_order(tmp_path: Path) -> None:
    patients = PATIENTS + "P3,Roy,Luc,1970-01-01,M,en,31,0,1,0,,2024-03-01,right,lateral\n"
    patients = replace_cell(patients, 2, "sex", "female")
    patients = replace_cell(patients, 4, "bmi", "3")
    patients = replace_cell(patients, 4, "side", "middle")
    responses = RESPONSES + "P3,m6,sf12,GH1,9,2024-09-01\nP9,w6,nrs,lumbar,4,2024-04-20\n"
    answers = write(tmp_path, "answers.csv", responses)
    people = write(tmp_path, "people.csv", patients)
    problems = problems_of(answers, people)
    assert problems == [
        "answers.csv, line 7, field value: 9 is not one of 1, 2, 3, 4, 5",
        "answers.csv, line 8, field mrn: patient P9 is neither in a patients file of this import nor in the "
        "database",
        "people.csv, line 2, field sex: 'female' is not one of F, M, X",
        "people.csv, line 4, field bmi: 3 is outside the plausible range 10-80",
        "people.csv, line 4, field side: 'middle' is not one of left, right, bilateral",
    ]
    assert str(InputErrors(problems)).count("\n") == 4


def test_duplicate_patients_items_and_conflicting_dates(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", PATIENTS)
    second = write(tmp_path, "b.csv", PATIENTS.splitlines()[0] + "\n" + PATIENTS.splitlines()[2] + "\n")
    answers = write(tmp_path, "r.csv", RESPONSES + "P1,baseline,nrs,lumbar,7,2023-04-20\n"
                    "P1,w6,odi,odi2,2,2023-06-15\n")
    assert problems_of(first, second, answers) == [
        "b.csv, line 2, field mrn: patient P2 appears twice (also a.csv, line 3)",
        "r.csv, line 7, field item: lumbar is answered twice in questionnaire (P1, baseline, nrs) "
        "(also r.csv, line 2)",
        "r.csv, line 8, field completed_on: 2023-06-15 differs from 2023-06-14, given for the same "
        "questionnaire (P1, w6, odi) on r.csv, line 4",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("mrn,surgery_date,shoe_size\nP1,2024-01-01,42\n", "x.csv, line 1: unknown column 'shoe_size'"),
    ("mrn,surgery_date,mrn\nP1,2024-01-01,P1\n", "x.csv, line 1: column 'mrn' appears twice"),
    ("mrn,family_name\nP1,Roy\n", "x.csv, line 1: missing column 'surgery_date'"),
    ("mrn,timepoint,instrument,item,value\nP1,w6,nrs,lumbar,3\n", "x.csv, line 1: missing column 'completed_on'"),
    ("mrn,name,date\nP1,Roy,2024-01-01\n", "x.csv, line 1: cannot tell the kind of file from its header"),
    ("", "x.csv: the file is empty (a header row is needed)"),
    ("mrn,surgery_date\nP1,2024-01-01\n\"P2,2024-01-01\n", "x.csv, line 3: malformed CSV"),
    ("mrn,surgery_date\nP1,2024-01-01,left\n", "x.csv, line 2: expected 2 fields, found 3"),
])
def test_file_level_problems(tmp_path: Path, text: str, message: str) -> None:
    problems = problems_of(write(tmp_path, "x.csv", text))
    assert any(problem.startswith(message) for problem in problems), problems


def test_a_file_that_is_not_utf8_or_missing_is_reported_with_the_others(tmp_path: Path) -> None:
    latin = write(tmp_path, "latin.csv", PATIENTS, encoding="latin-1")
    answers = write(tmp_path, "answers.csv", replace_cell(RESPONSES, 3, "value", "x"))
    problems = problems_of(latin, tmp_path / "absent.csv", answers)
    assert problems[0] == "latin.csv, line 2: not UTF-8 text (save the file as CSV UTF-8)"
    assert problems[1].startswith(f"{tmp_path / 'absent.csv'}: cannot read the file")
    # The patients could not be read, so their answers are unknown patients as well as bad values.
    assert "answers.csv, line 3, field value: 'x' is not a number" in problems


def test_a_broken_patient_line_does_not_make_its_answers_unknown(tmp_path: Path) -> None:
    patients = write(tmp_path, "p.csv", PATIENTS.replace("SCS;INJ", "SCS,INJ"))
    problems = problems_of(patients, write(tmp_path, "r.csv", RESPONSES))
    assert problems == ["p.csv, line 2: expected 14 fields, found 15 (a cell holding the delimiter must be quoted)"]


def test_header_only_files_give_an_empty_batch(tmp_path: Path) -> None:
    batch = parse(write(tmp_path, "p.csv", ",".join(PATIENT_COLUMNS) + "\n"))
    assert (batch.patients, batch.questionnaires) == ((), ())


def test_mrns_in_files_reads_leniently(tmp_path: Path) -> None:
    answers = write(tmp_path, "r.csv", RESPONSES + ",w6,nrs,lumbar,3,2024-01-01\n\"P5,w6\n")
    assert mrns_in_files([write(tmp_path, "p.csv", PATIENTS), answers, tmp_path / "absent.csv"]) == {"P1", "P2"}
    assert mrns_in_files([write(tmp_path, "x.csv", "surgery_date\n2024-01-01\n")]) == set()
