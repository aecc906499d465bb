"""Baseline variables of each patient, Table 1 of a group of patients, and tests between groups.

One definition of every baseline variable (age at the index surgery, sex, FBSS, ...) serves Table 1,
the comparison of subgroups (``--compare``) and the comparison of the patients followed up with those
lost (``lost_vs_followed``), so a variable reads the same in all three.

Between groups: Mann-Whitney U (two-sided, scipy's defaults) for a continuous value and Fisher's exact
test for a yes/no count in two groups; with more groups (or levels), Kruskal-Wallis and the chi-square
test of independence. A test needs two groups with at least one known value each; otherwise it is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sijpro.analysis.descriptive import describe, finite, proportion
from sijpro.records import PRIOR_INTERVENTIONS, PatientOutcomes

CONTINUOUS = ("age", "bmi", "prior_lumbar_surgeries")
FLAGS = ("female", "fbss", "bilateral", "prior_lumbosacral_fusion", *PRIOR_INTERVENTIONS)

Value = float | bool | None


def patient_variables(outcomes: PatientOutcomes) -> dict[str, Value]:
    """Every baseline variable of one patient; None where it is unknown (an unrecorded sex, no side)."""
    patient, surgery = outcomes.patient, outcomes.index_procedure
    age = patient.age_on(surgery.surgery_date) if surgery is not None else None
    side = surgery.side if surgery is not None else None
    values: dict[str, Value] = {
        "age": age,
        "bmi": patient.bmi,
        "prior_lumbar_surgeries": patient.prior_lumbar_surgeries,
        "female": None if patient.sex is None else patient.sex == "F",
        "fbss": patient.fbss,
        "bilateral": None if side is None else side == "bilateral",
        "prior_lumbosacral_fusion": patient.prior_lumbosacral_fusion,
    }
    given = patient.prior_interventions  # None: not recorded (unknown); empty: none
    for code in PRIOR_INTERVENTIONS:
        values[code] = None if given is None else code in given
    return values


def baseline_table(patients: Sequence[PatientOutcomes]) -> dict:
    """Table 1 of ``patients``: continuous variables described, flags as ``{n, pct}`` of the known."""
    rows = [patient_variables(o) for o in patients]
    table: dict = {}
    for name in CONTINUOUS:
        table[name] = describe([float(value) for row in rows if (value := row[name]) is not None])
    for name in FLAGS:
        known = [bool(row[name]) for row in rows if row[name] is not None]
        table[name] = proportion(sum(known), len(known))
    return table


def continuous_test(samples: Sequence[Sequence[float]]) -> dict[str, object] | None:
    """Mann-Whitney U for two groups, Kruskal-Wallis for more; None with fewer than two non-empty
    groups or when every value is the same (no ranks to compare)."""
    groups = [list(sample) for sample in samples if len(sample)]
    if len(groups) < 2 or len({value for group in groups for value in group}) < 2:
        return None
    from scipy import stats

    if len(groups) == 2:
        return {"test": "mann-whitney", "p": finite(stats.mannwhitneyu(groups[0], groups[1]).pvalue)}
    return {"test": "kruskal-wallis", "p": finite(stats.kruskal(*groups).pvalue)}


def count_test(table: Sequence[Sequence[int]]) -> dict[str, object] | None:
    """Fisher's exact test of a 2x2 table, chi-square for larger ones; groups (rows) and levels
    (columns) that nobody is in are left out, and fewer than two of either gives None."""
    rows = [list(row) for row in table if sum(row)]
    columns = [c for c in range(len(rows[0]))] if rows else []
    columns = [c for c in columns if sum(row[c] for row in rows)]
    if len(rows) < 2 or len(columns) < 2:
        return None
    kept = [[row[c] for c in columns] for row in rows]
    from scipy import stats

    if len(kept) == 2 and len(columns) == 2:
        return {"test": "fisher", "p": finite(stats.fisher_exact(np.array(kept)).pvalue)}
    return {"test": "chi-square", "p": finite(stats.chi2_contingency(kept).pvalue)}


def flag_test(groups: Sequence[Sequence[bool]]) -> dict[str, object] | None:
    """A yes/no variable across groups: its counts of yes and no per group, tested as above."""
    return count_test([[sum(group), len(group) - sum(group)] for group in groups])


def baseline_tests(groups: Mapping[str, Sequence[PatientOutcomes]]) -> dict[str, dict[str, object] | None]:
    """Every baseline variable tested across the groups (in the order given)."""
    rows = {name: [patient_variables(o) for o in patients] for name, patients in groups.items()}
    tests: dict[str, dict[str, object] | None] = {}
    for name in CONTINUOUS:
        tests[name] = continuous_test([[float(value) for r in group if (value := r[name]) is not None]
                                       for group in rows.values()])
    for name in FLAGS:
        tests[name] = flag_test([[bool(r[name]) for r in group if r[name] is not None] for group in rows.values()])
    return tests
