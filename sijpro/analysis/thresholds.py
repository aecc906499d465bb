"""The responder thresholds: a versioned library with citations (``resources/thresholds/library.yaml``).

Three kinds, each chosen per report and stated in the summary's ``thresholds`` and the methods text:

- ``mcid``: minimal clinically important difference, a change from baseline in the direction of benefit;
- ``scb``: substantial clinical benefit, the same kind of change, larger;
- ``pass``: patient-acceptable symptom state, a value reached at follow-up.

A change threshold is absolute (``points``) or relative to the patient's own baseline (``percent``). The
library is the one home of these numbers: the patient trajectory, the cohort tables and the exports'
data dictionary all read them here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import yaml

from sijpro.errors import UserError
from sijpro.resources import resource_path

Kind = Literal["mcid", "scb", "pass"]
Unit = Literal["points", "percent"]
KINDS: tuple[Kind, ...] = ("mcid", "scb", "pass")
TOLERANCE = 1e-9
"""Floating-point slack: an SF-12 change of 4.9999999999 computed from 5-point-apart scores reaches 5."""
CHOSEN = "chosen for this report"


@dataclass(frozen=True)
class Threshold:
    kind: Kind
    value: float
    unit: Unit
    source: str
    """The citation (or "chosen for this report")."""
    version: str
    """The library version it was read from."""

    def reached(self, baseline: float | None, follow_up: float | None, better: str) -> bool | None:
        """Whether a patient's values meet the threshold; None when it cannot be told (a value missing,
        or a percent change of a baseline of 0)."""
        if follow_up is None or (baseline is None and self.kind != "pass"):
            return None
        met, judged = self.reached_all(np.array([baseline if baseline is not None else np.nan]),
                                       np.array([follow_up]), better)
        return bool(met[0]) if judged[0] else None

    def reached_all(self, baseline: np.ndarray, follow_up: np.ndarray, better: str) -> tuple[np.ndarray, np.ndarray]:
        """The same for many patients at once: (met, judged) boolean arrays, judged False where the
        threshold cannot be told. Changes are rounded to 10 decimals, as for the tests."""
        if self.kind == "pass":
            met = follow_up <= self.value + TOLERANCE if better == "lower" else follow_up >= self.value - TOLERANCE
            return met, np.ones(follow_up.shape, dtype=bool)
        gain = np.round(baseline - follow_up if better == "lower" else follow_up - baseline, 10)
        judged = ~np.isnan(gain)
        if self.unit == "percent":
            judged &= baseline != 0
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = gain / np.abs(baseline) * 100
        return judged & (gain >= self.value - TOLERANCE), judged

    def as_json(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit, "source": self.source, "version": self.version}

    def text(self) -> str:
        """``15`` or ``30%``, as a column head or a command-line value shows it."""
        number = f"{self.value:g}"
        return f"{number}%" if self.unit == "percent" else number


@dataclass(frozen=True)
class Library:
    version: str
    entries: Mapping[str, Mapping[Kind, tuple[Threshold, ...]]]
    """score key -> kind -> thresholds (the default first)."""

    def default(self, key: str, kind: Kind) -> Threshold | None:
        found = self.entries.get(key, {}).get(kind, ())
        return found[0] if found else None

    def named(self, key: str, kind: Kind, value: float, unit: Unit) -> Threshold:
        """The library's entry with this value and unit (and its source), else one chosen for the report."""
        for entry in self.entries.get(key, {}).get(kind, ()):
            if math.isclose(entry.value, value) and entry.unit == unit:
                return entry
        return Threshold(kind, value, unit, CHOSEN, self.version)


@cache
def library() -> Library:
    """The bundled library, read and checked once."""
    path = resource_path("thresholds", "library.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    version, sources = str(data["version"]), data["sources"]
    entries: dict[str, dict[Kind, tuple[Threshold, ...]]] = {}
    for key, kinds in data["scores"].items():
        entries[key] = {}
        for kind, listed in kinds.items():
            if kind not in KINDS:
                raise ValueError(f"{path}: {key}: unknown kind {kind!r}")
            found = [Threshold(kind, float(e["value"]), e["unit"], sources[e["source"]], version) for e in listed]
            defaults = [i for i, e in enumerate(listed) if e.get("default")]
            if len(defaults) != 1 or any(t.unit not in ("points", "percent") for t in found):
                raise ValueError(f"{path}: {key}.{kind}: exactly one default and units points/percent")
            found.insert(0, found.pop(defaults[0]))
            entries[key][kind] = tuple(found)
    return Library(version, entries)


def parse_threshold(kind: Kind, key: str, text: str) -> Threshold:
    """``10`` (points) or ``30%`` (of the baseline value) from the command line or a form."""
    raw = text.strip()
    unit: Unit = "percent" if raw.endswith("%") else "points"
    if unit == "percent" and kind == "pass":
        raise UserError(f"--{kind} {key}={text}: a symptom state is a score, not a percentage")
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise UserError(f"--{kind} {key}={text}: expected a number of points, or a percentage like 30%") from None
    if not math.isfinite(value) or (value <= 0 and kind != "pass"):
        raise UserError(f"--{kind} for {key} must be a positive number, not {text!r}")
    return library().named(key, kind, value, unit)


def choose(
    keys: tuple[str, ...], overrides: Mapping[Kind, Mapping[str, float | str | Threshold]] | None = None,
) -> dict[str, dict[Kind, Threshold | None]]:
    """The thresholds of every score: the library's defaults, with ``overrides`` (kind -> score -> a
    number of points, a text like ``30%``, or a Threshold) in their place."""
    chosen: dict[str, dict[Kind, Threshold | None]] = {
        key: {kind: library().default(key, kind) for kind in KINDS} for key in keys
    }
    for kind, by_score in (overrides or {}).items():
        for key, value in by_score.items():
            if key not in chosen:
                raise UserError(f"{kind.upper()} given for unknown score {key!r}; scores: {', '.join(keys)}")
            if isinstance(value, Threshold):
                chosen[key][kind] = value
            elif isinstance(value, bool) or not isinstance(value, int | float | str):
                raise UserError(f"{kind.upper()} for {key} must be a positive number, not {value!r}")
            else:
                chosen[key][kind] = parse_threshold(kind, key, str(value))
    return chosen
