"""Subgroup comparison (``report cohort --compare KEY``): the summary of each group and the tests between them.

Seed 003 printed its FBSS patients (Table 3) beside everyone (Table 2); ``--compare fbss`` gives both
groups and says whether they differ. Groups are the values of the key (``filters.group_value``);
patients whose value is unknown are in no group. Every test is named by what it compares:

- a baseline variable: ``age``, ``female``, ``SCS`` ... (as ``groups.baseline_tests``);
- a score at a timepoint: ``odi.odi.m12`` (its values), ``odi.odi.m12.mcid`` (its responders, and
  ``scb`` and ``pass`` likewise);
- ``satisfaction.satisfied.m12``, ``relief.percent.last``, ``relief.ge30.last`` ...

Continuous values: Mann-Whitney U (Kruskal-Wallis with more than two groups); counts: Fisher's exact
test (chi-square with more groups). A test that cannot be made (one group empty) is None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from sijpro.analysis.filters import GROUP_KEYS, group_value
from sijpro.analysis.groups import baseline_tests, continuous_test, count_test
from sijpro.analysis.thresholds import Kind, Threshold
from sijpro.errors import UserError
from sijpro.protocol import BASELINE
from sijpro.records import PRIOR_INTERVENTIONS, PatientOutcomes

Collected = Mapping[str, Mapping[str, Mapping[int, float]]]
"""score key -> timepoint -> patient position -> value (``cohort._collect``)."""


OWN_VARIABLE = {"fbss": "fbss", "prior_lumbosacral_fusion": "prior_lumbosacral_fusion", "side": "bilateral",
                "sex": "female", **{code.lower(): code for code in PRIOR_INTERVENTIONS}}
"""The baseline variable a group key is made of (a test of it between its own groups says nothing)."""


def split(patients: Sequence[PatientOutcomes], key: str) -> dict[str, list[PatientOutcomes]]:
    """The groups of ``key``, in sorted order of their values; unknown values in none."""
    if key not in GROUP_KEYS:
        raise UserError(f"--compare: unknown key {key!r}; use one of: {', '.join(GROUP_KEYS)}")
    groups: dict[str, list[PatientOutcomes]] = {}
    for outcomes in patients:
        value = group_value(outcomes, key)
        if value is not None:
            groups.setdefault(value, []).append(outcomes)
    if not groups:
        raise UserError(f"--compare {key}: no patient selected has a {key} recorded, so there are no groups "
                        "to compare")
    return dict(sorted(groups.items()))


def group_tests(
    groups: Mapping[str, Sequence[PatientOutcomes]],
    collected: Mapping[str, Collected],
    codes: Sequence[str],
    scores: Mapping[str, tuple[str, Mapping[Kind, Threshold | None]]],
    *,
    relief_thresholds: Sequence[int],
    satisfied_key: str,
    relief_key: str,
    own: str | None = None,
) -> dict[str, dict[str, object] | None]:
    """Every test between the groups; ``collected`` holds each group's values, ``scores`` each score's
    direction of benefit and thresholds; ``own`` is the baseline variable the groups are made of."""
    tests = dict(baseline_tests(groups))
    if own is not None:
        tests[own] = None  # the groups are made of it: nothing to test
    names = list(groups)

    def values(key: str, code: str) -> list[list[float]]:
        return [list(collected[name][key][code].values()) for name in names]

    def counted(key: str, code: str, test: Callable[[float], bool]) -> list[list[int]]:
        found = values(key, code)
        return [[sum(1 for v in group if test(v)), sum(1 for v in group if not test(v))] for group in found]

    for key, (better, thresholds) in scores.items():
        for code in codes:
            tests[f"{key}.{code}"] = continuous_test(values(key, code))
            if code == BASELINE:
                continue
            for kind, threshold in thresholds.items():
                if threshold is None:
                    continue
                table = []
                for name in names:
                    before, after = collected[name][key][BASELINE], collected[name][key][code]
                    paired = [pid for pid in after if pid in before]
                    met, judged = threshold.reached_all(np.array([before[pid] for pid in paired], dtype=float),
                                                        np.array([after[pid] for pid in paired], dtype=float), better)
                    table.append([int(met.sum()), int(judged.sum() - met.sum())])
                tests[f"{key}.{code}.{kind}"] = count_test(table)
    for code in codes:
        if code == BASELINE:
            continue
        tests[f"satisfaction.satisfied.{code}"] = count_test(counted(satisfied_key, code, lambda v: v >= 1))
        tests[f"relief.percent.{code}"] = continuous_test(values(relief_key, code))
        for cut in relief_thresholds:
            tests[f"relief.ge{cut}.{code}"] = count_test(counted(relief_key, code, _at_least(cut)))
    return tests


def _at_least(limit: float) -> Callable[[float], bool]:
    return lambda value: value >= limit
