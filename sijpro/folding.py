"""Text folded for searching, one rule for every search box and the database's own lookups: a nurse who
types 'elodie' finds 'Élodie', and an MRN, a family name and a given name are searched as one."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Élodie' and 'elodie' match, as a nurse expects."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def search_key(mrn: str, family_name: str, given_name: str) -> str:
    return fold(f"{mrn} {family_name} {given_name}")
