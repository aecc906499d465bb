"""What an import stores is what the files say, and an identified CSV export imports back exactly.

Each test runs on a real SQLite file and, when ``SIJPRO_TEST_POSTGRES_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sijpro.errors import InputErrors
from sijpro.exchange.import_csv import parse_import_files
from sijpro.services.file_jobs import import_files
from sijpro.services.session import Session

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
