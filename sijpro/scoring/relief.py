"""Patient-reported percentage of pain relief since surgery, 0-100, or pain worse than before surgery.

As collected in Deer et al., J Pain Res 2021;14:2709-15 (seed study 003): the score is the answer. A
patient whose pain is worse than before surgery answers ``worse`` = 1 and no percentage; their relief
scores 0 % (no relief) and ``worse`` 1. A percentage given means ``worse`` 0, recorded or not.
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "relief-2"
SCORE_NAMES = ("percent", "worse")


def score(answers: Mapping[str, int | None]) -> dict[str, float | None]:
    value = answers.get("percent")
    worse = answers.get("worse")
    if worse == 1:
        return {"percent": 0.0, "worse": 1.0}
    if value is None:
        return {"percent": None, "worse": None if worse is None else float(worse)}
    return {"percent": float(value), "worse": 0.0}
