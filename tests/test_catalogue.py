"""The one catalogue (resources/locale): complete in every language, every message used, no word missing,
the compiled .mo up to date with its .po, plural forms by each language's rule, numbers and dates by CLDR."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from sijpro import i18n
from sijpro.reports.texts import Words

ROOT = Path(__file__).resolve().parents[1]
TRANSLATING_CALLS = {"tr": 0, "tr_in": 1, "tr_n": 0, "text": 1, "plural": 1, "has": 1}
"""Function name -> position of the key argument (ui's tr(), the core's i18n.text(language, key), ...)."""
WORDS_CALLS = {"words", "plural", "has"}
"""The reports' ``words(key)``, ``words.plural(key, n)``, ``words.has(key)``."""
KEY_SHAPE = re.compile(r"^((staff|dashboard|cohort|admin)\.[a-z0-9_]+(\.[a-z0-9_]+)+"
                       r"|(side|approach|role|complication)\.[a-z_]+|sex\.[FMX]|score\.[a-z0-9]+\.[a-z0-9_]+)$")
"""Staff screens keep keys in tables (column titles, choices): any such string in ui/staff counts as used."""


def sources() -> list[Path]:
    return sorted([*(ROOT / "ui").rglob("*.py"), *(ROOT / "sijpro").rglob("*.py")])


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def literal_keys() -> dict[str, str]:
    """Every key the code passes as a literal to a translating call (or holds in a staff table), with where."""
    used: dict[str, str] = {}
    for path in sources():
        staff = path.is_relative_to(ROOT / "ui" / "staff")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if staff and isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_SHAPE.match(node.value):
                used[node.value] = where
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            reports = path.is_relative_to(ROOT / "sijpro" / "reports") or "words" in ast.unparse(node.func)
            position = 0 if reports and name in WORDS_CALLS else TRANSLATING_CALLS.get(name or "")
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                used[argument.value] = where
    return used


def key_families() -> set[str]:
    """What the code may build a key from: every string constant, and the literal head of every f-string or
    ``"test." + code`` (``f"status.{code}"`` gives the family ``status.``)."""
    found: set[str] = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                found.add(f"{node.values[0].value}*")
            elif isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) \
                    and isinstance(node.left.value, str):
                found.add(f"{node.left.value}*")
    return found


def unused(keys: set[str], families: set[str]) -> set[str]:
    heads = tuple(family[:-1] for family in families if family.endswith(".*") or family.endswith("_*"))
    return {key for key in keys if key not in families and not key.startswith(heads)}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_words_in_every_language_with_the_same_fields() -> None:
    english, french = i18n.messages("en"), i18n.messages("fr")
    assert len(english) > 800  # the catalogues really were read
    assert set(english) == set(french), "a key is in one language only"
    for key in english:
        forms = [*english[key], *french[key]]
        assert all(form.strip() for form in forms), f"{key}: an empty text"
        assert len({frozenset(fields(form) - {"n"}) for form in forms}) == 1, f"{key}: the {{fields}} differ"
        assert (len(english[key]) > 1) == (len(french[key]) > 1), f"{key}: a plural in one language only"


def test_every_key_the_code_uses_exists() -> None:
    used = literal_keys()
    assert len(used) > 500  # the scan found the kiosk's, the desk's and the reports' words
    known = i18n.messages("en")
    assert [f"{where}: {key}" for key, where in used.items() if key not in known] == []


def test_every_message_is_used() -> None:
    assert unused(set(i18n.messages("en")), key_families()) == set()


def test_the_usage_checks_can_fail() -> None:
    """A key nobody uses is reported, and so is a literal key that no catalogue has."""
    families = key_families()
    assert unused({"kiosk.next", "staff.nothing_says_this"}, families) == {"staff.nothing_says_this"}
    assert unused({"status.late"}, families) == set()  # built by f"status.{code}"
    assert "kiosk.no_such_key" not in i18n.messages("fr")


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(language: str) -> None:
    """The .mo files are committed (a fresh clone and the bundle need no build step): after an edit of the
    .po, ``make translations`` must have been run."""
    with i18n.catalogue_path(language, ".po").open("rb") as stream:
        catalog = read_po(stream, locale=language, domain=i18n.DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == i18n.catalogue_path(language).read_bytes(), "run: make translations"


def test_counts_take_each_language_plural_form() -> None:
    assert i18n.plural("fr", "cohort.count", 1, total=1) == "1 patient sur 1 correspond aux filtres"
    assert i18n.plural("fr", "cohort.count", 0, total=3) == "0 patient sur 3 correspond aux filtres"
    assert i18n.plural("fr", "cohort.count", 2, total=3) == "2 patients sur 3 correspondent aux filtres"
    assert i18n.plural("en", "cohort.count", 0, total=3) == "0 of 3 patients match the filters"
    assert i18n.plural("en", "admin.audit.count", 1) == "1 event, newest first"
    assert i18n.plural("en", "admin.audit.count", 12) == "12 events, newest first"
    assert Words("fr").plural("years", 1) == "1 an"
    assert Words("en").plural("n_patients", 1) == "1 patient"


def test_one_key_for_a_fusion_side() -> None:
    """Screens and reports say a fusion's side with the same words (one key, "bilateral" once)."""
    english = i18n.messages("en")
    assert [key for key, forms in english.items() if forms[0].lower() == "bilateral"] == ["side.bilateral"]
    assert [key for key in english if key.endswith(".bilateral")] == ["side.bilateral"]


def test_numbers_percentages_and_dates_follow_the_language() -> None:
    english, french = Words("en"), Words("fr")
    assert (english.number(8.45), french.number(8.45)) == ("8.5", "8,5")
    assert (english.number(-0.04), french.number(1234.55)) == ("0.0", "1234,6")
    assert (english.pct(12.25), french.pct(12.25)) == ("12.3%", "12,3\u00a0%")
    assert french.signed(-1.25) == "-1,3" and english.signed(2) == "+2.0"
    assert french.p_value(0.0004) == "p<0,001"
    assert (english.date(dt.date(2026, 9, 7)), french.date(dt.date(2026, 2, 7))) == ("7 Sep 2026", "7 févr. 2026")
    assert i18n.long_date("fr", dt.date(1950, 8, 3)) == "3 août 1950"


def test_no_word_is_left_in_the_old_yaml_catalogues() -> None:
    """Words live in resources/locale/*/LC_MESSAGES/sijpro.po only (README: "Adding or changing a word")."""
    assert not (ROOT / "resources" / "translations").exists()


def test_an_unknown_key_shows_itself() -> None:
    assert i18n.text("fr", "kiosk.no_such_key") == "kiosk.no_such_key"
    with pytest.raises(ValueError):
        i18n.text("de", "kiosk.next")
