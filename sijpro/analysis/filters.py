"""Subgroups of the cohort (``--where KEY=VALUE``): seed 003's Table 3 is ``--where fbss=1``.

A patient whose value for a filtered field is unknown is left out of that subgroup: a table headed
"patients with FBSS" must not count patients nobody asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from sijpro.errors import UserError
from sijpro.records import PRIOR_INTERVENTIONS, PatientOutcomes, site_problem

INTERVENTION_KEYS = tuple(code.lower() for code in PRIOR_INTERVENTIONS)
"""``scs=1``: patients with a prior spinal cord stimulator; ``scs=0``: those known to have had none."""
GROUP_KEYS = ("site", "fbss", "sex", "side", "approach", "prior_lumbosacral_fusion", *INTERVENTION_KEYS)
"""Keys whose value splits the cohort into groups (``--where KEY=VALUE`` and ``--compare KEY``)."""
WHERE_KEYS = (*GROUP_KEYS, "age_from", "age_to", "surgery_from", "surgery_to")

_CHOICES: dict[str, tuple[str, ...]] = {
    "fbss": ("0", "1"),
    "prior_lumbosacral_fusion": ("0", "1"),
    "sex": ("F", "M", "X"),
    "side": ("left", "right", "bilateral"),
    "approach": ("lateral", "posterior"),
    **{key: ("0", "1") for key in INTERVENTION_KEYS},
}
OLDEST = 120


def group_value(outcomes: PatientOutcomes, key: str) -> str | None:
    """The patient's value of a group key as ``--where`` spells it (``"1"`` for FBSS, ``"F"``, a site
    code); None when it is unknown. The one definition behind both filters and comparisons."""
    patient, surgery = outcomes.patient, outcomes.index_procedure
    if key == "site":
        return patient.site or None
    if key in ("fbss", "prior_lumbosacral_fusion"):
        flag = getattr(patient, key)
        return None if flag is None else str(int(flag))
    if key == "sex":
        return patient.sex
    if key in ("side", "approach"):
        return getattr(surgery, key) if surgery is not None else None
    if key in INTERVENTION_KEYS:
        given = patient.prior_interventions
        return None if given is None else str(int(key.upper() in given))
    raise KeyError(key)


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
            wrong = site_problem(value)
            problem = wrong.text if wrong is not None else None if value else "expected a site code"
            if problem is not None:
                raise UserError(f"--where site={value}: {problem}")
            clean[key] = value
        elif key in ("age_from", "age_to"):
            if not value.isdigit() or not 0 <= int(value) <= OLDEST:
                raise UserError(f"--where {key}={value}: expected an age in whole years, 0 to {OLDEST}")
            clean[key] = str(int(value))
        elif key in _CHOICES:
            choices = _CHOICES[key]
            canonical = value.upper() if key == "sex" else value.lower()
            if canonical not in choices:
                raise UserError(f"--where {key}={value}: expected one of {', '.join(choices)}")
            clean[key] = canonical
        else:
            clean[key] = _date(key, value).isoformat()
    if "age_from" in clean and "age_to" in clean and int(clean["age_from"]) > int(clean["age_to"]):
        raise UserError(f"--where: age_from {clean['age_from']} is above age_to {clean['age_to']}")
    if "surgery_from" in clean and "surgery_to" in clean and clean["surgery_from"] > clean["surgery_to"]:
        raise UserError(f"--where: surgery_from {clean['surgery_from']} is after surgery_to {clean['surgery_to']}")
    return clean


def select(outcomes: Sequence[PatientOutcomes], where: Mapping[str, str] | None) -> list[PatientOutcomes]:
    """The patients matching every filter (all of them when ``where`` is empty)."""
    if not where:
        return list(outcomes)
    clean = normalise_where(where)
    if "site" in clean:
        _check_site(outcomes, clean["site"])
    predicates = [_predicate(key, value) for key, value in clean.items()]
    return [outcome for outcome in outcomes if all(test(outcome) for test in predicates)]


def _check_site(outcomes: Sequence[PatientOutcomes], site: str) -> None:
    """A site code is free text, unlike the other keys' fixed values: one no patient has is a typo or
    another clinic's centre, refused with the codes there are (an empty table would look like a result)."""
    known = sorted({code for outcome in outcomes if (code := group_value(outcome, "site")) is not None})
    if not known:
        raise UserError(f"--where site={site}: no patient has a site code recorded (a single-site clinic)")
    if site not in known:
        raise UserError(f"--where site={site}: no patient has this site code; known site codes: {', '.join(known)}")


def _date(key: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--where {key}={value}: expected a date as YYYY-MM-DD") from None


def _age(outcomes: PatientOutcomes) -> int | None:
    surgery = outcomes.index_procedure
    return outcomes.patient.age_on(surgery.surgery_date) if surgery is not None else None


def _predicate(key: str, value: str) -> Predicate:
    if key in GROUP_KEYS:
        return lambda o: group_value(o, key) == value
    if key in ("age_from", "age_to"):
        years = int(value)
        if key == "age_from":
            return lambda o: (age := _age(o)) is not None and age >= years
        return lambda o: (age := _age(o)) is not None and age <= years
    day = dt.date.fromisoformat(value)
    if key == "surgery_from":
        return lambda o: o.index_procedure is not None and o.index_procedure.surgery_date >= day
    return lambda o: o.index_procedure is not None and o.index_procedure.surgery_date <= day
