"""Subgroups of the cohort (``--where KEY=VALUE``): seed 003's Table 3 is ``--where fbss=1``.

A patient whose value for a filtered field is unknown is left out of that subgroup: a table headed
"patients with FBSS" must not count patients nobody asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from sijpro.errors import UserError
from sijpro.records import PatientOutcomes, site_problem

WHERE_KEYS = ("site", "fbss", "sex", "side", "approach", "prior_lumbosacral_fusion", "surgery_from", "surgery_to")

_CHOICES: dict[str, tuple[str, ...]] = {
    "fbss": ("0", "1"),
    "prior_lumbosacral_fusion": ("0", "1"),
    "sex": ("F", "M", "X"),
    "side": ("left", "right", "bilateral"),
    "approach": ("lateral", "posterior"),
}

Predicate = Callable[[PatientOutcomes], bool]


def parse_where(pairs: Iterable[str]) -> dict[str, str]:
    """Read ``KEY=VALUE`` words from the command line; a key given twice is an error, not a guess."""
    where: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        key = key.strip()
        if not equals or not key:
            raise UserError(f"--where {pair!r}: expected KEY=VALUE, e.g. fbss=1")
        if key in where:
            raise UserError(f"--where {key} given twice")
        where[key] = value.strip()
    normalise_where(where)
    return where


def normalise_where(where: Mapping[str, str]) -> dict[str, str]:
    """Check every key and value, returning them in canonical spelling (sex upper case, sides lower)."""
    clean: dict[str, str] = {}
    for key, raw in where.items():
        if key not in WHERE_KEYS:
            raise UserError(f"--where: unknown key {key!r}; use one of: {', '.join(WHERE_KEYS)}")
        value = str(raw).strip()
        if key == "site":
            problem = site_problem(value) if value else "expected a site code"
            if problem is not None:
                raise UserError(f"--where site={value}: {problem}")
            clean[key] = value
        elif key in _CHOICES:
            choices = _CHOICES[key]
            canonical = value.upper() if key == "sex" else value.lower()
            if canonical not in choices:
                raise UserError(f"--where {key}={value}: expected one of {', '.join(choices)}")
            clean[key] = canonical
        else:
            clean[key] = _date(key, value).isoformat()
    if "surgery_from" in clean and "surgery_to" in clean and clean["surgery_from"] > clean["surgery_to"]:
        raise UserError(f"--where: surgery_from {clean['surgery_from']} is after surgery_to {clean['surgery_to']}")
    return clean


def select(outcomes: Sequence[PatientOutcomes], where: Mapping[str, str] | None) -> list[PatientOutcomes]:
    """The patients matching every filter (all of them when ``where`` is empty)."""
    if not where:
        return list(outcomes)
    predicates = [_predicate(key, value) for key, value in normalise_where(where).items()]
    return [outcome for outcome in outcomes if all(test(outcome) for test in predicates)]


def _date(key: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--where {key}={value}: expected a date as YYYY-MM-DD") from None


def _flag(value: bool | None, wanted: str) -> bool:
    return value is not None and value == (wanted == "1")


def _predicate(key: str, value: str) -> Predicate:
    if key == "site":
        return lambda o: o.patient.site == value
    if key == "fbss":
        return lambda o: _flag(o.patient.fbss, value)
    if key == "prior_lumbosacral_fusion":
        return lambda o: _flag(o.patient.prior_lumbosacral_fusion, value)
    if key == "sex":
        return lambda o: o.patient.sex == value
    if key == "side":
        return lambda o: o.index_procedure is not None and o.index_procedure.side == value
    if key == "approach":
        return lambda o: o.index_procedure is not None and o.index_procedure.approach == value
    day = dt.date.fromisoformat(value)
    if key == "surgery_from":
        return lambda o: o.index_procedure is not None and o.index_procedure.surgery_date >= day
    return lambda o: o.index_procedure is not None and o.index_procedure.surgery_date <= day
