"""How strong an administrator's password must be: a pure rule, so a form can check it as it is typed."""

from __future__ import annotations

STRONG_LENGTH = 10
"""An administrator's password guards every patient's record: longer than the 8 accepted for others."""


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is too weak for an administrator, or None.

    At least ``STRONG_LENGTH`` characters, of at least two kinds (letters, digits, anything else), and not
    the username: long enough to resist guessing, short enough to be remembered as a phrase.
    """
    if len(password) < STRONG_LENGTH:
        return f"use at least {STRONG_LENGTH} characters"
    kinds = sum(any(test(c) for c in password) for test in (str.isalpha, str.isdigit,
                                                               lambda c: not c.isalnum()))
    if kinds < 2:
        return "mix at least two kinds of characters: letters, digits, spaces or symbols"
    if username and username.strip().lower() in password.lower():
        return "do not put the username in the password"
    return None
