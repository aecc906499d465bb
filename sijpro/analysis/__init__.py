"""Cohort statistics (scipy.stats), responder rates and per-patient trajectories.

Pure functions of the plain records (``PatientOutcomes``), so they run and test without a database.
"""

from sijpro.analysis.cohort import (
    LAST,
    RELIEF_THRESHOLDS,
    cohort_summary,
    scoring_versions,
    sex_counts,
)
from sijpro.analysis.descriptive import mean_confidence_interval
from sijpro.analysis.filters import WHERE_KEYS, normalise_where, parse_where, select
from sijpro.analysis.scores import baseline_score_keys, resolve_mcid, score_spec
from sijpro.analysis.summary import CohortSummary
from sijpro.analysis.trajectory import TrajectoryPoint, latest_with_score, months_between, patient_trajectory

__all__ = [
    "LAST",
    "RELIEF_THRESHOLDS",
    "WHERE_KEYS",
    "CohortSummary",
    "TrajectoryPoint",
    "baseline_score_keys",
    "cohort_summary",
    "latest_with_score",
    "mean_confidence_interval",
    "months_between",
    "normalise_where",
    "parse_where",
    "patient_trajectory",
    "resolve_mcid",
    "score_spec",
    "scoring_versions",
    "select",
    "sex_counts",
]
