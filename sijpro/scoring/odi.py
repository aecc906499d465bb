"""Oswestry Disability Index v2.1a.

Source: Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940-52.
Each of the ten sections scores 0-5; the index is sum / (5 x answered sections) x 100, so a skipped
section (typically section 8, sex life) shrinks the denominator. By default one unanswered section is
allowed; with more, the questionnaire has no score. The allowance is a parameter so a protocol can be
stricter or more lenient.
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "odi-2.1a-1"
SCORE_NAMES = ("odi",)
SECTIONS = tuple(f"odi{number}" for number in range(1, 11))
DEFAULT_MAX_MISSING = 1

BANDS = (
    (20.0, "minimal"),
    (40.0, "moderate"),
    (60.0, "severe"),
    (80.0, "crippled"),
    (100.0, "bed-bound"),
)
"""Upper bound of each disability band (Fairbank 2000), as ``(upper, code)``."""


def score(answers: Mapping[str, int | None], max_missing: int = DEFAULT_MAX_MISSING) -> dict[str, float | None]:
    answered = [value for code in SECTIONS if (value := answers.get(code)) is not None]
    missing = len(SECTIONS) - len(answered)
    if missing > max_missing or not answered:
        return {"odi": None}
    # multiply before dividing: 28 * 100 / 50 is exactly 56.0, where 28 / 50 * 100 is 56.00000000000001
    return {"odi": sum(answered) * 100 / (5 * len(answered))}


def band(value: float | None) -> str | None:
    """Band code for an index value: minimal, moderate, severe, crippled or bed-bound."""
    if value is None:
        return None
    for upper, code in BANDS:
        if value <= upper:
            return code
    return BANDS[-1][1]
