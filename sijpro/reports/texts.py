"""The reports' words in one language, and numbers, dates and p-values as papers print them.

The words themselves are in the one catalogue (``sijpro.i18n``, keys without a screen's prefix); numbers
and dates are formatted by CLDR there. This module adds what papers need on top: signs, intervals, mean ±
SD, p-values, and French typography's no-break spaces inside sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sijpro import i18n
from sijpro.errors import UserError
from sijpro.instruments.model import half_up

if TYPE_CHECKING:
    from sijpro.analysis.thresholds import Threshold

LANGUAGES = i18n.LANGUAGES
NBSP = "\u00a0"

def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise UserError(f"language {language!r} is not available; use one of: {', '.join(LANGUAGES)}")
    return language


class Words:
    """The reports' words and number formats in one language."""

    def __init__(self, language: str) -> None:
        self.language = check_language(language)

    def has(self, key: str) -> bool:
        return i18n.has(self.language, key)

    def __call__(self, key: str, **values: object) -> str:
        return self._typeset(i18n.text(self.language, key, **values))

    def plural(self, key: str, n: int, **values: object) -> str:
        """The form of ``key`` for the count ``n`` (French: 0 and 1 are singular)."""
        return self._typeset(i18n.plural(self.language, key, n, **values))

    def _typeset(self, text: str) -> str:
        return _french_spaces(text) if self.language == "fr" else text

    def number(self, value: float | None, decimals: int = 1) -> str:
        """``8.4`` in English, ``8,4`` in French; an en dash when there is no number."""
        if value is None:
            return "–"
        return i18n.number(self.language, value, decimals)

    def plain(self, value: float) -> str:
        """A value as entered (``7``, ``45.5``): no trailing zeros for whole numbers."""
        return self.number(value, 0) if _whole(value) else self.number(value, 1)

    def threshold(self, threshold: Threshold) -> str:
        """``15`` (points) or ``30%`` (of the baseline value)."""
        return self.pct(threshold.value, 0 if _whole(threshold.value) else 1) if threshold.unit == "percent" \
            else self.plain(threshold.value)

    def interval(self, bounds: Sequence[float] | None, *, percent: bool = False) -> str:
        """``[-2.5 to -1.9]`` (``[59.0–71.1%]``); empty when there is none (fewer than two patients)."""
        if not bounds:
            return ""
        low, high = (self.number(bound) for bound in bounds)
        if percent:
            return f"[{low}–{self.pct(bounds[1])}]"
        return f"[{low} {self('to')} {high}]"

    def signed(self, value: float | None, decimals: int = 1) -> str:
        if value is None:
            return "–"
        text = self.number(value, decimals)
        return text if text.startswith("-") or text.strip("0,.") == "" else f"+{text}"

    def pct(self, value: float | None, decimals: int = 1) -> str:
        if value is None:
            return "–"
        return i18n.percent(self.language, value, decimals)

    def mean_range(self, cell: Mapping[str, Any]) -> str:
        """``8.4 (7–10)``, seed 000's style."""
        if not cell.get("n"):
            return "–"
        return f"{self.number(cell['mean'])} ({self.plain(cell['min'])}–{self.plain(cell['max'])})"

    def mean_sd(self, cell: Mapping[str, Any], *, percent: bool = False) -> str:
        """``69.8 ± 9.0`` (``67.6% ± 28.9%``), seed 003's style; no SD when undefined (n = 1)."""
        if not cell.get("n"):
            return "–"
        show = self.pct if percent else self.number
        if cell.get("sd") is None:
            return show(cell["mean"])
        return f"{show(cell['mean'])} ± {show(cell['sd'])}"

    def count_pct(self, cell: Mapping[str, Any]) -> str:
        """``60 (54.1%)``; a dash when nobody's value is known (no denominator), as for means."""
        if cell.get("pct") is None:
            return f"{cell['n']}" if cell.get("n") else "–"
        return f"{cell['n']} ({self.pct(cell['pct'])})"

    def count_pct_ci(self, n: int | None, pct: float | None, ci95: Sequence[float] | None) -> str:
        """``147 (65.3%) [58.9–71.1%]``: a responder count, its share and the share's 95% interval."""
        text = self.count_pct({"n": n, "pct": pct})
        return f"{text} {self.interval(ci95, percent=True)}" if ci95 else text

    def p_value(self, p: float | None) -> str:
        """As journals print them: ``p<0.001``, ``p>0.99``, else three decimals (``p=0.023``), and four
        where three would carry a p below 0.05 up to it (0.0496 is ``p=0.0496``, never ``p=0.050``)."""
        if p is None:
            return "–"
        if p < 0.001:
            return f"p<{self.number(0.001, 3)}"
        if p > 0.99:
            return f"p>{self.number(0.99, 2)}"
        decimals = 4 if p < 0.05 <= float(half_up(p, 3)) else 3
        return f"p={self.number(p, decimals)}"

    def date(self, day: dt.date | None) -> str:
        if day is None:
            return "–"
        return i18n.date(self.language, day)

    def moment(self, when: dt.datetime) -> str:
        return f"{self.date(when.date())} {when:%H:%M}"


def _french_spaces(text: str) -> str:
    """French typography: a non-breaking space before %, : and ; so they never start a line."""
    for mark in ("%", ":", ";"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text


def _whole(value: float) -> bool:
    """True for 56.00000000000001 too: ODI arithmetic leaves such crumbs."""
    return abs(value - round(value)) < 1e-9
