"""The cohort use case on a real database: ``report cohort --json`` against an independent pandas/scipy
recomputation from the database's own tables, the typed frozen ``CohortSummary``, and DESIGN.md's keys."""

from __future__ import annotations

import dataclasses
import json

import pytest

from sijpro.analysis import CohortSummary
from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.services.clinic import Clinic
from tests.cohort_recompute import assert_matches, recompute
from tests.conftest import TODAY

EPOCH = "1717430400"


@pytest.fixture
def clinic_db(database_url, clock, monkeypatch) -> str:
    Clinic.init(database_url, clock=clock)
    with Clinic.open(database_url, actor="nurse1", clock=clock) as clinic:
        clinic.imports.load(generate_demo_cohort(90, 5, today=TODAY))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return database_url


def test_report_cohort_json_equals_an_independent_recomputation(clinic_db, tmp_path) -> None:
    out = tmp_path / "cohort.json"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--json", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    expected = recompute(clinic_db)
    checked = assert_matches(summary, expected)
    assert checked > 550  # every number of every table, not a sample
    m12 = summary["outcomes"]["odi.odi"]["m12"]
    assert m12["n_paired"] > 10 and m12["p_wilcoxon"] is not None  # the comparison is not of empty tables


def test_the_summary_is_typed_frozen_and_its_json_has_designs_keys(clinic_db) -> None:
    with Clinic.open(clinic_db) as clinic:
        summary = clinic.cohort.summary({"fbss": "1"})
    assert isinstance(summary, CohortSummary)
    assert 0 < summary.n_patients < summary.n_total
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.n_patients = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        summary.outcomes["odi.odi"]["m12"]["mean"] = 0  # type: ignore[index]
    data = json.loads(summary.to_json())
    assert data == summary.as_dict()
    assert list(data) == ["n_patients", "filters", "at", "baseline", "outcomes", "satisfaction", "relief",
                          "follow_up_days"]
    assert data["filters"] == {"fbss": "1"} and data["at"] == "last"
    assert set(data["relief"]["last"]) == {"n", "mean", "sd", "ge30", "ge50", "ge80", "worse"}
    assert set(data["follow_up_days"]) == {"n", "mean", "sd", "median", "q1", "q3", "min", "max"}
    as_text = summary.to_json()
    assert "00000000" not in as_text and "99999999" not in as_text  # free of float noise


def test_at_picks_the_timepoint_of_the_results_sentences(clinic_db, tmp_path, capsys) -> None:
    out = tmp_path / "cohort.json"
    pdf = tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--json", str(out), "--at", "m24"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["at"] == "m24"
    from tests.test_cli_report import pdf_text
    assert "at 2 years, a reduction of" in pdf_text(pdf)
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--at", "m7"]) == 1
    assert "--at m7: expected a follow-up timepoint (w6, m3, m6, m12, m24) or last" in capsys.readouterr().err
