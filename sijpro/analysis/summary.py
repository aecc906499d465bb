"""``CohortSummary``: the one type of the cohort use case, shared by ``report cohort``, the PDF and the screen.

The summary is computed once (``sijpro.analysis.cohort_summary``, called by the ``Cohort`` service) and is
frozen: its nested tables are read-only mappings and tuples, so no view can change a number another view
prints. ``to_json()`` is the file of ``report cohort --json``, key for key as DESIGN.md ("Cohort summary
JSON") has it; the other fields (the protocol, the sexes, the scoring versions, the cohort's size before
the filters) are what the PDF and the screen need around those numbers and are not part of the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sijpro.analysis.thresholds import Kind, Threshold
from sijpro.protocol import Protocol

Node = Mapping[str, Any]
"""A read-only JSON object of the summary (numbers, None, nested tables, tuples for intervals)."""

SIGNIFICANT_DIGITS = 15
"""Float noise is cut at 15 significant digits, what a double holds exactly (45.60000000000001 -> 45.6;
a p of 1.2e-15 is kept)."""

JSON_KEYS = (
    "n_patients", "filters", "at", "baseline", "outcomes", "satisfaction", "relief", "follow_up_days", "completeness",
    "lost_vs_followed", "thresholds", "model", "complications", "success",
)


@dataclass(frozen=True)
class CohortSummary:
    """The numbers of DESIGN.md's cohort summary for one selection of patients, and what prints them."""

    n_patients: int
    filters: Mapping[str, str]
    """The ``--where`` filters, in canonical spelling (``{"fbss": "1"}``)."""
    at: str
    """The timepoint the results sentences speak of (``last`` by default)."""
    baseline: Node
    outcomes: Mapping[str, Node]
    satisfaction: Mapping[str, Node]
    relief: Mapping[str, Node]
    follow_up_days: Node
    completeness: Mapping[str, Node]
    """timepoint -> ``{eligible, answered, missed, pending, not_yet_due, pct_answered, contacts}``, where
    ``contacts`` = ``{answered: C, lost: C}`` and C = ``{visits, contacted, contacts, mean, by_channel:
    {email, post, phone}}``: the follow-up contacts made or tried for the answered visits and for the lost
    ones (missed or still being collected), see ``sijpro.analysis.completeness``."""
    lost_vs_followed: Node
    thresholds: Mapping[str, Node]
    """score -> ``mcid``, ``scb``, ``pass`` -> ``{value, unit, source, version}`` or None."""
    model: Mapping[str, Node]
    """score -> the mixed model's estimated mean and 95% interval per timepoint (``analysis.model``)."""
    complications: Node
    """``{n_patients_with_any, n_events, any, by_kind: {KIND: {n, pct, ci95, events}}, reoperation}``."""
    success: Mapping[str, Node]
    """Follow-up -> INSITE-style success ``{n, n_success, pct, ci95}`` (``analysis.complications``)."""
    protocol: Protocol = field(compare=False, repr=False)
    day: dt.date = dt.date.min
    """The day completeness was counted on."""
    n_total: int = 0
    all_sites: tuple[str, ...] = ()
    """Every site code of the cohort before the filters (what a site filter offers)."""
    """Patients before the filters (the screen says "n of N")."""
    sexes: Mapping[str, Node] = field(default_factory=dict)
    """Female, male and other as ``{n, pct}``: Node 1 prints a row for each, the JSON only ``female``."""
    versions: tuple[str, ...] = ()
    """The scoring versions behind the numbers, printed in the PDF footer."""
    compare: Node | None = None
    """``{key, groups: {VALUE: summary}, tests}`` with ``--compare KEY``; not in the JSON without it."""
    chosen: Mapping[str, Mapping[Kind, Threshold | None]] = field(default_factory=dict)
    """The thresholds each score was judged by (what ``thresholds`` says in JSON)."""

    def __post_init__(self) -> None:
        for name in ("filters", "baseline", "outcomes", "satisfaction", "relief", "follow_up_days", "completeness",
                     "lost_vs_followed", "thresholds", "model", "complications", "success", "sexes", "chosen",
                     "compare"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def as_dict(self) -> dict[str, Any]:
        """The JSON object, as plain (mutable, copied) dicts and lists, free of float noise."""
        data = {key: thaw(getattr(self, key)) for key in JSON_KEYS}
        if self.compare is not None:
            data["compare"] = thaw(self.compare)
        return data

    def to_json(self) -> str:
        """The file of ``report cohort --json`` (strict JSON: undefined numbers are null)."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def freeze(value: Any) -> Any:
    """Dicts become read-only mappings and lists tuples, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """The JSON form of a frozen value: dicts, lists, plain ints and floats without float noise."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [thaw(item) for item in value]
    if isinstance(value, float):
        return clean_float(value)
    return value


def clean_float(value: float) -> float | None:
    if not math.isfinite(value):
        return None
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
