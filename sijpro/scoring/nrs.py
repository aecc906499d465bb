"""Numeric rating scale for low back (lumbar) and leg (radicular) pain, 0-10.

Source: Hawker GA et al., Arthritis Care Res 2011;63 Suppl 11:S240-52 (11-point NRS). The scores are
the answers themselves; an unanswered item has no score.
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "nrs-1"
SCORE_NAMES = ("lumbar", "radicular")


def score(answers: Mapping[str, int | None]) -> dict[str, float | None]:
    return {
        name: None if (value := answers.get(name)) is None else float(value)
        for name in SCORE_NAMES
    }
