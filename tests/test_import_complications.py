"""Complications by import (issue 17 item 6): a complications file, told by its header, checked line by line
with file, line and field, read back from ``export csv`` unchanged, and the demo clinic's own complications.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.services.clinic import Clinic
from tests.conftest import TODAY
from tests.trusted import trusted

HEADER = "mrn,occurred_on,kind,side,revision,notes\n"


@pytest.fixture
def demo_clinic(database_url: str, clock, cli_as) -> str:
    Clinic.init(database_url, clock=clock)
    with trusted(database_url, "nurse1", clock=clock) as clinic:
        clinic.imports.load(generate_demo_cohort(60, 8, today=TODAY))
    cli_as(database_url, "admin")
    return database_url


def standing(url: str) -> list[tuple]:
    with trusted(url) as clinic:
        return sorted((o.patient.mrn, c.occurred_on, c.kind, c.side, c.revision, c.notes)
                      for o in clinic.outcomes.cohort() for c in o.complications)


def test_the_demo_clinic_has_complications_and_the_cohort_reports_them(demo_clinic, tmp_path) -> None:
    recorded = standing(demo_clinic)
    assert 2 <= len(recorded) <= 15  # about one patient in ten
    assert any(revision for *_, revision, _ in recorded)
    out = tmp_path / "cohort.json"
    assert main(["--db", demo_clinic, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--json", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))["complications"]
    assert summary["n_events"] == len(recorded)
    assert summary["reoperation"]["n"] == len({mrn for mrn, *_, revision, _ in recorded if revision})


def test_export_csv_writes_complications_that_import_reads_back_byte_identical(demo_clinic, tmp_path, clock,
                                                                               cli_as, capsys) -> None:
    assert main(["--db", demo_clinic, "export", "csv", "-o", str(tmp_path / "first")]) == 0
    copy = str(tmp_path / "copy.sqlite")
    Clinic.init(copy, clock=clock)
    cli_as(copy, "admin")
    files = [str(tmp_path / "first" / name) for name in ("complications.csv", "responses.csv", "patients.csv")]
    capsys.readouterr()
    assert main(["--db", copy, "import", *files]) == 0
    assert f", {len(standing(demo_clinic))} complications into" in capsys.readouterr().out
    assert standing(copy) == standing(demo_clinic)
    assert main(["--db", copy, "export", "csv", "-o", str(tmp_path / "second")]) == 0
    for name in ("patients.csv", "responses.csv", "complications.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    assert main(["--db", copy, "verify"]) == 0  # every imported complication is audited and fingerprinted
    assert main(["--db", copy, "import", files[0]]) == 1  # the same complications again
    assert "this complication is already recorded for the patient" in capsys.readouterr().err


def test_every_bad_line_is_named_by_file_line_and_field_and_nothing_is_imported(demo_clinic, tmp_path,
                                                                                capsys) -> None:
    before = standing(demo_clinic)
    with trusted(demo_clinic) as clinic:
        operated = [o for o in clinic.outcomes.cohort() if o.index_procedure.surgery_date < TODAY]
    first, second = operated[0], operated[1]
    surgery = first.index_procedure.surgery_date
    new = tmp_path / "new_patient.csv"
    new.write_text("mrn,surgery_date\nNEW-1,2024-03-01\n", encoding="utf-8")
    bad = tmp_path / "complications.csv"
    bad.write_text(HEADER + "\n".join([
        f"{first.patient.mrn},{surgery},wound_infection,left,0,",                        # 2: fine
        f"{first.patient.mrn},2999-01-01,deep_infection,right,1,",                       # 3: future
        f"{second.patient.mrn},{surgery},gout,,0,",                                      # 4: unknown kind
        f"{second.patient.mrn},{surgery},haematoma,up,2,",                               # 5: side, revision
        "NOBODY,2024-01-01,haematoma,,0,",                                               # 6: unknown patient
        f"{first.patient.mrn},{surgery},wound_infection,left,0,again",                   # 7: twice
        f"{second.patient.mrn},{surgery},haematoma,,1,",                                 # 8: fine
        "NEW-1,2024-02-01,other,,0,",                                                    # 9: before, no notes
        f"{second.patient.mrn},03/04/2024,haematoma,,,",                                 # 10: date, revision
    ]) + "\n", encoding="utf-8")
    assert main(["--db", demo_clinic, "import", str(new), str(bad)]) == 1
    errors = capsys.readouterr().err
    for expected in (
        "complications.csv, line 3, field occurred_on: 2999-01-01 is in the future",
        "complications.csv, line 4, field kind: 'gout' is not one of wound_infection",
        "complications.csv, line 5, field side: 'up' is not one of left, right, bilateral",
        "complications.csv, line 5, field revision: '2' is not 0 (no) or 1 (yes)",
        "complications.csv, line 6, field mrn: patient NOBODY is neither in a patients file",
        f"complications.csv, line 7, field kind: the same complication of {first.patient.mrn} appears twice "
        "(also complications.csv, line 2)",
        "complications.csv, line 9, field occurred_on: 2024-02-01 is before the index surgery (2024-03-01)",
        "complications.csv, line 9, field notes: say what the complication was when its kind is 'other'",
        "complications.csv, line 10, field occurred_on: '03/04/2024' is not a date written YYYY-MM-DD",
        "complications.csv, line 10, field revision: required, but the cell is empty",
    ):
        assert expected in errors, (expected, errors)
    assert "line 2" not in errors.replace("also complications.csv, line 2", "") and "line 8" not in errors
    assert standing(demo_clinic) == before
    with trusted(demo_clinic) as clinic:
        assert clinic.patients.by_mrn("NEW-1") is None  # the patients file of the same import neither
    # A registered patient's surgery is the database's: checked once the files are, still naming the line.
    second_surgery = second.index_procedure.surgery_date
    bad.write_text(HEADER + f"{second.patient.mrn},{second_surgery.replace(year=second_surgery.year - 1)},"
                   "haematoma,,0,\n", encoding="utf-8")
    assert main(["--db", demo_clinic, "import", str(bad)]) == 1
    assert (f"complications.csv, line 2: complication of {second.patient.mrn}: field 'occurred_on': "
            f"{second_surgery.replace(year=second_surgery.year - 1)} is before the surgery on {second_surgery}"
            ) in capsys.readouterr().err
    assert standing(demo_clinic) == before


def test_a_complications_header_is_told_from_the_other_kinds(tmp_path: Path) -> None:
    from sijpro.exchange.csv_files import parse_csv_text
    from sijpro.exchange.import_csv import file_kind

    def kind(header: str) -> str | None:
        return file_kind(parse_csv_text(header + "\n", "x.csv"))

    assert kind("mrn,occurred_on,kind,side,revision") == "complications"
    assert kind("mrn,surgery_date,side") == "patients"
    assert kind("study_id,site,days_from_surgery,kind,side,revision") == "study_complications"
    assert kind("study_id,site,timepoint,instrument,item,value,days_from_surgery") == "study_responses"
    assert kind("mrn,side") is None  # side is both a patient's and a complication's
