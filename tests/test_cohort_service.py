"""The cohort use case on a real database: ``report cohort --json`` against an independent pandas/scipy
recomputation from the database's own tables, the typed frozen ``CohortSummary``, and DESIGN.md's keys."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sijpro.analysis import CohortSummary
from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.exchange.batch_csv import write_batch_csv
from sijpro.services.clinic import Clinic
from tests.cohort_recompute import assert_matches, at, read_tables, recompute, recompute_tables
from tests.conftest import TODAY
from tests.test_cli_report import pdf_text
from tests.trusted import trusted

EPOCH = "1717430400"


@pytest.fixture
def clinic_db(database_url, clock, monkeypatch, cli_as) -> str:
    """90 demo patients; the command line signed in as a surgeon, whose report the cohort is."""
    Clinic.init(database_url, clock=clock)
    with trusted(database_url, "nurse1", clock=clock) as clinic:
        clinic.imports.load(generate_demo_cohort(90, 5, today=TODAY))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cli_as(database_url, "surgeon")
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


def test_completeness_on_the_clinics_day_equals_designs_visit_state_recomputed(clinic_db, clock) -> None:
    """Counted on the day the demo clinic lives in, so every column has visits: answered, missed, pending
    (due or overdue) and not yet due."""
    with trusted(clinic_db, clock=clock) as clinic:
        summary = clinic.cohort.summary().as_dict()
    expected = recompute(clinic_db, day=pd.Timestamp(TODAY))
    assert_matches(summary["completeness"], expected["completeness"], "completeness")
    assert_matches(summary["lost_vs_followed"], expected["lost_vs_followed"], "lost_vs_followed")
    counts = summary["completeness"]
    for column in ("answered", "missed", "pending", "not_yet_due"):
        assert sum(row[column] for row in counts.values()) > 0, column
    assert counts["baseline"]["pending"] > 0  # booked surgeries: their baseline window is open
    m12 = counts["m12"]
    assert m12["eligible"] == m12["answered"] + m12["missed"] + m12["pending"]
    lost = summary["lost_vs_followed"]
    assert lost["at"] == "last" and lost["followed"]["n"] > 0 and lost["lost"]["n"] > 0
    assert lost["tests"]["age"]["test"] == "mann-whitney" and lost["tests"]["fbss"]["test"] == "fisher"


def test_the_summary_is_typed_frozen_and_its_json_has_designs_keys(clinic_db) -> None:
    with trusted(clinic_db) as clinic:
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
                          "follow_up_days", "completeness", "lost_vs_followed", "thresholds",
                          "model", "complications", "success"]
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
    assert "at 2 years, a reduction of" in pdf_text(pdf)
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--at", "m7"]) == 1
    assert "--at m7: expected a follow-up timepoint (w6, m3, m6, m12, m24) or last" in capsys.readouterr().err


def test_thresholds_are_chosen_per_report_with_their_sources(clinic_db, tmp_path, capsys) -> None:
    out, pdf = tmp_path / "cohort.json", tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--json", str(out),
                 "--mcid", "odi.odi=30%", "--mcid", "nrs.lumbar=3", "--pass", "odi.odi=15.3"]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    odi = summary["thresholds"]["odi.odi"]
    assert odi["mcid"]["source"].startswith("Ostelo RWJG") and odi["mcid"]["version"] == "2026.1"
    assert odi["mcid"]["unit"] == "percent" and odi["mcid"]["value"] == 30
    assert odi["scb"]["value"] == 18.8 and odi["scb"]["source"].startswith("Glassman SD")
    assert odi["pass"]["value"] == 15.3 and "acceptable symptom state" in odi["pass"]["source"]
    assert summary["thresholds"]["nrs.lumbar"]["mcid"]["source"] == "chosen for this report"
    assert summary["thresholds"]["sf12.mcs"]["scb"] is None

    # the percent rule recomputed from the database: improvement of at least 30% of the patient's own baseline
    tables = read_tables(clinic_db)
    scores = tables["scores"]
    for code in ("m6", "last"):
        before, after = at(scores, "odi.odi", "baseline"), at(scores, "odi.odi", code)
        both = pd.concat({"b": before, "a": after}, axis=1, join="inner")
        judged = both[both.b != 0]
        responders = int((((judged.b - judged.a).round(10) / judged.b * 100) >= 30 - 1e-9).sum())
        cell = summary["outcomes"]["odi.odi"][code]
        assert cell["mcid_n"] == responders and cell["mcid_pct"] == pytest.approx(responders / len(judged) * 100)
        low, high = proportion_confint(responders, len(judged), method="wilson")
        assert cell["mcid_ci95"] == pytest.approx([low * 100, high * 100])
        assert cell["pass_n"] == int((both.a <= 15.3).sum())
    text = pdf_text(pdf)
    assert "MCID ≥30%" in text
    assert "Responder thresholds (SIJ-PRO threshold library 2026.1)" in text
    assert "Ostelo RWJG" in text and "Glassman SD" in text and "scipy" in text
    assert "Wilson score interval" in text
    assert "Follow-up completeness" in text and "Figure 1. Follow-up flow" in text
    assert f"Patients with an index surgery: {summary['n_patients']}" in text
    m12 = summary["completeness"]["m12"]
    assert f"12 months {m12['eligible']} {m12['answered']} (" in text  # the completeness table's row

    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--pass", "odi.odi=20%"]) == 1
    assert "a symptom state is a score, not a percentage" in capsys.readouterr().err
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--scb", "odi.odi"]) == 1
    assert "--scb 'odi.odi': expected SCORE=VALUE" in capsys.readouterr().err
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--scb", "odi.oswestry=10"]) == 1
    assert "unknown score 'odi.oswestry'" in capsys.readouterr().err


def test_methods_in_french(clinic_db, tmp_path) -> None:
    pdf = tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--language", "fr"]) == 0
    text = pdf_text(pdf)
    assert "Méthodes statistiques" in text and "intervalle de score de Wilson" in text
    assert "Seuils de réponse (bibliothèque de seuils SIJ-PRO 2026.1)" in text
    assert "Les données manquantes ne sont pas imputées" in text and "« Dernier suivi » est" in text


@pytest.mark.parametrize(("language", "heading", "groups"), [
    ("en", "Software:", "The groups (failed back surgery syndrome) are compared"),
    ("fr", "Logiciels :", "Les groupes (syndrome d’échec de chirurgie rachidienne) sont comparés"),
])
def test_methods_name_every_package_behind_the_numbers_and_the_group_tests(clinic_db, tmp_path, language, heading,
                                                                         groups) -> None:
    """The mixed model is statsmodels': its version is stated with scipy's; a comparison says its tests."""
    from importlib import metadata

    pdf = tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--language", language,
                 "--compare", "fbss"]) == 0
    text = " ".join(pdf_text(pdf).split())
    assert f"scipy {metadata.version('scipy')}, statsmodels {metadata.version('statsmodels')}" in text
    assert heading in text and groups in text and "Kruskal-Wallis" in text
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--language", language]) == 0
    assert groups not in " ".join(pdf_text(pdf).split())


def test_sites_come_in_by_import_and_filter_the_summary(database_url, clock, tmp_path, capsys, cli_as) -> None:
    """A patients file with the optional site column, imported through the command line; the summary of
    one site equals the independent recomputation over that site's patients only."""
    batch = generate_demo_cohort(60, 8, today=TODAY)
    sited = tuple((dataclasses.replace(patient, site=("LYON-2", "NICE", "BREST")[i % 3]), procedure)
                  for i, (patient, procedure) in enumerate(batch.patients))
    patients, responses = tmp_path / "patients.csv", tmp_path / "responses.csv"
    write_batch_csv(dataclasses.replace(batch, patients=sited), patients, responses)
    assert "site" in patients.read_text(encoding="utf-8").splitlines()[0].split(",")
    Clinic.init(database_url, clock=clock)
    cli_as(database_url)  # importing and reporting are an administrator's
    assert main(["--db", database_url, "import", str(patients), str(responses)]) == 0
    out = tmp_path / "nice.json"
    assert main(["--db", database_url, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--json", str(out),
                 "--where", "site=NICE"]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["filters"] == {"site": "NICE"} and summary["n_patients"] == 20
    tables = read_tables(database_url)
    nice = set(tables["patients"][tables["patients"].site == "NICE"].id)
    expected = recompute_tables({**tables, "patients": tables["patients"][tables["patients"].id.isin(nice)],
                                 "procedures": tables["procedures"][tables["procedures"].patient_id.isin(nice)],
                                 "visits": tables["visits"][tables["visits"].patient_id.isin(nice)],
                                 "scores": tables["scores"][tables["scores"].patient_id.isin(nice)]})
    assert assert_matches(summary, expected) > 400
    assert "Patients: site NICE · 20 patients" in pdf_text(tmp_path / "c.pdf")

    bad = tmp_path / "bad.csv"
    bad.write_text(patients.read_text(encoding="utf-8").replace(",NICE", ",NI CE", 1), encoding="utf-8")
    with trusted(database_url) as clinic:
        before = len(clinic.outcomes.cohort())
    assert main(["--db", database_url, "import", str(bad)]) == 1
    assert "field site: 'NI CE' is not a site code" in capsys.readouterr().err
    with trusted(database_url) as clinic:
        assert len(clinic.outcomes.cohort()) == before
    assert main(["--db", database_url, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--where", "site="]) == 1
    assert "--where site=: expected a site code" in capsys.readouterr().err


def test_compare_gives_each_groups_summary_and_the_tests_recomputed(clinic_db, tmp_path) -> None:
    out, pdf = tmp_path / "cohort.json", tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--json", str(out), "--compare", "fbss",
                 "--where", "age_from=40", "--at", "m12"]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    compare = summary["compare"]
    assert compare["key"] == "fbss" and list(compare["groups"]) == ["0", "1"]
    assert summary["filters"] == {"age_from": "40"}
    tables = read_tables(clinic_db)
    people = tables["patients"].merge(tables["procedures"][["patient_id", "surgery_date"]], left_on="id",
                                      right_on="patient_id")
    born, operated = people.birth_date, people.surgery_date
    age = operated.dt.year - born.dt.year - ((operated.dt.month < born.dt.month) | (
        (operated.dt.month == born.dt.month) & (operated.dt.day < born.dt.day))).astype(int)
    old_enough = people[age >= 40]
    ids = {}
    for value, flag in (("0", False), ("1", True)):
        chosen = set(old_enough[old_enough.fbss.notna() & (old_enough.fbss.astype(bool) == flag)].id)
        ids[value] = chosen
        part = {name: frame[frame["id" if name == "patients" else "patient_id"].isin(chosen)]
                for name, frame in tables.items()}
        group = compare["groups"][value]
        assert group["filters"] == {"age_from": "40", "fbss": value}
        assert group["n_patients"] == len(chosen) > 5
        assert_matches({k: group[k] for k in ("baseline", "outcomes", "relief", "satisfaction")},
                       {k: v for k, v in recompute_tables(part).items()
                        if k in ("baseline", "outcomes", "relief", "satisfaction")})
    scores = tables["scores"]
    m12 = [at(scores, "odi.odi", "m12").loc[lambda s, g=g: s.index.isin(ids[g])] for g in ("0", "1")]
    assert compare["tests"]["odi.odi.m12"] == {"test": "mann-whitney",
                                               "p": pytest.approx(stats.mannwhitneyu(*m12).pvalue)}
    ages = [age[people.id.isin(ids[g])] for g in ("0", "1")]
    assert compare["tests"]["age"]["p"] == pytest.approx(stats.mannwhitneyu(*ages).pvalue)
    table = []
    for g in ("0", "1"):
        before = at(scores, "odi.odi", "baseline")
        both = pd.concat({"b": before, "a": at(scores, "odi.odi", "m12")}, axis=1, join="inner")
        both = both[both.index.isin(ids[g])]
        hit = int(((both.b - both.a).round(10) >= 15 - 1e-9).sum())
        table.append([hit, len(both) - hit])
    assert compare["tests"]["odi.odi.m12.mcid"] == {"test": "fisher",
                                                    "p": pytest.approx(stats.fisher_exact(table).pvalue)}
    assert compare["tests"]["fbss"] is None  # the groups are made of it: nothing to test
    text = pdf_text(pdf)
    assert "Comparison by failed back surgery syndrome" in text
    n0, n1 = (compare["groups"][g]["n_patients"] for g in ("0", "1"))
    assert f"without FBSS (n={n0})" in text and f"with FBSS (n={n1})" in text
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--compare", "colour"]) == 1


def test_the_mixed_model_equals_statsmodels_mixedlm_on_the_database(clinic_db, tmp_path) -> None:
    from statsmodels.regression.mixed_linear_model import MixedLM

    out, pdf = tmp_path / "cohort.json", tmp_path / "c.pdf"
    assert main(["--db", clinic_db, "report", "cohort", "-o", str(pdf), "--json", str(out)]) == 0
    summary = json.loads(out.read_text(encoding="utf-8"))
    scores = read_tables(clinic_db)["scores"]
    codes = ["baseline", "w6", "m3", "m6", "m12", "m24"]
    for key in ("nrs.lumbar", "odi.odi", "sf12.pcs"):
        rows = scores[(scores.key == key) & scores.timepoint.isin(codes)]
        present = [code for code in codes if (rows.timepoint == code).any()]
        design = pd.get_dummies(pd.Categorical(rows.timepoint, categories=present)).astype(float).to_numpy()
        fit = MixedLM(rows.value.to_numpy(dtype=float), design, rows.patient_id.to_numpy()).fit(reml=True)
        intervals = np.asarray(fit.conf_int())
        model = summary["model"][key]
        assert model["n_patients"] == rows.patient_id.nunique() and model["n_observations"] == len(rows)
        assert model["residual_variance"] == pytest.approx(fit.scale, rel=1e-4)
        for index, code in enumerate(present):
            point = model["timepoints"][code]
            assert point["mean"] == pytest.approx(fit.fe_params[index], abs=1e-4), (key, code)
            # MixedLM's interval takes its error from the joint observed information; ours is (X'V^-1 X)^-1,
            # as lme4 and SAS report it: the two agree to a few parts in 100,000
            assert point["ci95"] == pytest.approx(list(intervals[index]), rel=1e-4), (key, code)
    text = pdf_text(pdf)
    assert "Estimated means by timepoint, linear mixed model" in text
    assert "Figure 3. Estimated means by timepoint" in text
