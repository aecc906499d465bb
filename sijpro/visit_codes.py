"""The code printed on every page of a paper pack, naming its visit: short, typed or scanned back.

A returned pack is matched to its visit by this code alone (the QR code on each page holds the same
characters, so a USB scanner types them followed by Enter). It is derived from the visit's id with a
keyed HMAC under the clinic key, so it reveals neither the MRN nor the name, and one patient's code says
nothing about another's. Eight characters of Crockford's base-32 alphabet (digits and capitals without
I, L, O, U, which are read for 1, 1, 0 and V) carry 40 bits; a ninth is a Luhn mod 32 check character,
so any single mistyped character and almost every swap of two neighbours is caught before a lookup. It is printed
in three groups of three (``K7Q-M4X-TR9``); case, spaces and dashes do not matter when it is typed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final, Literal

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U."""
READ_AS: Final = {"I": "1", "L": "1", "O": "0", "U": "V"}
"""Letters a person may type for the characters they look like."""
DATA_CHARS: Final = 8
CODE_CHARS: Final = DATA_CHARS + 1
SEPARATORS: Final = " -_.\t"
CodeProblem = Literal["empty", "characters", "length", "check"]
_LABEL: Final = b"sijpro visit code"


class BadCode(ValueError):
    """A text that cannot be a visit code: ``reason`` says why (empty, characters, length, check)."""

    def __init__(self, reason: CodeProblem, text: str) -> None:
        self.reason: CodeProblem = reason
        self.text = text
        words = {"empty": "no code was given",
                 "characters": f"{text!r} has characters that are not in a form code",
                 "length": f"{text!r} is not {CODE_CHARS} characters long",
                 "check": f"{text!r}: its check character does not match (a character was mistyped)"}
        super().__init__(words[reason])


def check_character(data: str) -> str:
    """Luhn mod 32 over ``data`` (characters of ALPHABET): catches every single substitution and almost every
    transposition of two neighbours."""
    factor, total = 2, 0
    for character in reversed(data):
        addend = factor * ALPHABET.index(character)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def visit_code(key: bytes, visit_id: int) -> str:
    """The visit's code, nine characters without separators (``K7QM4XTR9``)."""
    digest = hmac.new(hmac.new(key, _LABEL, hashlib.sha256).digest(), str(visit_id).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")
    data = "".join(ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
    return data + check_character(data)


def shown(code: str) -> str:
    """``K7Q-M4X-TR9``: as printed, in groups a person reads and types without losing their place."""
    return "-".join(code[start:start + 3] for start in range(0, len(code), 3))


def parsed(text: str) -> str:
    """The code typed or scanned, normalised (``k7q m4x tr9`` -> ``K7QM4XTR9``), or BadCode."""
    cleaned = "".join(character for character in text.strip().upper() if character not in SEPARATORS)
    if not cleaned:
        raise BadCode("empty", text)
    cleaned = "".join(READ_AS.get(character, character) for character in cleaned)
    if any(character not in ALPHABET for character in cleaned):
        raise BadCode("characters", text.strip())
    if len(cleaned) != CODE_CHARS:
        raise BadCode("length", text.strip())
    if check_character(cleaned[:DATA_CHARS]) != cleaned[DATA_CHARS]:
        raise BadCode("check", text.strip())
    return cleaned
