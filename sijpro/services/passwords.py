"""How strong a password must be: a pure rule, so a form can check it as it is typed and the accounts
service refuses the same passwords for every front end."""

from __future__ import annotations

from sijpro.problems import Problem

MIN_LENGTH = 8
STRONG_LENGTH = 10
"""An administrator's password guards every patient's record: longer than the 8 accepted for others."""


def password_problem(password: str, username: str = "", role: str = "admin") -> Problem | None:
    """Why ``password`` is too weak for an account of ``role``, or None.

    Everyone: at least ``MIN_LENGTH`` characters. An administrator: at least ``STRONG_LENGTH``, of at least
    two kinds (letters, digits, anything else), and not containing the username: long enough to resist
    guessing, short enough to be remembered as a phrase.
    """
    if role != "admin":
        if len(password) >= MIN_LENGTH:
            return None
        return Problem("password", "password_length", {"count": str(MIN_LENGTH)})
    if len(password) < STRONG_LENGTH:
        return Problem("password", "password_length", {"count": str(STRONG_LENGTH)})
    kinds = sum(any(test(c) for c in password) for test in (str.isalpha, str.isdigit,
                                                               lambda c: not c.isalnum()))
    if kinds < 2:
        return Problem("password", "password_kinds")
    if username and username.strip().lower() in password.lower():
        return Problem("password", "password_username")
    return None
