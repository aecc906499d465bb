"""The short code of an invitation: any way a person types it reads back, and the check character
catches every single mistyped character and every swap of two different neighbours."""

from __future__ import annotations

import secrets

from hypothesis import given
from hypothesis import strategies as st

from sijpro import invite_codes
from sijpro.invite_codes import ALPHABET, CODE_CHARS, check_character, display, is_code, normalise
from sijpro.services.invitations import derived_code

codes = st.text(alphabet=ALPHABET, min_size=invite_codes.DATA_CHARS, max_size=invite_codes.DATA_CHARS).map(
    lambda data: data + check_character(data))


def test_a_derived_code_has_ten_characters_of_the_alphabet_and_checks() -> None:
    drawn = {derived_code(b"k" * 32, secrets.token_hex(32)) for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(code) == CODE_CHARS and is_code(code) for code in drawn)
    assert not set("ILOU") & set(ALPHABET)


@given(codes, st.lists(st.sampled_from([" ", "-", "  ", "\u2013"]), max_size=4), st.booleans())
def test_however_it_is_typed_it_normalises_back(code: str, separators: list[str], lower: bool) -> None:
    typed = display(code)
    for index, separator in enumerate(separators):
        position = (index * 3) % len(typed)
        typed = typed[:position] + separator + typed[position:]
    typed = typed.lower() if lower else typed
    typed = typed.replace("0", "O").replace("1", "l")  # letters that look like the digits
    assert normalise(typed) == code


@given(codes, st.integers(0, CODE_CHARS - 1), st.sampled_from(ALPHABET))
def test_any_single_mistyped_character_is_caught(code: str, position: int, char: str) -> None:
    if code[position] == char:
        return
    assert not is_code(code[:position] + char + code[position + 1:])


@given(codes, st.integers(0, CODE_CHARS - 2))
def test_a_swap_of_two_different_neighbours_is_caught_but_0_and_z(code: str, position: int) -> None:
    a, b = code[position], code[position + 1]
    swapped = code[:position] + b + a + code[position + 2:]
    if a == b:
        return
    if {ALPHABET.index(a), ALPHABET.index(b)} == {0, len(ALPHABET) - 1}:
        return  # Luhn mod N's one blind swap: 0 and Z (the first and last characters)
    assert not is_code(swapped)
