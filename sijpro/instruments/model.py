"""Instrument definitions as immutable domain objects.

An instrument (a *task* in CamCOPS' words) knows its items, the values each item accepts, the texts in
every language it ships, and how its scores are charted (fixed axis, better direction, MCID, bands,
population norm, and the precision it is written with). Scoring itself lives in ``sijpro.scoring``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sijpro.numerals import ascii_number

WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
"""How an answer is written: digits, perhaps with a sign or a '.0' (as a spreadsheet writes a whole number)."""

LocalText = dict[str, str]
"""A text in every language of its instrument, keyed by language code."""

ItemKind = Literal["choice", "scale"]


@dataclass(frozen=True)
class Option:
    value: int
    text: LocalText


@dataclass(frozen=True)
class Alternative:
    """An answer offered beside a scale that is not on it ("worse than before surgery" beside 0-100 %
    relief): choosing it sets ``item`` to 1 and leaves the scale empty; a value on the scale sets it to 0."""

    item: str
    text: LocalText


@dataclass(frozen=True)
class Item:
    code: str
    kind: ItemKind
    text: LocalText
    optional: bool = False
    heading: LocalText | None = None
    options: tuple[Option, ...] = ()
    minimum: int = 0
    maximum: int = 0
    step: int = 1
    kiosk_step: int = 1
    anchors: tuple[LocalText, LocalText] | None = None
    unit: LocalText | None = None
    alternative: Alternative | None = None

    def accepted_values(self) -> tuple[int, ...]:
        if self.kind == "choice":
            return tuple(option.value for option in self.options)
        return tuple(range(self.minimum, self.maximum + 1, self.step))

    def kiosk_values(self) -> tuple[int, ...]:
        """The answers the tablet offers as buttons, in display order."""
        if self.kind == "choice":
            return self.accepted_values()
        return tuple(range(self.minimum, self.maximum + 1, self.kiosk_step))

    def problem_with(self, value: int) -> str | None:
        """Why ``value`` is not an acceptable answer, or None when it is."""
        if self.kind == "choice":
            if value in self.accepted_values():
                return None
            allowed = ", ".join(str(v) for v in self.accepted_values())
            return f"{value} is not one of {allowed}"
        if not self.minimum <= value <= self.maximum:
            return f"{value} is outside {self.minimum}-{self.maximum}"
        if (value - self.minimum) % self.step:
            return f"{value} is not a multiple of {self.step} from {self.minimum}"
        return None

    def parse(self, raw: str) -> int | None:
        """Read an answer typed in a file or a form; empty means unanswered.

        Raises ValueError with a message fit for the user when the text is not an accepted answer.
        """
        text = raw.strip()
        if not text:
            return None
        number = ascii_number(text)  # "٥" or "５" is not an answer, though float() reads it
        if not number.is_integer() or not WHOLE_NUMBER.fullmatch(text):  # "1e1" is no way to write 10
            raise ValueError(f"{text} is not a whole number")
        value = int(number)
        problem = self.problem_with(value)
        if problem:
            raise ValueError(problem)
        return value

    def option_text(self, value: int, language: str) -> str:
        """The words of an answer, for review screens and reports."""
        for option in self.options:
            if option.value == value:
                return option.text[language]
        unit = self.unit[language] if self.unit else ""
        return f"{value}{unit}"


@dataclass(frozen=True)
class Band:
    code: str
    upper: float
    label: LocalText


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, from its shortest repr so that 0.125 is 0.13;
    never -0 (a negative score rounded to zero is zero)."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


@dataclass(frozen=True)
class ScoreSpec:
    name: str
    label: LocalText
    minimum: float
    maximum: float
    better: Literal["lower", "higher"]
    reference: float | None = None
    bands: tuple[Band, ...] = ()
    decimals: int = 0
    """The precision the score is written with in every export (ODI 1, SF-12 2, the others 0): what is
    clinically meaningful, and free of float noise such as 77.77777777777777."""

    def rounded(self, value: float) -> Decimal:
        """The score at its stated precision, rounded half up as journals do (77.75 -> 77.8)."""
        return half_up(value, self.decimals)

    def text(self, value: float | None) -> str:
        """The score as exports write it: exactly ``decimals`` places ('' when there is no score)."""
        return "" if value is None else format(self.rounded(value), "f")

    def band_for(self, value: float | None) -> Band | None:
        if value is None or not self.bands:
            return None
        for band in self.bands:
            if value <= band.upper:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    languages: tuple[str, ...]
    title: LocalText
    short_title: LocalText
    instructions: LocalText
    licence: LocalText
    source: str
    items: tuple[Item, ...]
    scores: tuple[ScoreSpec, ...]
    recall: LocalText | None = None

    @property
    def asked_items(self) -> tuple[Item, ...]:
        """The items asked on screens of their own: not those answered through another's alternative."""
        answered_elsewhere = {item.alternative.item for item in self.items if item.alternative}
        return tuple(item for item in self.items if item.code not in answered_elsewhere)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)


    @property
    def score_names(self) -> tuple[str, ...]:
        return tuple(score.name for score in self.scores)

    def contradictions(self, answers: Mapping[str, int | None]) -> list[str]:
        """Answers that cannot all be true: a value on a scale together with its alternative chosen (a
        relief percentage and "worse than before surgery" = 1). The one rule the kiosk's alternative
        follows, checked by every way answers come in (``sijpro score``, import)."""
        found = []
        for item in self.items:
            alternative = item.alternative
            if alternative is not None and answers.get(item.code) is not None and answers.get(alternative.item) == 1:
                found.append(f"{self.id} items '{item.code}' and '{alternative.item}': {item.code} "
                             f"{answers[item.code]} with {alternative.item} 1 contradict each other "
                             f"({alternative.item} 1 leaves {item.code} empty)")
        return found

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{self.id} has no item {code!r}")

    def score_spec(self, name: str) -> ScoreSpec:
        for spec in self.scores:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.id} has no score {name!r}")
