"""One patient's course: values, change from baseline and MCID reached at every timepoint.

Changes are follow-up minus baseline (a fall in pain is negative), as in the cohort JSON; "MCID reached"
is judged in the direction of benefit of each score (lower pain, higher PCS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sijpro.analysis.scores import score_spec
from sijpro.analysis.thresholds import Threshold
from sijpro.protocol import BASELINE, Protocol
from sijpro.records import PatientOutcomes, TimepointOutcome

DAYS_PER_MONTH = 365.25 / 12


def months_between(start: dt.date, end: dt.date) -> float:
    """Months on a chart axis: days over the mean month length, so 6 weeks is 1.38."""
    return (end - start).days / DAYS_PER_MONTH


@dataclass(frozen=True)
class TrajectoryPoint:
    timepoint: str
    due_date: dt.date | None
    outcome: TimepointOutcome | None
    """None when the schedule has no visit for this timepoint (e.g. no index surgery yet)."""
    months: float | None
    """When it was answered, in months from the index surgery (negative before it); None if not answered."""
    values: dict[str, float | None]
    changes: dict[str, float | None]
    mcid_reached: dict[str, bool | None]


def latest_with_score(outcomes: PatientOutcomes, key: str) -> tuple[TimepointOutcome, float] | None:
    """The ``last`` rule of the cohort tables, for one score.

    ``last`` is the patient's latest *completed follow-up* (any timepoint but baseline, with a completion
    date) at which this score exists (is not missing). A later visit where only some questionnaires were
    answered therefore does not hide an earlier value of the others. Ties on the completion date go to
    the later timepoint of the schedule.
    """
    best: tuple[TimepointOutcome, float] | None = None
    best_day: dt.date | None = None
    for outcome in outcomes.timepoints:  # schedule order, so ">=" lets the later timepoint win a tie
        day = outcome.completed_on
        if outcome.timepoint == BASELINE or day is None:
            continue
        value = outcome.scores.get(key)
        if value is None:
            continue
        if best_day is None or day >= best_day:
            best, best_day = (outcome, value), day
    return best


def change_from_baseline(baseline: float | None, value: float | None) -> float | None:
    return None if baseline is None or value is None else value - baseline


def patient_trajectory(
    outcomes: PatientOutcomes,
    protocol: Protocol,
    keys: tuple[str, ...],
    mcid: Mapping[str, Threshold | None],
) -> tuple[TrajectoryPoint, ...]:
    """A point for every timepoint of the protocol, answered or not, in schedule order.

    ``keys`` are the scores to carry; ``mcid`` the threshold of each (None: no MCID, e.g. relief).
    """
    baseline = outcomes.at(BASELINE)
    baseline_values = baseline.scores if baseline else {}
    surgery = outcomes.index_procedure.surgery_date if outcomes.index_procedure else None
    points = []
    for timepoint in protocol.timepoints:
        outcome = outcomes.at(timepoint.code)
        due = outcome.due_date if outcome else (timepoint.due_date(surgery) if surgery else None)
        values = {key: outcome.scores.get(key) for key in keys} if outcome else dict.fromkeys(keys)
        changes: dict[str, float | None] = {}
        reached: dict[str, bool | None] = {}
        for key in keys:
            if timepoint.code == BASELINE:
                changes[key], reached[key] = None, None
                continue
            before, after = baseline_values.get(key), values[key]
            changes[key] = change_from_baseline(before, after)
            threshold = mcid.get(key)
            reached[key] = None if threshold is None else threshold.reached(before, after, score_spec(key).better)
        answered = outcome.completed_on if outcome else None
        months = months_between(surgery, answered) if surgery and answered else None
        points.append(TrajectoryPoint(timepoint.code, due, outcome, months, values, changes, reached))
    return tuple(points)

