"""Cell readers for the import files: each turns one stripped cell into a value or raises ValueError.

The messages are written for the nurse who typed the file: they say what was found and what is
accepted, and the caller adds the file, line and field. An empty cell is handled by the caller (it means
"unknown" for most patient fields), so these readers only ever see text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import TypeVar

from sijpro.mrn import mrn_problem
from sijpro.numerals import ascii_number
from sijpro.records import site_problem

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE = re.compile(r"[+-]?[0-9]+")
EARLIEST_DATE = dt.date(1900, 1, 1)
"""No birth, surgery or questionnaire in a clinic's records is older than this: an earlier date is a typo."""


def iso_date(text: str) -> dt.date:
    """A real calendar date written YYYY-MM-DD (so 2023-02-30 and 03/04/2023 are refused)."""
    if not ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a real date") from None
    if day < EARLIEST_DATE:
        raise ValueError(f"{text} is before {EARLIEST_DATE.year}")
    return day


Code = TypeVar("Code", bound=str)


def choice(text: str, accepted: Iterable[Code], *, upper: bool = False) -> Code:
    """One of a few codes; case is forgiven (``f`` for ``F``, ``Bilateral`` for ``bilateral``). The code
    returned is the accepted one itself, so a tuple of a ``Literal`` type gives a value of that type."""
    codes = tuple(accepted)
    value = text.upper() if upper else text.lower()
    for code in codes:
        if code == value:
            return code
    raise ValueError(f"{text!r} is not one of {', '.join(codes)}")


def flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"{text!r} is not 0 (no) or 1 (yes)")
    return text == "1"


def whole_number(text: str, low: int, high: int) -> int:
    if not WHOLE.fullmatch(text):
        raise ValueError(f"{text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}-{high}")
    return value


def decimal_number(text: str, low: float, high: float) -> float:
    """A number such as ``27.4``; a decimal comma (``27,4``, as French spreadsheets write it) is accepted."""
    try:
        value = ascii_number(text.replace(",", ".", 1) if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{text} is outside the plausible range {low:g}-{high:g}")
    return value


def code_list(text: str, accepted: Iterable[str], *, none: str | None = None) -> frozenset[str]:
    """Codes separated by ';' (``SCS;ISS``); spaces and case are forgiven, an empty part is not. ``none``
    (``none``) alone says there were none: an empty set, unlike an empty cell, which means not known."""
    codes = tuple(accepted)
    if none is not None and text.strip().lower() == none:
        return frozenset()
    found = set()
    for part in text.split(";"):
        code = part.strip().upper()
        if code not in codes:
            shown = repr(part.strip()) if part.strip() else "an empty code"
            raise ValueError(f"{shown} is not one of {', '.join(codes)} (separate codes with ';')")
        found.add(code)
    return frozenset(found)


def free_text(text: str, longest: int) -> str:
    if len(text) > longest:
        raise ValueError(f"longer than {longest} characters")
    if any(ord(character) < 32 for character in text):
        raise ValueError("contains a control character (a line break or tab inside the cell?)")
    return text


def site(text: str) -> str:
    """A centre code by the one rule of ``sijpro.records.site_problem``."""
    problem = site_problem(text.strip())
    if problem is not None:
        raise ValueError(problem.text)
    return text.strip()


def mrn(text: str) -> str:
    """A medical record number by the one rule of ``sijpro.mrn``."""
    problem = mrn_problem(text)
    if problem is not None:
        raise ValueError(problem.text)
    return text
