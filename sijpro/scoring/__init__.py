"""Scoring: one pure module per instrument, each stamped with its ``SCORING_VERSION``.

Every module exposes ``SCORE_NAMES``, ``SCORING_VERSION`` and ``score(answers) -> dict``; the version
is stored with every score so that a later re-scoring is traceable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from sijpro.errors import UserError
from sijpro.scoring import nrs, odi, relief, satisfaction, sf12

Answers = Mapping[str, int | None]
"""Item code -> answered value; a missing key or None means unanswered."""

SCORERS: dict[str, ModuleType] = {
    "nrs": nrs,
    "odi": odi,
    "sf12": sf12,
    "satisfaction": satisfaction,
    "relief": relief,
}


@dataclass(frozen=True)
class ScoreSet:
    """The scores of one completed questionnaire, with the version of the rules that made them."""

    instrument: str
    values: dict[str, float | None]
    version: str


def scorer_for(instrument_id: str) -> ModuleType:
    try:
        return SCORERS[instrument_id]
    except KeyError:
        raise UserError(f"no scoring rules for instrument '{instrument_id}'") from None


def score_answers(instrument_id: str, answers: Answers, **options: int) -> ScoreSet:
    """Score one questionnaire; ``options`` are the instrument's rule parameters (ODI: max_missing)."""
    module = scorer_for(instrument_id)
    return ScoreSet(instrument_id, module.score(answers, **options), module.SCORING_VERSION)
