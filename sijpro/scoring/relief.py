"""Patient-reported percentage of pain relief since surgery, 0-100.

As collected in Deer et al., J Pain Res 2021;14:2709-15 (seed study 003): the score is the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "relief-1"
SCORE_NAMES = ("percent",)


def score(answers: Mapping[str, int | None]) -> dict[str, float | None]:
    value = answers.get("percent")
    return {"percent": None if value is None else float(value)}
