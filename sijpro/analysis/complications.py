"""Complications, reoperations and INSITE-style success of a cohort (DESIGN.md ``complications``).

Every percentage is of the cohort's patients (each patient counted once per kind, however many events),
with its Wilson interval like the other responder proportions. "Success" follows the INSITE trial's
composite (Polly 2015): the pain score improved by at least its MCID and no reoperation was needed up to
that follow-up; it is judged among the patients with a baseline and a follow-up pain score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sijpro.analysis.descriptive import proportion
from sijpro.analysis.thresholds import Threshold
from sijpro.analysis.trajectory import latest_with_score
from sijpro.protocol import BASELINE
from sijpro.records import COMPLICATION_KINDS, PatientOutcomes, TimepointOutcome

SUCCESS_SCORE = "nrs.lumbar"
"""The pain score of the success definition (INSITE: SIJ pain on a 0-100 VAS, here the 0-10 NRS)."""
LAST = "last"


def complications_table(patients: Sequence[PatientOutcomes]) -> dict[str, object]:
    """``{n_patients_with_any, n_events, any, by_kind: {KIND: {n, pct, ci95, events}}, reoperation}``."""
    cohort = len(patients)
    with_any = sum(1 for o in patients if o.complications)
    by_kind: dict[str, object] = {}
    for kind in COMPLICATION_KINDS:
        events = [c for o in patients for c in o.complications if c.kind == kind]
        cell = proportion(len({c.patient_id for c in events}), cohort, interval=True)
        by_kind[kind] = {**cell, "events": len(events)}
    reoperated = sum(1 for o in patients if any(c.revision for c in o.complications))
    return {
        "n_patients_with_any": with_any,
        "n_events": sum(len(o.complications) for o in patients),
        "any": proportion(with_any, cohort, interval=True),
        "by_kind": by_kind,
        "reoperation": proportion(reoperated, cohort, interval=True),
    }


def success_table(patients: Sequence[PatientOutcomes], timepoints: Sequence[str],
                  threshold: Threshold | None) -> dict[str, dict[str, Any]]:
    """Per follow-up timepoint (and ``last``): ``{n, n_success, pct, ci95}``, or an empty table when the
    pain score has no MCID chosen (then success cannot be told)."""
    if threshold is None:
        return {}
    table: dict[str, dict[str, Any]] = {}
    for code in (*timepoints, LAST):
        judged = succeeded = 0
        for outcomes in patients:
            verdict = _success(outcomes, code, threshold)
            if verdict is not None:
                judged += 1
                succeeded += verdict
        cell = proportion(succeeded, judged, interval=True)
        table[code] = {"n": judged, "n_success": succeeded, "pct": cell["pct"], "ci95": cell["ci95"]}
    return table


def _success(outcomes: PatientOutcomes, code: str, threshold: Threshold) -> bool | None:
    baseline = outcomes.at(BASELINE)
    before = baseline.scores.get(SUCCESS_SCORE) if baseline is not None else None
    follow_up: TimepointOutcome | None
    if code == LAST:
        latest = latest_with_score(outcomes, SUCCESS_SCORE)
        follow_up = latest[0] if latest is not None else None
    else:
        follow_up = outcomes.at(code)
    if before is None or follow_up is None:
        return None
    improved = threshold.reached(before, follow_up.scores.get(SUCCESS_SCORE), "lower")
    if improved is None:
        return None
    day = follow_up.completed_on or follow_up.due_date  # a visit answered in part: its due day
    reoperated = any(c.revision and c.occurred_on <= day for c in outcomes.complications)
    return improved and not reoperated
