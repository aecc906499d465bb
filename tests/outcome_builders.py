"""Hand-made patients for tests that need exact values at exact visits."""

from __future__ import annotations

import datetime as dt

from sijpro.protocol import default_protocol
from sijpro.records import PatientOutcomes, PatientRecord, ProcedureRecord, TimepointOutcome
from sijpro.scoring import SCORERS

VERSIONS = {instrument: module.SCORING_VERSION for instrument, module in SCORERS.items()}


def visit(
    code: str, surgery: dt.date, scores: dict[str, float | None] | None, *, days_late: int = 0,
    status: str | None = None,
) -> TimepointOutcome:
    """A visit of the default protocol; ``scores`` None means not answered (its state then follows from the
    dates, or ``status`` says it was cancelled)."""
    timepoint = default_protocol().timepoint(code)
    due = timepoint.due_date(surgery)
    start, end = timepoint.window(surgery)
    if scores is None:
        return TimepointOutcome(code, due, start, end, status or "scheduled", None)
    answered = (end + dt.timedelta(days=days_late)) if days_late else due
    versions = {key.partition(".")[0]: VERSIONS[key.partition(".")[0]] for key in scores}
    return TimepointOutcome(code, due, start, end, status or "completed", answered, dict(scores), versions)


def patient(
    patient_id: int, visits: dict[str, dict[str, float | None] | TimepointOutcome | None], *,
    surgery: dt.date = dt.date(2023, 3, 15), side: str = "right", approach: str = "lateral", **fields: object,
) -> PatientOutcomes:
    """A patient with the given visits (timepoint -> scores, None = missed, or a ready TimepointOutcome)."""
    record = PatientRecord(**{  # type: ignore[arg-type]
        "id": patient_id, "mrn": f"T{patient_id:04d}", "family_name": "Lefèvre", "given_name": "Hélène",
        "birth_date": dt.date(1960, 6, 1), "sex": "F", "language": "en", "bmi": 28.0, "fbss": False,
        "prior_lumbar_surgeries": 2, "prior_lumbosacral_fusion": True, **fields,
    })
    procedure = ProcedureRecord(patient_id, patient_id, surgery, side=side, approach=approach)  # type: ignore[arg-type]
    outcomes = tuple(
        scores if isinstance(scores, TimepointOutcome) else visit(code, surgery, scores)
        for code, scores in visits.items()
    )
    return PatientOutcomes(record, procedure, outcomes, "SIJ fusion standard follow-up", 1)
