"""The numbers of one table cell, as JSON-ready dicts: plain floats, and None where undefined.

JSON has no NaN, and a standard deviation of one value or a p-value of one pair is not a number a
reader should see, so every statistic that is undefined for its data is None (``null``).
Tests are scipy.stats' own (``ttest_rel``, ``wilcoxon`` with their defaults), never re-implemented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sijpro.analysis.thresholds import KINDS, Kind, Threshold

Stats = dict[str, Any]
CHANGE_DECIMALS = 10
"""Paired changes are rounded to 10 decimals before any test (DESIGN.md), so float noise never splits a tie."""


def finite(value: float | np.floating | npt.NDArray[np.floating] | None) -> float | None:
    """A plain float, or None for NaN/inf/None (scipy types a one-test p-value as a number or an array)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def describe(values: Sequence[float], *, quartiles: bool = False) -> Stats:
    """``{n, mean, sd, median, min, max}`` (sd: sample, n-1; None below two values); ``quartiles`` adds
    ``q1`` and ``q3`` (numpy's and pandas' default linear interpolation) after the median."""
    data = np.asarray(values, dtype=float)
    n = int(data.size)
    result: Stats = {"n": n, "mean": None, "sd": None, "median": None}
    if quartiles:
        result.update({"q1": None, "q3": None})
    result.update({"min": None, "max": None})
    if n:
        result["mean"] = float(data.mean())
        result["sd"] = finite(data.std(ddof=1)) if n > 1 else None
        result["median"] = float(np.median(data))
        if quartiles:
            result["q1"], result["q3"] = (float(q) for q in np.percentile(data, [25, 75]))
        result["min"], result["max"] = float(data.min()), float(data.max())
    return result


def proportion(count: int, of: int, *, interval: bool = False) -> dict[str, object]:
    """``{n, pct}`` with pct 0-100 at full precision; None when nobody is in the denominator.
    ``interval`` adds ``ci95``, the Wilson score interval of a responder proportion."""
    result: dict[str, object] = {"n": count, "pct": count / of * 100 if of else None}
    if interval:
        result["ci95"] = wilson_interval(count, of)
    return result


def wilson_interval(count: int, of: int, level: float = 0.95) -> list[float] | None:
    """The Wilson score interval in percent (scipy's, without continuity correction); None for n = 0."""
    if not of:
        return None
    from scipy import stats

    interval = stats.binomtest(count, of).proportion_ci(confidence_level=level, method="wilson")
    return [float(interval.low) * 100, float(interval.high) * 100]


def t_interval(values: np.ndarray, level: float = 0.95) -> list[float] | None:
    """Student-t interval of the mean of ``values``; None below two values."""
    n = int(values.size)
    if n < 2:
        return None
    mean, sd = float(values.mean()), float(values.std(ddof=1))
    if sd == 0:
        return [mean, mean]
    from scipy import stats

    low, high = stats.t.interval(level, n - 1, loc=mean, scale=sd / math.sqrt(n))
    return [float(low), float(high)]


def paired_comparison(
    baseline: Sequence[float], follow_up: Sequence[float], *, better: str,
    thresholds: Mapping[Kind, Threshold | None],
) -> Stats:
    """Follow-up against baseline on the patients who have both (the two sequences are aligned).

    ``mean_pct_change`` leaves out patients whose baseline is 0 (their percentage is undefined).
    Responders (``mcid``, ``scb``, ``pass``, each None without a threshold) are counted among the paired
    patients for whom the threshold can be judged (a percent change needs a baseline other than 0),
    with the Wilson interval of their share; ``mean_change_ci95`` is the t interval of the changes.
    """
    before = np.asarray(baseline, dtype=float)
    after = np.asarray(follow_up, dtype=float)
    n = int(before.size)
    change = np.round(after - before, CHANGE_DECIMALS)
    result: Stats = {
        "n_paired": n, "mean_change": None, "mean_change_ci95": None, "pct_change_of_means": None,
        "mean_pct_change": None, "p_ttest": None, "p_wilcoxon": None,
        **{f"{kind}_{part}": None for kind in KINDS for part in ("n", "pct", "ci95")},
    }
    if n == 0:
        return result
    mean_before = float(before.mean())
    result["mean_change"] = float(change.mean())
    result["mean_change_ci95"] = t_interval(change)
    if mean_before != 0:
        result["pct_change_of_means"] = (float(after.mean()) - mean_before) / mean_before * 100
    nonzero = before != 0
    if nonzero.any():
        result["mean_pct_change"] = float((change[nonzero] / before[nonzero] * 100).mean())
    from scipy import stats  # here, not at the top: it takes most of a second and patient PDFs never need it

    # on the rounded changes (ttest_rel of change against 0 is ttest_rel(after, before)), so equal
    # changes stay tied: an ODI with a skipped section is 44.44444444444444 - 40 = 4.444444444444443
    if n >= 2 and np.ptp(change) > 0:
        result["p_ttest"] = finite(stats.ttest_rel(change, np.zeros(n)).pvalue)
    if n >= 2 and change.any():
        result["p_wilcoxon"] = finite(stats.wilcoxon(change).pvalue)
    for kind, threshold in thresholds.items():
        if threshold is None:
            continue
        met, judged = threshold.reached_all(before, after, better)
        share = proportion(int(met.sum()), int(judged.sum()), interval=True)
        result[f"{kind}_n"], result[f"{kind}_pct"] = share["n"], share["pct"]
        result[f"{kind}_ci95"] = share["ci95"]
    return result


def mean_confidence_interval(cell: Stats, level: float = 0.95) -> tuple[float, float] | None:
    """Student-t interval of a mean from its ``{n, mean, sd}`` (the summary's own numbers)."""
    n, mean, sd = cell.get("n"), cell.get("mean"), cell.get("sd")
    if not isinstance(n, int) or n < 2 or mean is None or sd is None:
        return None
    if sd == 0:
        return float(mean), float(mean)
    from scipy import stats
    low, high = stats.t.interval(level, n - 1, loc=mean, scale=sd / math.sqrt(n))
    return float(low), float(high)
