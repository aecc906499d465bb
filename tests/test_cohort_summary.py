"""The cohort summary JSON (DESIGN.md) against an independent computation on generated cohorts."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics

import numpy as np
import pytest
from scipy import stats

from sijpro.analysis import (
    cohort_summary,
    latest_with_score,
    parse_where,
    patient_trajectory,
    resolve_mcid,
    select,
    sex_counts,
)
from sijpro.errors import UserError
from sijpro.protocol import default_protocol
from sijpro.records import PRIOR_INTERVENTIONS
from tests.cohort_factory import make_cohort
from tests.outcome_builders import patient, visit

FOLLOW_UPS = ("w6", "m3", "m6", "m12", "m24")
SCORES = ("nrs.lumbar", "nrs.radicular", "odi.odi", "sf12.pcs", "sf12.mcs")
DESCRIBE = {"n", "mean", "sd", "median", "min", "max"}
PAIRED = {"n_paired", "mean_change", "mean_change_ci95", "pct_change_of_means", "mean_pct_change", "p_ttest",
          "p_wilcoxon", *(f"{kind}_{part}" for kind in ("mcid", "scb", "pass") for part in ("n", "pct", "ci95"))}


def summary_of(*args, **kwargs) -> dict:
    """The summary as its JSON object."""
    return cohort_summary(*args, **kwargs).as_dict()


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(240, seed=11)


@pytest.fixture(scope="module")
def summary(cohort):
    return summary_of(cohort)


def test_keys_are_exactly_those_of_the_design(summary) -> None:
    assert set(summary) == {"n_patients", "filters", "at", "baseline", "outcomes", "satisfaction", "relief",
                            "follow_up_days", "completeness", "lost_vs_followed", "thresholds", "model",
                            "complications", "success"}
    assert set(summary["complications"]) >= {"n_patients_with_any", "by_kind", "reoperation"}
    assert summary["filters"] == {} and summary["at"] == "last"
    assert set(summary["baseline"]) == {
        "age", "bmi", "prior_lumbar_surgeries", "female", "fbss", "bilateral", "prior_lumbosacral_fusion",
        *PRIOR_INTERVENTIONS,
    }
    for key in ("age", "bmi", "prior_lumbar_surgeries"):
        assert set(summary["baseline"][key]) == DESCRIBE
    for key in ("female", "fbss", "bilateral", "prior_lumbosacral_fusion", *PRIOR_INTERVENTIONS):
        assert set(summary["baseline"][key]) == {"n", "pct"}
    assert tuple(summary["outcomes"]) == SCORES
    for table in summary["outcomes"].values():
        assert tuple(table) == ("baseline", *FOLLOW_UPS, "last")
        assert set(table["baseline"]) == DESCRIBE
        for code in (*FOLLOW_UPS, "last"):
            assert set(table[code]) == DESCRIBE | PAIRED
    assert tuple(summary["satisfaction"]) == (*FOLLOW_UPS, "last")
    for cell in summary["satisfaction"].values():
        assert set(cell) == {"n", "satisfied_n", "satisfied_pct", "satisfied_ci95", "very_satisfied", "satisfied",
                             "disappointed", "dissatisfied"}
    assert tuple(summary["relief"]) == (*FOLLOW_UPS, "last")
    for cell in summary["relief"].values():
        assert set(cell) == {"n", "mean", "sd", "ge30", "ge50", "ge80", "worse"}
        assert set(cell["ge30"]) == {"n", "pct", "ci95"}
    assert set(summary["follow_up_days"]) == {"n", "mean", "sd", "median", "q1", "q3", "min", "max"}


def test_is_strict_json(summary) -> None:
    text = json.dumps(summary, allow_nan=False)
    assert json.loads(text) == summary


def _values(cohort, key: str, code: str) -> dict[int, float]:
    found = {}
    for o in cohort:
        tp = o.at(code)
        if tp is not None and tp.scores.get(key) is not None:
            found[o.patient.id] = tp.scores[key]
    return found


def test_baseline_descriptors_match_an_independent_computation(cohort, summary) -> None:
    base = summary["baseline"]
    assert summary["n_patients"] == len(cohort) == 240
    ages = []
    for o in cohort:
        born, day = o.patient.birth_date, o.index_procedure.surgery_date
        ages.append(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))
    assert base["age"]["mean"] == pytest.approx(statistics.mean(ages))
    assert base["age"]["sd"] == pytest.approx(statistics.stdev(ages))
    assert base["age"]["median"] == pytest.approx(statistics.median(ages))
    assert (base["age"]["min"], base["age"]["max"]) == (min(ages), max(ages))
    bmis = [o.patient.bmi for o in cohort if o.patient.bmi is not None]
    assert base["bmi"]["n"] == len(bmis) < len(cohort)  # the factory leaves some BMIs unknown
    assert base["bmi"]["sd"] == pytest.approx(statistics.stdev(bmis))
    females = sum(o.patient.sex == "F" for o in cohort)
    assert base["female"] == {"n": females, "pct": pytest.approx(females / len(cohort) * 100)}
    known_fbss = [o.patient.fbss for o in cohort if o.patient.fbss is not None]
    assert len(known_fbss) < len(cohort)
    assert base["fbss"]["pct"] == pytest.approx(sum(known_fbss) / len(known_fbss) * 100)
    scs = sum("SCS" in o.patient.prior_interventions for o in cohort)
    assert base["SCS"] == {"n": scs, "pct": pytest.approx(scs / 240 * 100)}
    bilateral = sum(o.index_procedure.side == "bilateral" for o in cohort)
    assert base["bilateral"]["n"] == bilateral


@pytest.mark.parametrize(("key", "code"), [("nrs.lumbar", "m12"), ("odi.odi", "w6"), ("sf12.pcs", "m24")])
def test_paired_outcomes_match_scipy_run_independently(cohort, summary, key: str, code: str) -> None:
    before, after = _values(cohort, key, "baseline"), _values(cohort, key, code)
    ids = sorted(set(before) & set(after))
    x = np.array([before[i] for i in ids], dtype=float)
    y = np.array([after[i] for i in ids], dtype=float)
    cell = summary["outcomes"][key][code]
    assert cell["n"] == len(after)
    assert cell["mean"] == pytest.approx(statistics.mean(after.values()))
    assert cell["sd"] == pytest.approx(statistics.stdev(after.values()))
    assert cell["median"] == pytest.approx(statistics.median(after.values()))
    assert cell["n_paired"] == len(ids) > 50
    assert cell["mean_change"] == pytest.approx(statistics.mean((y - x).tolist()))
    assert cell["pct_change_of_means"] == pytest.approx((y.mean() - x.mean()) / x.mean() * 100)
    per_patient = [(b - a) / a * 100 for a, b in zip(x, y, strict=True) if a]
    assert cell["mean_pct_change"] == pytest.approx(statistics.mean(per_patient))
    assert cell["p_ttest"] == pytest.approx(stats.ttest_rel(y, x).pvalue)
    assert cell["p_wilcoxon"] == pytest.approx(stats.wilcoxon(y, x).pvalue)
    mcid = {"nrs.lumbar": 2, "odi.odi": 15, "sf12.pcs": 5}[key]
    better_lower = key != "sf12.pcs"
    responders = sum(((a - b) if better_lower else (b - a)) >= mcid for a, b in zip(x, y, strict=True))
    assert cell["mcid_n"] == responders
    assert cell["mcid_pct"] == pytest.approx(responders / len(ids) * 100)


def test_satisfaction_relief_and_follow_up_match(cohort, summary) -> None:
    levels = _values(cohort, "satisfaction.overall", "m6")
    cell = summary["satisfaction"]["m6"]
    assert cell["n"] == len(levels)
    assert [cell[k] for k in ("very_satisfied", "satisfied", "disappointed", "dissatisfied")] == [
        list(levels.values()).count(v) for v in (1, 2, 3, 4)]
    assert cell["satisfied_n"] == cell["very_satisfied"] + cell["satisfied"]
    assert cell["satisfied_pct"] == pytest.approx(cell["satisfied_n"] / cell["n"] * 100)

    relief = []
    for o in cohort:
        answered = [t for t in o.timepoints if t.timepoint != "baseline" and t.completed_on
                    and t.scores.get("relief.percent") is not None]
        if answered:
            relief.append(max(answered, key=lambda t: t.completed_on).scores["relief.percent"])
    last = summary["relief"]["last"]
    assert last["n"] == len(relief)
    assert last["mean"] == pytest.approx(statistics.mean(relief))
    assert last["sd"] == pytest.approx(statistics.stdev(relief))
    for threshold in (30, 50, 80):
        count = sum(v >= threshold for v in relief)
        assert last[f"ge{threshold}"]["n"] == count
        assert last[f"ge{threshold}"]["pct"] == pytest.approx(count / len(relief) * 100)

    days = [(o.last_follow_up().completed_on - o.index_procedure.surgery_date).days
            for o in cohort if o.last_follow_up() is not None]
    q1, q3 = np.percentile(days, [25, 75])
    assert summary["follow_up_days"] == {
        "n": len(days), "mean": pytest.approx(statistics.mean(days)), "sd": pytest.approx(statistics.stdev(days)),
        "median": statistics.median(days), "q1": pytest.approx(q1), "q3": pytest.approx(q3),
        "min": min(days), "max": max(days),
    }


SURGERY = dt.date(2023, 3, 15)


def test_last_is_the_latest_completed_follow_up_at_which_the_score_exists() -> None:
    one = patient(1, {
        "baseline": {"nrs.lumbar": 8, "odi.odi": 60},
        "w6": {"nrs.lumbar": 6, "odi.odi": 50},
        "m3": {"nrs.lumbar": 5, "odi.odi": 40},
        "m6": {"nrs.lumbar": 4, "odi.odi": None},  # ODI left incomplete at the latest visit
        "m12": None,  # missed: no completion date
    })
    assert latest_with_score(one, "nrs.lumbar")[1] == 4
    outcome, value = latest_with_score(one, "odi.odi")
    assert (outcome.timepoint, value) == ("m3", 40)
    assert latest_with_score(patient(2, {"baseline": {"nrs.lumbar": 8}}), "nrs.lumbar") is None  # never baseline
    late_w6 = visit("w6", SURGERY, {"nrs.lumbar": 3}, days_late=200)  # answered after m6 was
    two = patient(3, {"baseline": {"nrs.lumbar": 9}, "w6": late_w6, "m6": {"nrs.lumbar": 7}})
    assert latest_with_score(two, "nrs.lumbar")[1] == 3  # latest by date, not by schedule

    summary = summary_of([one, two])
    assert summary["outcomes"]["odi.odi"]["last"]["mean"] == 40
    assert summary["outcomes"]["nrs.lumbar"]["last"]["mean"] == pytest.approx((4 + 3) / 2)
    assert summary["outcomes"]["nrs.lumbar"]["last"]["mean_change"] == pytest.approx(((4 - 8) + (3 - 9)) / 2)


def test_undefined_statistics_are_null_not_nan() -> None:
    lone = patient(1, {"baseline": {"nrs.lumbar": 0, "odi.odi": 40}, "m3": {"nrs.lumbar": 2, "odi.odi": 40}})
    summary = summary_of([lone])
    json.dumps(summary, allow_nan=False)
    m3 = summary["outcomes"]["nrs.lumbar"]["m3"]
    assert m3["n"] == 1 and m3["sd"] is None
    assert m3["p_ttest"] is None and m3["p_wilcoxon"] is None
    assert m3["pct_change_of_means"] is None  # baseline mean 0
    assert m3["mean_pct_change"] is None  # the only baseline is 0
    assert summary["outcomes"]["sf12.pcs"]["m3"] == {**dict.fromkeys(("mean", "sd", "median", "min", "max")), "n": 0,
                                                      **dict.fromkeys(PAIRED), "n_paired": 0}
    assert summary["relief"]["last"]["ge30"] == {"n": 0, "pct": None, "ci95": None}

    same_change = [patient(i, {"baseline": {"odi.odi": 50 + i}, "m6": {"odi.odi": 40 + i}}) for i in range(4)]
    m6 = summary_of(same_change)["outcomes"]["odi.odi"]["m6"]
    assert m6["n_paired"] == 4 and m6["mean_change"] == -10
    assert m6["p_ttest"] is None  # zero variance of the differences
    assert m6["p_wilcoxon"] is not None

    unchanged = [patient(i, {"baseline": {"odi.odi": 50}, "m6": {"odi.odi": 50}}) for i in range(3)]
    assert summary_of(unchanged)["outcomes"]["odi.odi"]["m6"]["p_wilcoxon"] is None


def test_mean_pct_change_skips_baseline_zero_only() -> None:
    patients = [
        patient(1, {"baseline": {"nrs.radicular": 0}, "m3": {"nrs.radicular": 3}}),
        patient(2, {"baseline": {"nrs.radicular": 8}, "m3": {"nrs.radicular": 4}}),
        patient(3, {"baseline": {"nrs.radicular": 5}, "m3": {"nrs.radicular": 5}}),
    ]
    cell = summary_of(patients)["outcomes"]["nrs.radicular"]["m3"]
    assert cell["n_paired"] == 3
    assert cell["mean_pct_change"] == pytest.approx((-50 + 0) / 2)
    assert cell["pct_change_of_means"] == pytest.approx((12 / 3 - 13 / 3) / (13 / 3) * 100)


def test_mcid_counts_in_the_direction_of_benefit_and_can_be_overridden() -> None:
    patients = [
        patient(1, {"baseline": {"sf12.pcs": 30.0, "nrs.lumbar": 8}, "m12": {"sf12.pcs": 35.0, "nrs.lumbar": 6}}),
        patient(2, {"baseline": {"sf12.pcs": 30.0, "nrs.lumbar": 8}, "m12": {"sf12.pcs": 25.0, "nrs.lumbar": 10}}),
        patient(3, {"baseline": {"sf12.pcs": 30.1, "nrs.lumbar": 8}, "m12": {"sf12.pcs": 35.1, "nrs.lumbar": 7}}),
    ]
    outcomes = summary_of(patients)["outcomes"]
    assert outcomes["sf12.pcs"]["m12"]["mcid_n"] == 2  # +5 and +5.0000000001 reach 5; -5 is worse
    assert outcomes["nrs.lumbar"]["m12"]["mcid_n"] == 1  # only the fall of 2 points
    assert outcomes["nrs.lumbar"]["m12"]["mcid_pct"] == pytest.approx(100 / 3)
    stricter = summary_of(patients, mcid={"nrs.lumbar": 1, "sf12.pcs": 6})["outcomes"]
    assert stricter["nrs.lumbar"]["m12"]["mcid_n"] == 2
    assert stricter["sf12.pcs"]["m12"]["mcid_n"] == 0
    with pytest.raises(UserError, match=r"unknown score 'nrs\.back'"):
        summary_of(patients, mcid={"nrs.back": 2})
    with pytest.raises(UserError, match="positive number"):
        summary_of(patients, mcid={"odi.odi": -1})


def test_where_filters_select_subgroups(cohort) -> None:
    fbss = summary_of(cohort, where={"fbss": "1"})
    assert fbss["n_patients"] == sum(o.patient.fbss is True for o in cohort)
    assert fbss["baseline"]["fbss"]["pct"] == 100
    women = select(cohort, {"sex": "f", "side": "bilateral"})
    assert women and all(o.patient.sex == "F" and o.index_procedure.side == "bilateral" for o in women)
    window = select(cohort, {"surgery_from": "2022-01-01", "surgery_to": "2022-12-31"})
    assert window and all(o.index_procedure.surgery_date.year == 2022 for o in window)
    assert len(window) == sum(o.index_procedure.surgery_date.year == 2022 for o in cohort)
    no_fusion = select(cohort, {"prior_lumbosacral_fusion": "0", "approach": "posterior"})
    assert all(not o.patient.prior_lumbosacral_fusion and o.index_procedure.approach == "posterior"
               for o in no_fusion)
    assert summary_of(cohort, where={"surgery_from": "2030-01-01"})["n_patients"] == 0


@pytest.mark.parametrize(("where", "message"), [
    ({"colour": "red"}, "unknown key 'colour'; use one of: site, fbss, sex"),
    ({"fbss": "yes"}, "fbss=yes: expected one of 0, 1"),
    ({"side": "both"}, "side=both: expected one of left, right, bilateral"),
    ({"surgery_from": "2024-13-01"}, "surgery_from=2024-13-01: expected a date"),
    ({"surgery_from": "2024-02-01", "surgery_to": "2024-01-01"}, "is after surgery_to"),
])
def test_bad_filters_name_the_key_or_value(cohort, where: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        summary_of(cohort, where=where)


def test_parse_where_reads_command_line_words() -> None:
    assert parse_where(["fbss=1", "sex=F", "surgery_to=2024-06-30"]) == {
        "fbss": "1", "sex": "F", "surgery_to": "2024-06-30"}
    with pytest.raises(UserError, match="expected KEY=VALUE"):
        parse_where(["fbss"])
    with pytest.raises(UserError, match="sex given twice"):
        parse_where(["sex=F", "sex=M"])


def test_patient_trajectory_gives_change_and_mcid_per_timepoint() -> None:
    one = patient(1, {
        "baseline": {"nrs.lumbar": 8, "odi.odi": 62, "sf12.pcs": 28.0},
        "w6": {"nrs.lumbar": 7, "odi.odi": 44},
        "m3": {"nrs.lumbar": 5, "odi.odi": None, "sf12.pcs": 34.5},
        "m6": None,
    })
    keys = ("nrs.lumbar", "odi.odi", "sf12.pcs")
    points = {p.timepoint: p for p in patient_trajectory(one, default_protocol(), keys, resolve_mcid(keys))}
    assert tuple(points) == default_protocol().codes
    assert points["w6"].changes == {"nrs.lumbar": -1, "odi.odi": -18, "sf12.pcs": None}
    assert points["w6"].mcid_reached == {"nrs.lumbar": False, "odi.odi": True, "sf12.pcs": None}
    assert points["m3"].mcid_reached == {"nrs.lumbar": True, "odi.odi": None, "sf12.pcs": True}
    assert points["m6"].values == dict.fromkeys(keys) and points["m6"].months is None
    assert points["m12"].outcome is None and points["m12"].due_date == dt.date(2024, 3, 15)
    assert math.isclose(points["w6"].months, 42 / (365.25 / 12))


def test_sex_counts_share_the_summarys_denominator_and_follow_the_filters(cohort) -> None:
    for where in (None, {"fbss": "1"}):
        chosen = select(cohort, where)
        known = [o.patient.sex for o in chosen if o.patient.sex is not None]
        counts = sex_counts(cohort, where)
        female = summary_of(cohort, where=where)["baseline"]["female"]
        assert counts["F"]["n"] == female["n"] and counts["F"]["pct"] == pytest.approx(female["pct"])
        assert {code: cell["n"] for code, cell in counts.items()} == {c: known.count(c) for c in ("F", "M", "X")}
        assert sum(cell["n"] for cell in counts.values()) == len(known)
        assert counts["M"]["pct"] == pytest.approx(known.count("M") / len(known) * 100)
