"""The two kinds of patient the synthetic cohort mixes, each drawn to match its seed study.

* ``POST_FUSION`` (seed 000: SIJ syndrome after lumbosacral fusion, lateral approach): 76% women, age 59
  (27-88), 57% bilateral, 3 prior lumbar surgeries (1-7), all with a prior lumbosacral fusion; NRS lumbar
  8.4 -> 5.2 and radicular 5.1 -> 3.0 at two years, ODI 69.4 -> 45.6, 86% satisfied.
* ``SALVAGE`` (seed 003: posterior fusion after SCS, ISS, IDDS or MILD): age 69.8 +/- 9, 54% women, BMI
  30.6 +/- 6.2, 46% FBSS, patient-reported relief 68% +/- 29 (92% >= 30%, 83% >= 50%, 47% >= 80%), better
  with FBSS (77%).

A patient is drawn once (who they are, what was done) together with a ``Course``: their baseline state
and how much of it the surgery relieves; visits then sample the course.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from sijpro.demo.answers import HealthState
from sijpro.demo.names import DEVICES, SURGEONS, demo_patient_names
from sijpro.records import Approach, PatientDraft, ProcedureDraft, Sex, Side


@dataclass(frozen=True)
class Course:
    """One patient's baseline and response to surgery; ``benefit`` is the share of back pain relieved
    once recovery has plateaued, the radicular and disability benefits follow it loosely."""

    lumbar: float
    radicular: float
    disability: float
    distress: float
    benefit: float
    radicular_benefit: float
    disability_benefit: float

    def state_at(self, months: float, rng: random.Random) -> HealthState:
        """The patient ``months`` after surgery (0 or less: before it), with visit-to-visit wobble."""
        if months <= 0:  # the baseline is the course's own starting point
            return HealthState(self.lumbar, self.radicular, self.disability, self.distress, relief=0.0)
        # Most of the relief comes in the first three months and has plateaued by a year.
        recovered = 1 - 0.75 * math.exp(-months / 2.5)
        relief = _clip(self.benefit * recovered + rng.gauss(0, 0.06), -0.3, 1)
        radicular = self.radicular * (1 - self.radicular_benefit * recovered) + rng.gauss(0, 0.5)
        disability = self.disability * (1 - self.disability_benefit * recovered) + rng.gauss(0, 0.035)
        distress = self.distress * (1 - 0.45 * self.benefit * recovered) + rng.gauss(0, 0.05)
        return HealthState(
            lumbar=_clip(self.lumbar * (1 - relief), 0, 10),
            radicular=_clip(radicular, 0, 10),
            disability=_clip(disability, 0, 1),
            distress=_clip(distress, 0, 1),
            relief=relief,
        )


@dataclass(frozen=True)
class DemoPatient:
    patient: PatientDraft
    procedure: ProcedureDraft
    course: Course


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _weighted(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _sex(rng: random.Random, female: float) -> Sex:
    draw = rng.random()
    return "X" if draw > 0.995 else "F" if draw < female else "M"


def _birth_date(rng: random.Random, surgery: dt.date, age: int) -> dt.date:
    return surgery - relativedelta(years=age) - dt.timedelta(days=rng.randrange(365))


def _procedure(rng: random.Random, surgery: dt.date, today: dt.date, approach: Approach,
               bilateral: float) -> ProcedureDraft:
    side: Side = "bilateral" if rng.random() < bilateral else rng.choice(("left", "right"))
    second_side = None
    if side == "bilateral" and rng.random() < 0.4:
        staged = surgery + dt.timedelta(weeks=rng.randint(3, 12))
        second_side = staged if staged <= today else None
    return ProcedureDraft(
        surgery_date=surgery, side=side, approach=approach, device=rng.choice(DEVICES[approach]),
        surgeon=rng.choice(SURGEONS[approach]), second_side_date=second_side,
    )


def post_fusion_patient(rng: random.Random, mrn: str, surgery: dt.date, today: dt.date) -> DemoPatient:
    """Seed 000's patient: SIJ syndrome years after a lumbosacral fusion, lateral approach."""
    sex = _sex(rng, 41 / 54)
    language = "fr" if rng.random() < 0.7 else "en"
    family, given = demo_patient_names(rng, sex, language)
    age = round(_clip(rng.gauss(59, 12), 27, 88))
    interventions = {code for code, share in (("INJ", 0.7), ("RFA", 0.2), ("SCS", 0.08)) if rng.random() < share}
    patient = PatientDraft(
        mrn=mrn, family_name=family, given_name=given, birth_date=_birth_date(rng, surgery, age), sex=sex,
        language=language,
        bmi=None if rng.random() < 0.03 else round(_clip(rng.gauss(27.5, 4.8), 17, 48), 1),
        fbss=rng.random() < 0.55,
        prior_lumbar_surgeries=_weighted(rng, {1: 15, 2: 25, 3: 25, 4: 17, 5: 10, 6: 5, 7: 3}),
        prior_lumbosacral_fusion=True,
        prior_interventions=frozenset(interventions),
    )
    lumbar = _weighted(rng, {7: 20, 8: 35, 9: 30, 10: 15})
    benefit = rng.betavariate(1.47, 2.40)
    course = Course(
        lumbar=lumbar,
        radicular=round(_clip(rng.gauss(5.1, 2.0), 2, 10)),
        disability=_clip(rng.gauss(0.69 + 0.03 * (lumbar - 8.4), 0.06), 0.5, 0.86),
        distress=_clip(rng.gauss(0.5, 0.17), 0.05, 0.95),
        benefit=benefit,
        radicular_benefit=_clip(benefit + rng.gauss(0.05, 0.15), -0.2, 1),
        # Function improves less, and less variably, than pain (ODI -33% against NRS -37% at 2 years).
        disability_benefit=_clip(0.34 + 0.35 * (benefit - 0.38) + rng.gauss(0, 0.05), -0.2, 0.9),
    )
    return DemoPatient(patient, _procedure(rng, surgery, today, "lateral", 31 / 54), course)


SALVAGE_INTERVENTIONS = (
    (("SCS",), 60.4), (("ISS",), 28.8), (("IDDS",), 0.9), (("MILD",), 1.8), (("SCS", "ISS"), 6.3),
    (("SCS", "IDDS"), 1.8),
)
"""Seed 003's prior procedures: 68.5% SCS, 35.1% ISS, 2.7% IDDS, 1.8% MILD, 8.1% more than one."""


def _salvage_benefit(rng: random.Random, fbss: bool) -> float:
    """Relief as seed 003 reports it: about 8% below 30%, 9% 30-49%, 36% 50-79%, 47% 80% or more;
    the draw leans towards the top for FBSS patients (77% mean relief against 68% overall)."""
    draw = rng.random() ** (0.7 if fbss else 1.42)
    if draw < 0.08:
        return rng.uniform(0.0, 0.29)
    if draw < 0.17:
        return rng.uniform(0.30, 0.49)
    if draw < 0.53:
        return rng.uniform(0.50, 0.79)
    return rng.uniform(0.80, 1.0)


def salvage_patient(rng: random.Random, mrn: str, surgery: dt.date, today: dt.date) -> DemoPatient:
    """Seed 003's patient: posterior fusion after a spinal cord stimulator, spacer, pump or MILD."""
    sex = _sex(rng, 60 / 111)
    language = "en" if rng.random() < 0.85 else "fr"
    family, given = demo_patient_names(rng, sex, language)
    age = round(_clip(rng.gauss(69.8, 9), 38, 94))
    fbss = rng.random() < 51 / 111
    interventions = rng.choices(
        [codes for codes, _ in SALVAGE_INTERVENTIONS], weights=[weight for _, weight in SALVAGE_INTERVENTIONS]
    )[0]
    surgeries = _weighted(rng, {1: 45, 2: 30, 3: 15, 4: 10}) if fbss else _weighted(rng, {0: 80, 1: 20})
    patient = PatientDraft(
        mrn=mrn, family_name=family, given_name=given, birth_date=_birth_date(rng, surgery, age), sex=sex,
        language=language, bmi=round(_clip(rng.gauss(30.6, 6.2), 16, 60), 1), fbss=fbss,
        prior_lumbar_surgeries=surgeries,
        prior_lumbosacral_fusion=fbss and rng.random() < 0.5,
        prior_interventions=frozenset(interventions),
    )
    lumbar = _weighted(rng, {6: 15, 7: 30, 8: 30, 9: 17, 10: 8})
    benefit = _salvage_benefit(rng, fbss)
    course = Course(
        lumbar=lumbar,
        radicular=round(_clip(rng.gauss(3.5, 2.0), 0, 10)),
        disability=_clip(rng.gauss(0.52 + 0.035 * (lumbar - 7.7), 0.1), 0.25, 0.85),
        distress=_clip(rng.gauss(0.45, 0.17), 0.05, 0.95),
        benefit=benefit,
        radicular_benefit=_clip(0.8 * benefit + rng.gauss(0, 0.15), -0.2, 1),
        disability_benefit=_clip(0.75 * benefit + rng.gauss(0, 0.1), -0.2, 0.9),
    )
    return DemoPatient(patient, _procedure(rng, surgery, today, "posterior", 0.4), course)
