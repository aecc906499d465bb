"""Validation of patient and procedure fields, shared by forms (register, edit) and bulk imports.

Each check returns every problem at once, as ``Problem(field, code, params)`` (``sijpro.problems``), so a
form can mark all its fields in the user's language and an import can list all its lines in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, get_args

from sijpro.errors import UserError
from sijpro.instruments import bundled_instruments
from sijpro.mrn import mrn_problem
from sijpro.problems import Problem
from sijpro.records import COMPLICATION_KINDS, MAX_NOTES, PRIOR_INTERVENTIONS, Approach, Sex, Side, site_problem

MAX_NAME = 200
BMI_RANGE = (10.0, 90.0)
MAX_PRIOR_SURGERIES = 30
EARLIEST_BIRTH = dt.date(1900, 1, 1)


@cache
def supported_languages() -> tuple[str, ...]:
    """Languages every bundled instrument is available in: a patient must be able to answer them all."""
    common = set.intersection(*(set(instrument.languages) for instrument in bundled_instruments().values()))
    return tuple(sorted(common))


def _choice(values: Mapping[str, Any], name: str, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    value = values.get(name)
    if value is not None and value not in allowed:
        problems.append(Problem(name, "not_one_of", {"value": repr(value), "allowed": ", ".join(allowed)}))


def _flag(values: Mapping[str, Any], name: str, problems: list[Problem]) -> None:
    value = values.get(name)
    if value is not None and not isinstance(value, bool):
        problems.append(Problem(name, "expected_yes_no", {"value": repr(value)}))


def _text(values: Mapping[str, Any], name: str, limit: int, problems: list[Problem], *, required: bool = False,
          nullable: bool = True) -> None:
    value = values.get(name)
    if value is None:
        if required or not nullable:
            problems.append(Problem(name, "required"))
        return
    if not isinstance(value, str):
        problems.append(Problem(name, "expected_text", {"value": repr(value)}))
    elif required and not value.strip():
        problems.append(Problem(name, "required"))
    elif len(value) > limit:
        problems.append(Problem(name, "too_long", {"limit": str(limit)}))


def _date(values: Mapping[str, Any], name: str, problems: list[Problem], *, required: bool = False) -> None:
    value = values.get(name)
    if value is None:
        if required:
            problems.append(Problem(name, "required"))
    elif isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        problems.append(Problem(name, "expected_date", {"value": repr(value)}))


def patient_problems(values: Mapping[str, Any], today: dt.date) -> list[Problem]:
    """Problems with a whole patient (a draft, or a stored patient with the changes applied).

    Names may be empty (an import file may not know them); the MRN may not.
    """
    problems: list[Problem] = []
    mrn = values.get("mrn")
    if not isinstance(mrn, str):
        problems.append(Problem("mrn", "required") if mrn is None
                        else Problem("mrn", "expected_text", {"value": repr(mrn)}))
    elif (problem := mrn_problem(mrn.strip())) is not None:
        problems.append(problem)
    for name in ("family_name", "given_name"):
        _text(values, name, MAX_NAME, problems, nullable=False)
    _date(values, "birth_date", problems)
    birth = values.get("birth_date")
    if isinstance(birth, dt.date) and not isinstance(birth, dt.datetime) and not EARLIEST_BIRTH <= birth <= today:
        problems.append(Problem("birth_date", "birth_date", {"day": birth.isoformat()}))
    _choice(values, "sex", get_args(Sex), problems)
    _choice(values, "language", supported_languages(), problems)
    if values.get("language") is None:
        problems.append(Problem("language", "required"))
    bmi = values.get("bmi")
    if bmi is not None and (isinstance(bmi, bool) or not isinstance(bmi, int | float)
                            or not BMI_RANGE[0] <= bmi <= BMI_RANGE[1]):
        problems.append(Problem("bmi", "bmi_range", {"value": repr(bmi), "low": f"{BMI_RANGE[0]:g}",
                                                     "high": f"{BMI_RANGE[1]:g}"}))
    site = values.get("site", "")
    site_wrong = site_problem(site) if isinstance(site, str) else Problem("site", "site_text")
    if site_wrong is not None:
        problems.append(site_wrong)
    _flag(values, "fbss", problems)
    _flag(values, "prior_lumbosacral_fusion", problems)
    surgeries = values.get("prior_lumbar_surgeries")
    if surgeries is not None and (isinstance(surgeries, bool) or not isinstance(surgeries, int)
                                  or not 0 <= surgeries <= MAX_PRIOR_SURGERIES):
        problems.append(Problem("prior_lumbar_surgeries", "count_range",
                                {"value": repr(surgeries), "high": str(MAX_PRIOR_SURGERIES)}))
    unknown = sorted(set(values.get("prior_interventions") or ()) - set(PRIOR_INTERVENTIONS))
    if unknown:
        problems.append(Problem("prior_interventions", "unknown_interventions",
                                {"codes": ", ".join(map(str, unknown)), "known": ", ".join(PRIOR_INTERVENTIONS)}))
    return problems


def procedure_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Problems with a whole procedure (a draft, or a stored procedure with the changes applied)."""
    problems: list[Problem] = []
    _date(values, "surgery_date", problems, required=True)
    _choice(values, "side", get_args(Side), problems)
    _choice(values, "approach", get_args(Approach), problems)
    for name in ("device", "surgeon"):
        _text(values, name, MAX_NAME, problems)
    _date(values, "second_side_date", problems)
    second, first = values.get("second_side_date"), values.get("surgery_date")
    if isinstance(second, dt.date) and isinstance(first, dt.date):
        if values.get("side") != "bilateral":
            problems.append(Problem("second_side_date", "staged_needs_bilateral"))
        elif second <= first:
            problems.append(Problem("second_side_date", "second_side_after"))
    return problems


def complication_problems(values: Mapping[str, Any], today: dt.date, surgery: dt.date | None) -> list[Problem]:
    """Problems with a whole complication; ``surgery`` is the patient's first standing procedure's date
    (None: the patient has none, and a complication after surgery cannot be recorded yet)."""
    problems: list[Problem] = []
    _date(values, "occurred_on", problems, required=True)
    day = values.get("occurred_on")
    if isinstance(day, dt.date) and not isinstance(day, dt.datetime):
        if day > today:
            problems.append(Problem("occurred_on", "future_date", {"day": day.isoformat()}))
        if surgery is None:
            problems.append(Problem("occurred_on", "no_surgery_yet"))
        elif day < surgery:
            problems.append(Problem("occurred_on", "before_surgery",
                                    {"day": day.isoformat(), "surgery": surgery.isoformat()}))
    kind = values.get("kind")
    if kind is None:
        problems.append(Problem("kind", "required"))
    else:
        _choice(values, "kind", COMPLICATION_KINDS, problems)
    _choice(values, "side", get_args(Side), problems)
    if not isinstance(values.get("revision"), bool):
        problems.append(Problem("revision", "expected_yes_or_no", {"value": repr(values.get("revision"))}))
    _text(values, "notes", MAX_NOTES, problems, nullable=False)
    if kind == "other" and not (values.get("notes") or "").strip():
        problems.append(Problem("notes", "other_needs_notes"))
    return problems


def required_reason(reason: str | None, action: str) -> str:
    """The reason a change of clinical data is recorded with, trimmed; refused when blank."""
    if not reason or not reason.strip():
        raise UserError(Problem("reason", "reason_required", {"action": action}))
    return reason.strip()


def edit_reason(kind: str, changes: Mapping[str, Any], fields: Iterable[str], reason: str | None) -> str:
    """Check an edit request before touching the database: known fields only, and a reason."""
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise UserError(f"{kind}s have no field {', '.join(unknown)}")
    return required_reason(reason, f"change a {kind}")
