"""How strong a password must be: a pure rule, so a form can check it as it is typed and the accounts
service refuses the same passwords for every front end."""

from __future__ import annotations

MIN_LENGTH = 8
STRONG_LENGTH = 10
"""An administrator's password guards every patient's record: longer than the 8 accepted for others."""


def password_problem(password: str, username: str = "", role: str = "admin") -> str | None:
    """Why ``password`` is too weak for an account of ``role``, or None.

    Everyone: at least ``MIN_LENGTH`` characters. An administrator: at least ``STRONG_LENGTH``, of at least
    two kinds (letters, digits, anything else), and not containing the username: long enough to resist
    guessing, short enough to be remembered as a phrase.
    """
    if role != "admin":
        return None if len(password) >= MIN_LENGTH else f"use at least {MIN_LENGTH} characters"
    if len(password) < STRONG_LENGTH:
        return f"use at least {STRONG_LENGTH} characters"
    kinds = sum(any(test(c) for c in password) for test in (str.isalpha, str.isdigit,
                                                               lambda c: not c.isalnum()))
    if kinds < 2:
        return "mix at least two kinds of characters: letters, digits, spaces or symbols"
    if username and username.strip().lower() in password.lower():
        return "do not put the username in the password"
    return None
