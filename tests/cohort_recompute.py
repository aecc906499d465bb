"""An independent recomputation of the cohort summary JSON: pandas over the database's own tables, scipy's
tests, nothing from ``sijpro.analysis``. The tests compare it with what ``report cohort --json`` wrote.

Definitions are DESIGN.md's, written again here from the text: paired changes are follow-up minus
baseline rounded to 10 decimals; ``last`` is a patient's latest completed follow-up (by completion date,
the later timepoint winning a tie) at which the score exists; percentages are of the known values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import create_engine
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

MCID = {"nrs.lumbar": 2, "nrs.radicular": 2, "odi.odi": 15, "sf12.pcs": 5, "sf12.mcs": 5}
SCB = {"nrs.lumbar": 2.5, "nrs.radicular": 2.5, "odi.odi": 18.8}
"""Glassman 2008, in points; PASS: ODI at most 18.1 at follow-up."""
PASS = {"odi.odi": 18.1}
LOWER_IS_BETTER = {"nrs.lumbar", "nrs.radicular", "odi.odi"}
INTERVENTIONS = ("SCS", "ISS", "IDDS", "MILD", "RFA", "INJ")


def engine_url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{database}"


def read_tables(database: str) -> dict[str, pd.DataFrame]:
    engine = create_engine(engine_url(database))
    try:
        with engine.connect() as connection:
            patients = pd.read_sql("SELECT * FROM patients", connection)
            procedures = pd.read_sql("SELECT * FROM procedures WHERE is_index", connection)
            visits = pd.read_sql("SELECT id, patient_id, timepoint, seq, status, due_date, window_start, window_end, "
                                 "completed_on FROM visits", connection)
            scores = pd.read_sql(
                "SELECT v.patient_id, v.timepoint, v.seq, v.completed_on, r.instrument, s.name, s.value "
                "FROM scores s JOIN responses r ON r.id = s.response_id JOIN visits v ON v.id = r.visit_id "
                "WHERE r.status IN ('complete', 'amended')", connection)
    finally:
        engine.dispose()
    for frame, columns in ((procedures, ["surgery_date"]), (patients, ["birth_date"]),
                           (visits, ["completed_on", "due_date", "window_start", "window_end"]),
                           (scores, ["completed_on"])):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    patients = patients[patients.id.isin(procedures.patient_id)]
    scores = scores[scores.patient_id.isin(procedures.patient_id) & scores.value.notna()].copy()
    scores["key"] = scores.instrument + "." + scores.name
    return {"patients": patients, "procedures": procedures, "visits": visits, "scores": scores}


def describe(values: pd.Series) -> dict[str, Any]:
    values = values.astype(float)
    if values.empty:
        return {"n": 0, "mean": None, "sd": None, "median": None, "min": None, "max": None}
    return {"n": int(values.size), "mean": values.mean(), "sd": values.std(ddof=1) if values.size > 1 else None,
            "median": values.median(), "min": values.min(), "max": values.max()}


def share(count: int, of: int, interval: bool = False) -> dict[str, Any]:
    result = {"n": int(count), "pct": count / of * 100 if of else None}
    if interval:
        result["ci95"] = wilson(count, of)
    return result


def wilson(count: int, of: int) -> list[float] | None:
    if not of:
        return None
    low, high = proportion_confint(int(count), int(of), alpha=0.05, method="wilson")
    return [low * 100, high * 100]


def baseline(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    people = tables["patients"].merge(tables["procedures"][["patient_id", "surgery_date", "side"]],
                                      left_on="id", right_on="patient_id")
    born, operated = people.birth_date, people.surgery_date
    before_birthday = (operated.dt.month < born.dt.month) | (
        (operated.dt.month == born.dt.month) & (operated.dt.day < born.dt.day))
    ages = (operated.dt.year - born.dt.year - before_birthday.astype(int)).dropna()
    result: dict[str, Any] = {
        "age": describe(ages), "bmi": describe(people.bmi.dropna()),
        "prior_lumbar_surgeries": describe(people.prior_lumbar_surgeries.dropna()),
    }
    sex = people.sex.dropna()
    result["female"] = share((sex == "F").sum(), len(sex))
    for name in ("fbss", "prior_lumbosacral_fusion"):
        known = people[name].dropna().astype(bool)
        result[name] = share(known.sum(), len(known))
    sides = people.side.dropna()
    result["bilateral"] = share((sides == "bilateral").sum(), len(sides))
    recorded = people.prior_interventions.fillna("")
    codes = recorded[recorded != ""].str.split(";")  # "": not recorded (unknown); "none": none
    for code in INTERVENTIONS:
        result[code] = share(codes.apply(lambda found, c=code: c in found).sum(), len(codes))
    return result


def latest(scores: pd.DataFrame, key: str) -> pd.Series:
    """``last``: per patient, the value at the latest completed follow-up that has the score."""
    rows = scores[(scores.key == key) & (scores.timepoint != "baseline") & scores.completed_on.notna()]
    rows = rows.sort_values(["patient_id", "completed_on", "seq"])
    return rows.groupby("patient_id").value.last()


def at(scores: pd.DataFrame, key: str, timepoint: str) -> pd.Series:
    if timepoint == "last":
        return latest(scores, key)
    rows = scores[(scores.key == key) & (scores.timepoint == timepoint)]
    return rows.set_index("patient_id").value


def paired(before: pd.Series, after: pd.Series, key: str) -> dict[str, Any]:
    both = pd.concat({"before": before, "after": after}, axis=1, join="inner")
    change = (both.after - both.before).round(10)
    n = len(both)
    result: dict[str, Any] = {"n_paired": n}
    if not n:
        return {**result, **dict.fromkeys(("mean_change", "pct_change_of_means", "mean_pct_change", "p_ttest",
                                           "p_wilcoxon", "mcid_n", "mcid_pct"))}
    result["mean_change"] = change.mean()
    mean_before = both.before.mean()
    result["pct_change_of_means"] = (both.after.mean() - mean_before) / mean_before * 100 if mean_before else None
    nonzero = both.before != 0
    result["mean_pct_change"] = (change[nonzero] / both.before[nonzero] * 100).mean() if nonzero.any() else None
    result["p_ttest"] = stats.ttest_rel(change, np.zeros(n)).pvalue if n > 1 and change.nunique() > 1 else None
    result["p_wilcoxon"] = stats.wilcoxon(change).pvalue if n > 1 and (change != 0).any() else None
    result["mean_change_ci95"] = (list(DescrStatsW(change.to_numpy()).tconfint_mean(alpha=0.05))
                                  if n > 1 and change.nunique() > 1 else None)
    benefit = -change if key in LOWER_IS_BETTER else change
    for kind, table in (("mcid", MCID), ("scb", SCB)):
        if key in table:
            responders = int((benefit >= table[key] - 1e-9).sum())
            result[f"{kind}_n"], result[f"{kind}_pct"] = responders, responders / n * 100
            result[f"{kind}_ci95"] = wilson(responders, n)
        else:
            result.update(dict.fromkeys((f"{kind}_n", f"{kind}_pct", f"{kind}_ci95")))
    if key in PASS:
        responders = int((both.after <= PASS[key] + 1e-9).sum())
        result["pass_n"], result["pass_pct"], result["pass_ci95"] = responders, responders / n * 100, wilson(
            responders, n)
    else:
        result.update(dict.fromkeys(("pass_n", "pass_pct", "pass_ci95")))
    return result


def outcome(scores: pd.DataFrame, key: str, timepoints: tuple[str, ...]) -> dict[str, Any]:
    before = at(scores, key, "baseline")
    table = {"baseline": describe(before)}
    for code in (*timepoints, "last"):
        after = at(scores, key, code)
        table[code] = {**describe(after), **paired(before, after, key)}
    return table


def relief(scores: pd.DataFrame, timepoint: str) -> dict[str, Any]:
    values = at(scores, "relief.percent", timepoint)
    cell = describe(values)
    result = {"n": cell["n"], "mean": cell["mean"], "sd": cell["sd"]}
    for threshold in (30, 50, 80):
        result[f"ge{threshold}"] = share((values >= threshold).sum(), len(values), interval=True)
    return result


def satisfaction(scores: pd.DataFrame, timepoint: str) -> dict[str, Any]:
    levels = at(scores, "satisfaction.overall", timepoint)
    satisfied = int((levels <= 2).sum())
    result = {"n": len(levels), "satisfied_n": satisfied, "satisfied_pct": share(satisfied, len(levels))["pct"],
              "satisfied_ci95": wilson(satisfied, len(levels))}
    for value, name in ((1, "very_satisfied"), (2, "satisfied"), (3, "disappointed"), (4, "dissatisfied")):
        result[name] = int((levels == value).sum())
    return result


def follow_up_days(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    visits = tables["visits"]
    done = visits[(visits.timepoint != "baseline") & visits.completed_on.notna()]
    last = done.groupby("patient_id").completed_on.max()
    surgery = tables["procedures"].set_index("patient_id").surgery_date
    days = (last - surgery.reindex(last.index)).dt.days.dropna()
    cell = describe(days)
    return {**cell, "q1": days.quantile(0.25), "q3": days.quantile(0.75)}


def visit_columns(visits: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """DESIGN.md's visit state, written again from its text, as the completeness column of each visit."""
    visits = visits.sort_values(["patient_id", "seq"]).copy()
    # the next collected timepoint's window opening: the earliest of the later visits' that are not cancelled
    following = []
    for _, group in visits.groupby("patient_id", sort=False):
        starts = group.window_start.where(group.status != "cancelled").tolist()
        following += [min((s for s in starts[i + 1:] if pd.notna(s)), default=pd.NaT) for i in range(len(starts))]
    visits["next_start"] = following

    def column(visit: pd.Series) -> str | None:
        if visit.status == "completed":
            return "answered"
        if visit.status == "cancelled":
            return None
        if visit.timepoint == "baseline" and day > visit.due_date:
            return "missed"
        if pd.notna(visit.next_start) and day >= visit.next_start:
            return "missed"
        if (day - visit.window_end).days > 30:
            return "missed"
        if day >= visit.window_start:
            return "pending"
        return "not_yet_due"

    return visits.set_index(["patient_id", "timepoint"], drop=False).apply(column, axis=1)


def completeness(tables: dict[str, pd.DataFrame], day: pd.Timestamp) -> dict[str, Any]:
    visits = tables["visits"][tables["visits"].patient_id.isin(tables["procedures"].patient_id)]
    columns = visit_columns(visits, day).dropna()
    table = {}
    for timepoint in ("baseline", "w6", "m3", "m6", "m12", "m24"):
        counts = columns.xs(timepoint, level="timepoint").value_counts()
        row = {name: int(counts.get(name, 0)) for name in ("answered", "missed", "pending", "not_yet_due")}
        row["eligible"] = row["answered"] + row["missed"] + row["pending"]
        row["pct_answered"] = row["answered"] / row["eligible"] * 100 if row["eligible"] else None
        table[timepoint] = row
    return table


def lost_vs_followed(tables: dict[str, pd.DataFrame], day: pd.Timestamp, at: str = "last") -> dict[str, Any]:
    visits = tables["visits"][tables["visits"].patient_id.isin(tables["procedures"].patient_id)]
    columns = visit_columns(visits, day).reset_index(name="column")
    if at == "last":
        follow = columns[(columns.timepoint != "baseline") & columns.column.isin(["answered", "missed", "pending"])]
        followed = set(follow[follow.column == "answered"].patient_id)
        lost = set(follow.patient_id) - followed
    else:
        here = columns[columns.timepoint == at]
        followed = set(here[here.column == "answered"].patient_id)
        lost = set(here[here.column.isin(["missed", "pending"])].patient_id)
    result: dict[str, Any] = {"followed": {"n": len(followed)}, "lost": {"n": len(lost)}, "tests": {}}
    groups = {}
    for name, ids in (("followed", followed), ("lost", lost)):
        part = {**tables, "patients": tables["patients"][tables["patients"].id.isin(ids)]}
        result[name].update(baseline(part))
        groups[name] = part["patients"].merge(tables["procedures"][["patient_id", "surgery_date", "side"]],
                                              left_on="id", right_on="patient_id")
    a, b = groups["followed"], groups["lost"]
    ages = [(g.surgery_date.dt.year - g.birth_date.dt.year - ((g.surgery_date.dt.month < g.birth_date.dt.month) | (
        (g.surgery_date.dt.month == g.birth_date.dt.month) & (g.surgery_date.dt.day < g.birth_date.dt.day)))
        .astype(int)).dropna() for g in (a, b)]
    result["tests"]["age"] = {"p": stats.mannwhitneyu(*ages).pvalue}
    result["tests"]["bmi"] = {"p": stats.mannwhitneyu(a.bmi.dropna(), b.bmi.dropna()).pvalue}
    for name in ("fbss", "prior_lumbosacral_fusion"):
        known = [g[name].dropna().astype(bool) for g in (a, b)]
        result["tests"][name] = {"p": stats.fisher_exact([[k.sum(), (~k).sum()] for k in known]).pvalue}
    sexes = [g.sex.dropna() for g in (a, b)]
    result["tests"]["female"] = {"p": stats.fisher_exact([[(x == "F").sum(), (x != "F").sum()] for x in sexes]).pvalue}
    return result


def recompute(database: str, timepoints: tuple[str, ...] = ("w6", "m3", "m6", "m12", "m24"),
              day: pd.Timestamp | None = None) -> dict[str, Any]:
    return recompute_tables(read_tables(database), timepoints, day)


def recompute_tables(tables: dict[str, pd.DataFrame], timepoints: tuple[str, ...] = ("w6", "m3", "m6", "m12", "m24"),
                     day: pd.Timestamp | None = None) -> dict[str, Any]:
    scores = tables["scores"]
    day = day if day is not None else pd.Timestamp.today().normalize()
    return {
        "completeness": completeness(tables, day),
        "lost_vs_followed": lost_vs_followed(tables, day),
        "n_patients": len(tables["patients"]),
        "baseline": baseline(tables),
        "outcomes": {key: outcome(scores, key, timepoints) for key in MCID},
        "satisfaction": {code: satisfaction(scores, code) for code in (*timepoints, "last")},
        "relief": {code: relief(scores, code) for code in (*timepoints, "last")},
        "follow_up_days": follow_up_days(tables),
    }


def assert_matches(actual: Any, expected: Any, path: str = "summary", tolerance: float = 1e-6) -> int:
    """Every number of ``expected`` equals ``actual`` to ``tolerance`` (relative); returns how many were checked."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        return sum(assert_matches(actual[key], value, f"{path}.{key}", tolerance) for key, value in expected.items())
    if isinstance(expected, list | tuple):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual!r}"
        pairs = enumerate(zip(actual, expected, strict=True))
        return sum(assert_matches(a, e, f"{path}[{i}]", tolerance) for i, (a, e) in pairs)
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None, f"{path}: {actual!r} where the recomputation has no number"
        return 1
    assert actual is not None, f"{path}: null where the recomputation has {expected!r}"
    assert math.isclose(actual, float(expected), rel_tol=tolerance, abs_tol=1e-9), f"{path}: {actual} != {expected}"
    return 1
