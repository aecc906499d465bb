"""Every word SIJ-PRO shows, on screens and in PDFs, and its numbers and dates, in English and French.

One gettext catalogue per language, ``resources/locale/<language>/LC_MESSAGES/sijpro.po``, edited by hand
and compiled to the ``.mo`` beside it with ``make translations`` (``pybabel compile``); both are committed,
so a fresh clone, a wheel and the PyInstaller bundle read the words without a build step, and a test
fails when a ``.mo`` is older than its ``.po``. Each msgid is a key (``kiosk.next``): the screens' keys
carry their screen's prefix (``kiosk.``, ``staff.``, ``dashboard.``, ``cohort.``, ``admin.``,
``common.``), the reports' and the shared words (``side.left``) have none. A count picks its plural form
by the language's own rule (gettext's ``ngettext``: French says "0 patient", English "0 patients").

Numbers, percentages and dates follow CLDR through Babel (``8,4`` and ``12,5 %`` in French), loaded only
when first needed so that a start does not pay for it. No Qt here: the UI's ``tr()`` calls this module.
"""

from __future__ import annotations

import datetime as dt
import gettext
from decimal import Decimal
from functools import cache
from pathlib import Path

from sijpro.instruments.model import half_up
from sijpro.resources import resource_path

LANGUAGES = ("en", "fr")
"""Languages every catalogue must carry, in the order the kiosk offers them."""

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
"""Each language named in itself, as a patient looking for their own language expects to read it."""

DOMAIN = "sijpro"


def catalogue_path(language: str, suffix: str = ".mo") -> Path:
    return resource_path("locale", language, "LC_MESSAGES", f"{DOMAIN}{suffix}")


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``language``; a language we do not ship is a programming error."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {', '.join(LANGUAGES)}")
    with catalogue_path(language).open("rb") as stream:
        return gettext.GNUTranslations(stream)


def text(language: str, key: str, **values: object) -> str:
    """The words of ``key`` in ``language``, with ``{name}`` fields filled from ``values``.

    An unknown key shows itself rather than crashing a patient's screen; a test proves every key the code
    uses exists in every language, and every key of the catalogues is used.
    """
    found = translations(language).gettext(key)
    return found.format(**values) if values else found


def plural(language: str, key: str, n: int, **values: object) -> str:
    """The form of ``key`` for the count ``n`` by ``language``'s plural rule; ``{n}`` is ``n`` unless
    ``values`` gives it (a formatted count)."""
    found = translations(language).ngettext(key, key, n)
    return found.format(**{"n": n, **values})


def has(language: str, key: str) -> bool:
    return key in messages(language)


@cache
def messages(language: str) -> dict[str, tuple[str, ...]]:
    """Every key of ``language``'s catalogue with its forms (one, or one per plural form): for the tests
    that check the catalogues are complete, and for screens that look for any text left untranslated."""
    found: dict[str, list[str]] = {}
    compiled: dict[str | tuple[str, int], str] = vars(translations(language))["_catalog"]  # gettext's table
    for msgid, msgstr in compiled.items():
        if isinstance(msgid, tuple):  # (key, plural index)
            found.setdefault(msgid[0], []).append(msgstr)
        elif msgid:  # "" is the catalogue's header
            found[msgid] = [msgstr]
    return {key: tuple(forms) for key, forms in found.items()}


def catalogue() -> dict[str, dict[str, str]]:
    """Each key with its (first) text in every language: ``{"kiosk.next": {"en": "Next", "fr": "Suivant"}}``."""
    keys = set().union(*(messages(language) for language in LANGUAGES))
    return {key: {language: messages(language)[key][0] for language in LANGUAGES if key in messages(language)}
            for key in sorted(keys)}


def capitalised(words: str) -> str:
    """``lateral transiliac approach`` as a choice's label: its first letter in capitals."""
    return words[:1].upper() + words[1:]


def number(language: str, value: float, decimals: int = 1) -> str:
    """``8.4`` in English, ``8,4`` in French (CLDR), rounded half away from zero as papers print them,
    without grouping (``1234.5``) and never ``-0.0``."""
    from babel.numbers import format_decimal

    return str(format_decimal(half_up(value, decimals), format=_pattern(decimals), locale=language))


def percent(language: str, value: float, decimals: int = 1) -> str:
    """``12.5%`` in English, ``12,5 %`` (no-break space) in French: ``value`` is already a percentage."""
    from babel import Locale
    from babel.numbers import format_percent

    layout = Locale.parse(language).percent_formats[None].pattern  # "#,##0%", "#,##0\u00a0%"
    pattern = layout.replace("#,##0", _pattern(decimals))
    return str(format_percent(half_up(value, decimals) / 100, format=pattern, locale=language))


def decimal(language: str, value: float) -> str:
    """A value as entered, every digit kept (``27.45``, ``27,45``; ``31`` for 31.0): for a form's fields."""
    from babel.numbers import format_decimal

    return str(format_decimal(Decimal(repr(float(value))), format="0.##########", locale=language))


def _pattern(decimals: int) -> str:
    return "0" + ("." + "0" * decimals if decimals > 0 else "")


def date(language: str, day: dt.date) -> str:
    """``7 Dec 2026``, ``7 déc. 2026``: the month abbreviated by CLDR, never ambiguous between countries."""
    from babel.dates import format_date

    return str(format_date(day, "d MMM y", locale=language))


def long_date(language: str, day: dt.date) -> str:
    """``7 December 2026``, ``7 décembre 2026``: for a patient checking their own date of birth."""
    from babel.dates import format_date

    return str(format_date(day, "d MMMM y", locale=language))
