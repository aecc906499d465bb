"""Every string the Qt layer shows exists in English and French, with the same {fields}."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATING_CALLS = {"tr": 0, "tr_in": 1}
"""Function name -> position of the key argument."""


KEY_SHAPE = re.compile(r"^(staff|dashboard|cohort|admin)\.[a-z0-9_]+(\.[a-z0-9_]+)+$")
"""Staff screens keep keys in tables (column titles, choices): any such string in ui/ counts as used."""


def keys_used_in_ui() -> dict[str, str]:
    """Every key passed to tr()/tr_in() under ui/, with where; a key that is not a literal is an error
    unless the staff screens hold it in a table (then the table's strings are checked instead)."""
    used: dict[str, str] = {}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        staff = path.is_relative_to(ROOT / "ui" / "staff")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if staff and isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_SHAPE.match(node.value):
                used[node.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = TRANSLATING_CALLS.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                used[argument.value] = where
            elif not staff and not (isinstance(argument, ast.Name) and argument.id in {"key"}):
                pytest.fail(f"{where}: translation key is not a literal string, so it cannot be checked")
    return used


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_in_ui_exists_in_every_language() -> None:
    used = keys_used_in_ui()
    assert len(used) > 50  # the scan really found the kiosk's strings
    catalogue = i18n.catalogue()
    missing = [f"{where}: {key}" for key, where in used.items() if key not in catalogue]
    assert missing == []
    for key, texts in catalogue.items():
        for language in i18n.LANGUAGES:
            assert texts.get(language, "").strip(), f"{key} has no {language} text"
        assert fields(texts["en"]) == fields(texts["fr"]), f"{key}: English and French fields differ"


def test_keys_held_in_tables_exist_too() -> None:
    from ui.kiosk.runner import TEXT_SIZE_KEYS

    for key in TEXT_SIZE_KEYS:
        assert set(i18n.catalogue()[key]) >= set(i18n.LANGUAGES), key


def test_every_catalogue_key_is_used() -> None:
    from ui.kiosk.runner import TEXT_SIZE_KEYS

    used = set(keys_used_in_ui()) | set(TEXT_SIZE_KEYS)
    shared = {key for key in i18n.catalogue() if key.startswith("common.")}
    assert set(i18n.catalogue()) - used - shared == set()


@pytest.mark.gui
def test_switching_language_reaches_listeners_and_qt_itself(qapp) -> None:
    heard = []
    stop = i18n.on_language_changed(heard.append)
    try:
        i18n.set_language("fr")
        assert i18n.tr("kiosk.next") == "Suivant"
        assert i18n.tr("kiosk.progress", number=7, total=26) == "Question 7 sur 26"
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Annuler"
        i18n.set_language("en")
        assert i18n.tr("kiosk.next") == "Next"
    finally:
        stop()
        i18n.set_language("en")
    assert heard == ["fr", "en"]
    with pytest.raises(ValueError):
        i18n.set_language("de")


def test_an_unknown_key_shows_itself_rather_than_failing() -> None:
    assert i18n.tr("kiosk.no_such_key") == "kiosk.no_such_key"
