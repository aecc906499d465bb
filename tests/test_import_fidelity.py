"""What an import stores is what the files say, and an identified CSV export imports back exactly.

Each test runs on a real SQLite file and, when ``SIJPRO_TEST_POSTGRES_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.errors import InputErrors
from sijpro.exchange.import_csv import parse_import_files
from sijpro.instruments import get_instrument
from sijpro.services.file_jobs import import_files
from sijpro.services.session import Session
from tests.conftest import TODAY

PATIENTS = (
    "mrn,family_name,given_name,birth_date,sex,language,bmi,fbss,prior_lumbar_surgeries,"
    "prior_lumbosacral_fusion,prior_interventions,surgery_date,side,approach\n"
    "Q1,Martin,Anne,1960-01-01,F,en,25,0,0,0,none,2023-01-10,left,lateral\n"
)


def write(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


def rows(url: str, query: str) -> list[tuple]:
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def import_problems(clinic: Session, *paths: Path) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        import_files(clinic, paths)
    return caught.value.problems


# --- mode of collection --------------------------------------------------------------------------------

def test_the_mode_column_is_read_and_stored(clinic: Session, database_url: str, tmp_path: Path) -> None:
    responses = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on,mode\n"
                      "Q1,baseline,nrs,lumbar,7,2023-01-05,kiosk\n"
                      "Q1,baseline,nrs,radicular,3,2023-01-05,kiosk\n"
                      "Q1,w6,nrs,lumbar,4,2023-02-21,POST\n"
                      "Q1,w6,nrs,radicular,2,2023-02-21,post\n"
                      "Q1,m3,nrs,lumbar,3,2023-04-11,\n"
                      "Q1,m3,nrs,radicular,1,2023-04-11,\n")
    import_files(clinic, [write(tmp_path, "p.csv", PATIENTS), responses])
    stored = rows(database_url, "SELECT v.timepoint, r.mode FROM responses r JOIN visits v ON v.id = r.visit_id "
                                "ORDER BY v.seq")
    assert stored == [("baseline", "kiosk"), ("w6", "post"), ("m3", "paper")]


def test_without_a_mode_column_a_questionnaire_is_paper(clinic: Session, database_url: str, tmp_path: Path) -> None:
    responses = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on\n"
                      "Q1,baseline,nrs,lumbar,7,2023-01-05\n")
    import_files(clinic, [write(tmp_path, "p.csv", PATIENTS), responses])
    assert rows(database_url, "SELECT mode FROM responses") == [("paper",)]


def test_a_bad_mode_names_file_line_and_field(tmp_path: Path) -> None:
    responses = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on,mode\n"
                      "Q1,baseline,nrs,lumbar,7,2023-01-05,fax\n"
                      "Q1,baseline,nrs,radicular,3,2023-01-05,web\n"
                      "Q1,baseline,nrs,radicular,3,2023-01-05,import\n")
    with pytest.raises(InputErrors) as caught:
        parse_import_files([write(tmp_path, "p.csv", PATIENTS), responses])
    problems = caught.value.problems
    assert problems[0] == "r.csv, line 2, field mode: 'fax' is not one of kiosk, paper, post, phone, web"
    assert problems[1] == "r.csv, line 4, field mode: 'import' is not one of kiosk, paper, post, phone, web"
    assert len(problems) == 2


def test_one_questionnaire_has_one_mode(tmp_path: Path) -> None:
    responses = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on,mode\n"
                      "Q1,baseline,nrs,lumbar,7,2023-01-05,kiosk\n"
                      "Q1,baseline,nrs,radicular,3,2023-01-05,phone\n")
    with pytest.raises(InputErrors) as caught:
        parse_import_files([write(tmp_path, "p.csv", PATIENTS), responses])
    assert caught.value.problems == ["r.csv, line 3, field mode: phone differs from kiosk, given for the same "
                                     "questionnaire (Q1, baseline, nrs) on r.csv, line 2"]


# --- a visit is completed only when all its questionnaires are in -------------------------------------

RECENT = PATIENTS.replace("2023-01-10", "2024-03-01")
"""Surgery on 1 March 2024: on TODAY (3 June 2024) the m3 window (17 May .. 28 June) is open."""


def due_json(url: str, capsys: pytest.CaptureFixture[str], day: str) -> dict:
    assert main(["--db", url, "due", "--json", "--date", day]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_visit_with_some_of_its_questionnaires_stays_due(clinic: Session, database_url: str, tmp_path: Path,
                                                          cli_as, capsys: pytest.CaptureFixture[str]) -> None:
    nrs_only = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on\n"
                     "Q1,m3,nrs,lumbar,3,2024-06-01\nQ1,m3,nrs,radicular,1,2024-06-01\n")
    summary = import_files(clinic, [write(tmp_path, "p.csv", RECENT), nrs_only])
    assert summary.completed_visits == 0
    assert rows(database_url, "SELECT status, completed_on FROM visits WHERE timepoint = 'm3'") == [("scheduled", None)]
    cli_as(database_url, "nurse")
    (entry,) = due_json(database_url, capsys, TODAY.isoformat())["due"]
    assert (entry["mrn"], entry["timepoint"], entry["pending"]) == ("Q1", "m3", ["odi", "sf12", "satisfaction",
                                                                                "relief"])

    lines = ["mrn,timepoint,instrument,item,value,completed_on"]
    for instrument in ("odi", "sf12", "satisfaction", "relief"):
        for item in get_instrument(instrument).items:
            value = "" if item.code == "worse" else str(min(item.accepted_values()))
            lines.append(f"Q1,m3,{instrument},{item.code},{value},2024-06-02")
    import_files(clinic, [write(tmp_path, "rest.csv", "\n".join(lines) + "\n")])
    m3 = rows(database_url, "SELECT status, completed_on FROM visits WHERE timepoint = 'm3'")
    assert [(status, str(day)) for status, day in m3] == [("completed", "2024-06-02")]
    assert due_json(database_url, capsys, TODAY.isoformat())["due"] == []


def test_every_completed_demo_visit_has_all_its_questionnaires(clinic: Session, database_url: str) -> None:
    clinic.imports.load(generate_demo_cohort(200, seed=4, today=TODAY))
    visits = rows(database_url, "SELECT v.status, v.instruments, (SELECT count(*) FROM responses r "
                                "WHERE r.visit_id = v.id AND r.status = 'complete') FROM visits v")
    completed = [(instruments, answered) for status, instruments, answered in visits if status == "completed"]
    assert completed and all(answered == len(instruments.split(",")) for instruments, answered in completed)
    partial = [1 for status, instruments, answered in visits if 0 < answered < len(instruments.split(","))]
    assert partial  # the demo has some visits answered in part: they are not completed


# --- completion dates a timepoint cannot have -----------------------------------------------------------

def test_a_baseline_completed_after_surgery_is_refused(clinic: Session, database_url: str, tmp_path: Path) -> None:
    responses = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on\n"
                      "Q1,baseline,nrs,lumbar,7,2023-01-09\n"
                      "Q1,baseline,odi,odi1,2,2023-01-11\n")
    problems = import_problems(clinic, write(tmp_path, "p.csv", PATIENTS), responses)
    assert problems == ["r.csv, line 3, questionnaire Q1 baseline odi: completed_on 2023-01-11 is after the index "
                        "surgery (2023-01-10): a baseline is never collected after surgery"]
    assert rows(database_url, "SELECT count(*) FROM patients") == [(0,)]


def test_a_follow_up_answered_before_its_window_is_refused(clinic: Session, database_url: str,
                                                           tmp_path: Path) -> None:
    early = write(tmp_path, "r.csv", "mrn,timepoint,instrument,item,value,completed_on\n"
                  "Q1,m12,nrs,lumbar,3,2023-01-27\n"      # 17 days after surgery: the m12 window opens in November
                  "Q1,m12,nrs,radicular,1,2023-01-27\n")
    problems = import_problems(clinic, write(tmp_path, "p.csv", PATIENTS), early)
    assert problems == ["r.csv, line 2, questionnaire Q1 m12 nrs: completed_on 2023-01-27 is before the m12 "
                        "window opens (2023-11-29)"]
    # the same answers for a patient already registered are refused too; late ones are kept (and flagged)
    import_files(clinic, [write(tmp_path, "p.csv", PATIENTS)])
    assert import_problems(clinic, early) == problems
    late = write(tmp_path, "late.csv", "mrn,timepoint,instrument,item,value,completed_on\n"
                 "Q1,w6,nrs,lumbar,3,2023-05-02\n")
    assert import_files(clinic, [late]).questionnaires == 1
