"""Item-level answers drawn around one latent health state, so the scores of a synthetic visit agree.

A real patient whose back pain eased also walks further, sleeps better and is more satisfied; scores
drawn independently would make cohort correlations and trajectory charts look like noise. So each visit
has one ``HealthState`` and every questionnaire answers around it: ODI sections scatter around the
disability level, SF-12 items around disability and distress, satisfaction follows relief. The scores
then come out of the real scoring modules, as they would for real answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sijpro.records import ResponseMode
from sijpro.scoring.odi import SECTIONS

Answers = dict[str, int | None]


@dataclass(frozen=True)
class HealthState:
    """One patient at one visit. Pain on the 0-10 NRS; the others on 0-1, 0 being the best."""

    lumbar: float
    radicular: float
    disability: float
    """What the ODI measures: 0.69 answers like an ODI of about 69."""
    distress: float
    """Low mood and low energy, what the mental items of the SF-12 pick up."""
    relief: float
    """Fraction of the pre-operative pain gone (follow-ups only)."""


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _level(value: float, levels: int) -> int:
    """0..levels-1: which of ``levels`` equal slices of 0-1 the value falls in."""
    return min(levels - 1, max(0, int(value * levels)))


def _nrs(state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    return {"lumbar": round(state.lumbar), "radicular": round(state.radicular)}


SEX_LIFE_SKIPPED = 0.25
"""Share of patients who leave ODI section 8 (sex life) blank, as older patients often do."""


def _odi(state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    answers: Answers = {}
    for section in SECTIONS:
        # Section 1 (pain intensity) is the pain the NRS measures, on a 0-5 scale.
        centre = state.lumbar / 2 if section == "odi1" else 5 * state.disability
        answers[section] = round(_clip(centre + rng.gauss(0, 0.6), 0, 5))
    if rng.random() < SEX_LIFE_SKIPPED:
        answers["odi8"] = None
    if mode == "paper" and rng.random() < 0.05:  # a section overlooked on paper
        answers[rng.choice(SECTIONS)] = None
    return answers


def _sf12(state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    physical, mental = state.disability, state.distress

    def near(value: float) -> float:
        return value + rng.gauss(0, 0.12)

    answers: Answers = {
        "GH1": 1 + _level(near(0.45 * physical + 0.35 * mental + 0.25), 5),  # 1 excellent .. 5 poor
        "PF02": 3 - _level(near(physical), 3),  # 1 limited a lot .. 3 not limited
        "PF04": 3 - _level(near(1.1 * physical), 3),
        "RP2": 1 if near(physical) > 0.4 else 2,  # 1 yes, accomplished less
        "RP3": 1 if near(physical) > 0.5 else 2,
        "RE2": 1 if near(mental) > 0.5 else 2,
        "RE3": 1 if near(mental) > 0.58 else 2,
        "BP2": 1 + _level(near(0.75 * physical + 0.025 * state.lumbar), 5),  # 1 not at all .. 5 extremely
        "MH3": 1 + _level(near(0.9 * mental + 0.1), 6),  # calm: 1 all of the time .. 6 none
        "VT2": 1 + _level(near(0.45 * physical + 0.45 * mental + 0.15), 6),  # energy
        "MH4": 6 - _level(near(0.95 * mental), 6),  # downhearted: 1 all of the time .. 6 none
        "SF2": 5 - _level(near(0.5 * physical + 0.5 * mental), 5),  # social limits: 1 all .. 5 none
    }
    if mode == "paper" and rng.random() < 0.04:  # one item left blank: PCS and MCS are then missing
        answers[rng.choice(list(answers))] = None
    return answers


def _satisfaction(state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    felt = state.relief + rng.gauss(0, 0.15)
    overall = 1 if felt > 0.42 else 2 if felt > 0.08 else 3 if felt > -0.05 else 4
    would_repeat_chance = (0.97, 0.9, 0.5, 0.15)[overall - 1]
    return {"overall": overall, "would_repeat": 1 if rng.random() < would_repeat_chance else 2}


def _relief(state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    """The tablet offers 0, 10 .. 100 %; on paper patients also write 5s."""
    percent = _clip(100 * state.relief + rng.gauss(0, 6), 0, 100)
    step = 10 if mode == "kiosk" else 5
    return {"percent": int(step * round(percent / step))}


ANSWERERS: dict[str, Callable[[HealthState, random.Random, ResponseMode], Answers]] = {
    "nrs": _nrs,
    "odi": _odi,
    "sf12": _sf12,
    "satisfaction": _satisfaction,
    "relief": _relief,
}


def answers_for(instrument: str, state: HealthState, rng: random.Random, mode: ResponseMode) -> Answers:
    return ANSWERERS[instrument](state, rng, mode)
