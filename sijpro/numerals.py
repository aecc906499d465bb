"""Numbers as people type them in files and forms: ASCII digits only.

Python's ``int`` and ``float`` read any Unicode decimal digit ("٥" Arabic-Indic five, "５" fullwidth five,
"۵" Persian five) as a number. A questionnaire answer or a BMI written that way is almost always a
paste from somewhere else or a keyboard in the wrong mode, and a value nobody can check by eye; it is
refused with the same message as any other text that is not a number.
"""

from __future__ import annotations

import re
from typing import Final

NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def ascii_number(text: str) -> float:
    """The number written in ``text`` (already stripped) with ASCII digits; ValueError otherwise."""
    if not NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)
