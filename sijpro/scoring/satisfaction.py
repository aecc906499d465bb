"""Satisfaction with the result of surgery on the four-level scale used in spine outcome studies.

Levels: 1 very satisfied, 2 satisfied, 3 disappointed, 4 dissatisfied. ``satisfied`` is 1 for the top
two levels, as reported in seed study 000 ("86% satisfied or very satisfied").
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "satisfaction-1"
SCORE_NAMES = ("overall", "satisfied")


def score(answers: Mapping[str, int | None]) -> dict[str, float | None]:
    overall = answers.get("overall")
    if overall is None:
        return {"overall": None, "satisfied": None}
    return {"overall": float(overall), "satisfied": 1.0 if overall <= 2 else 0.0}
