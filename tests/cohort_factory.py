"""Synthetic ``PatientOutcomes`` shaped like seed 000's cohort, for analysis and report tests.

Deliberately independent of the storage layer: reports are pure functions of these records. Visits are
sometimes missed, answered late, or not yet due; a few questionnaires are missing inside a completed
visit; surgeries spread over years so that follow-up lengths differ.
"""

from __future__ import annotations

import datetime as dt
import random

from sijpro.protocol import BASELINE, Protocol, default_protocol
from sijpro.records import PRIOR_INTERVENTIONS, PatientOutcomes, PatientRecord, ProcedureRecord, TimepointOutcome
from sijpro.scoring import SCORERS

TODAY = dt.date(2026, 1, 15)
VERSIONS = {instrument: module.SCORING_VERSION for instrument, module in SCORERS.items()}
FAMILY = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Lefèvre"]
GIVEN = ["Élodie", "Jean", "Marie", "François", "Anne", "Hélène", "Luc", "Chloé", "Noël", "Zoé"]


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _scores(rng: random.Random, instruments: tuple[str, ...], gain: float, base: dict[str, float]) -> dict:
    """Scores of one visit: ``gain`` 0 at baseline, up to about 1 when the patient did well."""
    scores: dict[str, float | None] = {}
    if "nrs" in instruments:
        scores["nrs.lumbar"] = round(_clip(base["lumbar"] * (1 - 0.45 * gain) + rng.gauss(0, 1.2), 0, 10))
        scores["nrs.radicular"] = round(_clip(base["radicular"] * (1 - 0.45 * gain) + rng.gauss(0, 1.5), 0, 10))
    if "odi" in instruments:
        scores["odi.odi"] = 2.0 * round(_clip(base["odi"] * (1 - 0.35 * gain) + rng.gauss(0, 6), 0, 100) / 2)
    if "sf12" in instruments:
        if rng.random() < 0.05:  # one SF-12 item left blank: both summaries missing
            scores["sf12.pcs"] = scores["sf12.mcs"] = None
        else:
            scores["sf12.pcs"] = round(_clip(base["pcs"] + 9 * gain + rng.gauss(0, 5), 5, 70), 2)
            scores["sf12.mcs"] = round(_clip(base["mcs"] + 5 * gain + rng.gauss(0, 6), 5, 75), 2)
    if "satisfaction" in instruments:
        level = rng.choices([1, 2, 3, 4], weights=[50 * gain + 5, 36, 9, 5])[0]
        scores["satisfaction.overall"] = level
        scores["satisfaction.satisfied"] = 1.0 if level <= 2 else 0.0
    if "relief" in instruments:
        scores["relief.percent"] = round(_clip(rng.gauss(70 * gain, 25), 0, 100))
    return scores


def make_patient(
    patient_id: int, rng: random.Random, *, today: dt.date = TODAY, protocol: Protocol | None = None
) -> PatientOutcomes:
    protocol = protocol or default_protocol()
    surgery = today - dt.timedelta(days=rng.randint(20, 6 * 365))
    sex = rng.choices(["F", "M", "X"], weights=[41, 13, 1])[0]
    birth = surgery - dt.timedelta(days=int(rng.uniform(27, 88) * 365.25))
    patient = PatientRecord(
        id=patient_id, mrn=f"MRN{patient_id:05d}", family_name=rng.choice(FAMILY), given_name=rng.choice(GIVEN),
        birth_date=birth, sex=sex, language=rng.choice(["en", "fr"]),
        bmi=round(rng.gauss(30.6, 6.2), 1) if rng.random() > 0.05 else None,
        fbss=rng.random() < 0.46 if rng.random() > 0.03 else None,
        prior_lumbar_surgeries=rng.randint(0, 7),
        prior_lumbosacral_fusion=rng.random() < 0.6,
        prior_interventions=frozenset(code for code in PRIOR_INTERVENTIONS if rng.random() < 0.25),
    )
    side = rng.choices(["left", "right", "bilateral"], weights=[12, 11, 31])[0]
    procedure = ProcedureRecord(
        id=patient_id, patient_id=patient_id, surgery_date=surgery, side=side,
        approach=rng.choice(["lateral", "posterior"]),
        second_side_date=surgery + dt.timedelta(days=rng.randint(40, 120))
        if side == "bilateral" and rng.random() < 0.3 else None,
    )
    base = {"lumbar": rng.uniform(7, 10), "radicular": rng.uniform(2, 10), "odi": rng.uniform(52, 86),
            "pcs": rng.uniform(20, 40), "mcs": rng.uniform(30, 55)}
    response = rng.uniform(0.2, 1.2)
    timepoints = []
    for timepoint in protocol.timepoints:
        due = timepoint.due_date(surgery)
        start, end = timepoint.window(surgery)
        if timepoint.code != BASELINE and rng.random() < 0.1:
            timepoints.append(TimepointOutcome(timepoint.code, due, start, end, "missed", None))
            continue
        answered = due - dt.timedelta(days=rng.randint(0, 30)) if timepoint.code == BASELINE else (
            due + dt.timedelta(days=rng.randint(-timepoint.window_before_days, timepoint.window_after_days))
            if rng.random() > 0.1 else end + dt.timedelta(days=rng.randint(1, 60))
        )
        if answered > today:
            timepoints.append(TimepointOutcome(timepoint.code, due, start, end, "scheduled", None))
            continue
        gain = 0.0 if timepoint.code == BASELINE else response * min(1.0, 0.5 + timepoint.nominal_months() / 12)
        scores = _scores(rng, timepoint.instruments, gain, base)
        versions = {instrument: VERSIONS[instrument] for instrument in timepoint.instruments}
        timepoints.append(TimepointOutcome(timepoint.code, due, start, end, "completed", answered, scores, versions))
    return PatientOutcomes(patient, procedure, tuple(timepoints), protocol.name, protocol.version)


def make_cohort(n: int, seed: int = 1, *, today: dt.date = TODAY) -> list[PatientOutcomes]:
    rng = random.Random(seed)
    return [make_patient(i + 1, rng, today=today) for i in range(n)]
