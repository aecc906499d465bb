"""``sijpro due --date`` of a past day shows each visit as it was that day: the visit state is a pure
function of the visit's record and the day (DESIGN.md "Visit state"), never a stored "missed"."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sijpro.cli import main

PATIENTS = ("mrn,family_name,given_name,birth_date,sex,language,bmi,fbss,prior_lumbar_surgeries,"
            "prior_lumbosacral_fusion,prior_interventions,surgery_date,side,approach\n"
            "OLD-1,Doe,Jane,1950-01-01,F,en,,,,,,2022-01-10,left,lateral\n")


def _due(capsys: pytest.CaptureFixture[str], db: Path, day: str) -> dict[str, str]:
    assert main(["--db", str(db), "due", "--date", day, "--json", "--missed-days", "3650"]) == 0
    listed = json.loads(capsys.readouterr().out)
    return {entry["timepoint"]: section for section in ("due", "overdue", "upcoming", "missed")
            for entry in listed[section]}


def test_due_on_a_past_day_shows_the_visit_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     cli_as: Callable[..., str]) -> None:
    db = tmp_path / "clinic.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    cli_as(str(db))
    (tmp_path / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    assert main(["--db", str(db), "import", str(tmp_path / "patients.csv")]) == 0
    capsys.readouterr()
    # Imported long after every window closed: all six visits are missed today ...
    assert set(_due(capsys, db, "2024-06-03").values()) == {"missed"}
    # ... but on 21 February 2022 (surgery 10 January) the w6 visit was due and the baseline missed; on
    # 15 March w6 was overdue (its window closed on 7 March) and m3 upcoming (it opened on 27 March).
    on_the_day = _due(capsys, db, "2022-02-21")
    assert on_the_day == {"w6": "due", "baseline": "missed"}
    assert _due(capsys, db, "2022-03-15") == {"w6": "overdue", "m3": "upcoming", "baseline": "missed"}

    # A status "missed" written straight into the file (as an earlier version stored it) changes nothing.
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE visits SET status = 'missed' WHERE timepoint IN ('w6', 'm3')")
    assert _due(capsys, db, "2022-02-21") == on_the_day
