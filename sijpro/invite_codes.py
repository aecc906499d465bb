"""The short code of an invitation to answer at home, for a letter or a phone call: typed by hand.

It is written with the alphabet and the check character of the paper packs' visit codes
(``sijpro.visit_codes``: Crockford's base 32, a Luhn mod 32 check character, so one mistyped character
and almost every swap of two neighbours is told at once, "check the code", instead of counting as a wrong
try), and read as forgivingly: case, spaces and dashes do not matter, and O, I, L and U are read as the
0, 1, 1 and V they look like. It is one character longer than a visit code (nine random characters and
the check: 32^9, about 3.5 x 10^13 codes), so the two are never mistaken for each other, and it is
random rather than derived from the visit: a new invitation has a new code.
"""

from __future__ import annotations

from typing import Final

from sijpro.visit_codes import ALPHABET, READ_AS, SEPARATORS, check_character

DATA_CHARS: Final = 9
CODE_CHARS: Final = DATA_CHARS + 1
_READ_AS: Final = str.maketrans(READ_AS)
_DROPPED: Final = str.maketrans("", "", SEPARATORS + "\u2010\u2011\u2012\u2013\u2014\n\r")

__all__ = ["ALPHABET", "CODE_CHARS", "DATA_CHARS", "check_character", "display", "is_code", "looks_like_code",
           "normalise"]


def normalise(text: str) -> str:
    """What was typed, in the code's own form: capitals, no separators, lookalike letters read as digits."""
    return text.translate(_DROPPED).upper().translate(_READ_AS)


def is_code(text: str) -> bool:
    """Whether ``text`` (normalised) has the shape of a code with a right check character."""
    return (len(text) == CODE_CHARS and all(char in ALPHABET for char in text)
            and check_character(text[:-1]) == text[-1])


def looks_like_code(text: str) -> bool:
    """Ten characters of the alphabet once normalised, whatever the check says: typed as a code (a long
    link token never has this shape)."""
    plain = normalise(text)
    return len(plain) == CODE_CHARS and all(char in ALPHABET for char in plain)


def display(code: str) -> str:
    """The code as printed in a letter: two groups of five (``7K3QX-M2P9D``)."""
    return f"{code[:5]}-{code[5:]}"
