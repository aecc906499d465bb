"""A relief percentage together with "worse than before surgery" = 1 contradicts the relief instrument's
rule (worse leaves the percentage empty): ``sijpro score`` and ``sijpro import`` refuse it, naming the
line; worse alone and a percentage with worse 0 are accepted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.instruments import get_instrument
from sijpro.protocol import default_protocol
from tests.conftest import TODAY

MESSAGE = "relief items 'percent' and 'worse': percent 50 with worse 1 contradict each other"


def test_score_refuses_a_percentage_with_worse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = tmp_path / "relief.csv"
    given.write_text("percent,worse\n50,1\n,1\n40,0\n", encoding="utf-8")
    assert main(["score", "relief", str(given), "-o", str(tmp_path / "out.csv")]) == 1
    err = capsys.readouterr().err
    assert f"line 2: {MESSAGE}" in err and "line 3" not in err and "line 4" not in err
    assert (tmp_path / "out.csv").read_text("utf-8").splitlines()[2:] == [",1,0,1", "40,0,40,0"]


def test_import_refuses_a_percentage_with_worse(tmp_path: Path, cli_as: Callable[..., str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "clinic.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    cli_as(str(db))
    (tmp_path / "patients.csv").write_text("mrn,surgery_date\nR-1,2024-01-08\n", encoding="utf-8")
    (tmp_path / "responses.csv").write_text(
        "mrn,timepoint,instrument,item,value,completed_on\n"
        "R-1,w6,relief,percent,50,2024-02-19\nR-1,w6,relief,worse,1,2024-02-19\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(tmp_path / "patients.csv"), str(tmp_path / "responses.csv")]) == 1
    err = capsys.readouterr().err
    assert "responses.csv" in err and MESSAGE in err
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM patients").fetchone() == (0,)


def test_demo_relief_answers_keep_the_rule() -> None:
    relief = get_instrument("relief")
    batch = generate_demo_cohort(200, seed=11, today=TODAY, protocol=default_protocol())
    answered = [q.answers for q in batch.questionnaires if q.instrument == "relief"]
    assert answered and all(relief.contradictions(answers) == [] for answers in answered)
