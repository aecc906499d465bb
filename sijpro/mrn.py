"""The medical record number: the one rule for what an MRN may be, used by every way one comes in.

DESIGN.md: unique after trimming, compared case-insensitively; letters, digits, ``-``, ``_``, ``.``,
``/`` only. An MRN is also the first column of every identified export, so it may not look like a
spreadsheet formula either: the OWASP CSV-injection rule treats a cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or carriage return) as one, and of those only ``-`` is among the allowed
characters, so an MRN may not start with ``-``. Exports neutralise such cells anyway
(``sijpro.exchange.csv_files.neutralise``); refusing them here keeps the MRN the same in every file.
"""

from __future__ import annotations

import re
import unicodedata

from sijpro.problems import Problem

MAX_MRN = 64
ALLOWED = re.compile(r"[^\W_]|[-_./]")
"""One allowed character: a letter or a digit (any script), or one of - _ . /"""
FORMULA_START = "-"
"""The only formula trigger (= + - @ tab CR) that the allowed characters let through."""


def mrn_problem(mrn: str) -> Problem | None:
    """What is wrong with an (already trimmed) MRN (``.text`` words it in English); None when fine."""
    if not mrn:
        return Problem("mrn", "required")
    if len(mrn) > MAX_MRN:
        return Problem("mrn", "too_long", {"limit": str(MAX_MRN)})
    bad = list(dict.fromkeys(character for character in mrn if not ALLOWED.fullmatch(character)))
    if bad:
        shown = ", ".join(repr(character) if character.isprintable() else f"U+{ord(character):04X}"
                          for character in bad)
        return Problem("mrn", "mrn_characters", {"bad": shown})
    if mrn.startswith(FORMULA_START):
        return Problem("mrn", "mrn_formula")
    return None


def storable(text: str) -> bool:
    """Whether a database text column can hold ``text`` at all: PostgreSQL's cannot hold a NUL, so a
    look-up for one would fail with the driver's error instead of finding nobody."""
    return "\x00" not in text


def mrn_key(mrn: str) -> str:
    """What two MRNs are compared by: trimmed, compatibility-normalised, case-folded ('ab-1' is 'AB-1').

    Stored beside each MRN (``patients.mrn_key``, unique), so every look-up and the database itself treat
    MRNs that differ only by case or surrounding spaces as one.
    """
    return unicodedata.normalize("NFKC", mrn.strip()).casefold()


def file_safe(mrn: str) -> str:
    """The MRN as a file name's stem safe on every file system (what is not a letter, digit, '.', '_' or
    '-' becomes '_'); empty when nothing is left. Two MRNs may clean up alike (``A/1``, ``A_1``): callers
    that name one file per patient add the patient's id where the MRN had to change."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", mrn).strip("._")
