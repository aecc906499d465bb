"""Switching to French at runtime changes every string the staff screens show, at once, without
reopening anything: no English text of the catalogue stays on screen."""

from __future__ import annotations

import re
import string

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QWidget,
)

from tests.trusted import as_system
from ui import i18n
from ui.staff.patient_dialog import PatientDialog
from ui.staff.procedure_dialog import ProcedureDialog

pytestmark = pytest.mark.gui


def english_only_patterns() -> list[re.Pattern[str]]:
    """Each staff text whose French differs, as a pattern matching it with any values filled in."""
    patterns = []
    for key, texts in i18n.catalogue().items():
        if not key.startswith("staff.") or texts["en"] == texts["fr"]:
            continue
        parts = []
        for literal, field, _spec, _conv in string.Formatter().parse(texts["en"].replace("&", "")):
            parts.append(re.escape(literal))
            if field is not None:
                parts.append(".+?")
        literal = "".join(text for text, *_ in string.Formatter().parse(texts["en"]))
        if sum(c.isalpha() for c in literal) >= 3:  # "{kind}: {details}" alone would match any text
            patterns.append(re.compile("^" + "".join(parts) + "$", re.DOTALL))
    return patterns


def visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text().replace("&", ""))
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QListWidget):
            texts += [widget.item(row).text() for row in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
            texts += [str(model.data(model.index(r, c))) for r in range(min(model.rowCount(), 5))
                      for c in range(model.columnCount())]
        if isinstance(widget, QMainWindow):
            texts += [action.text().replace("&", "") for action in widget.menuBar().actions()]
    return [text for text in texts if text]


def still_english(root: QWidget) -> list[str]:
    patterns = english_only_patterns()
    return [text for text in visible_texts(root) if any(p.match(text) for p in patterns)]


def test_the_patterns_catch_english_screens(make_window) -> None:
    window = make_window()
    assert "Sign in to continue" in still_english(window)  # the check itself can fail


def test_every_screen_of_the_day_switches_to_french_at_once(signed_in, qtbot, ids, staff_clinic) -> None:
    window = signed_in("nina")
    window.workspace.page("worklist").table.selectRow(0)
    patients = window.workspace.page("patients")
    paper = window.workspace.page("paper")
    paper.start_for(ids["K-001"])
    register = PatientDialog(staff_clinic.session("nina"), parent=window)
    procedure = ProcedureDialog(staff_clinic.session("nina"), as_system(staff_clinic).patients.get(ids["S-NEW"]),
                                parent=window)
    for dialog in (register, procedure):
        dialog.show()
    procedure.side.set_value("bilateral")
    screens = {"worklist": "worklist", "patients": "patients", "paper": "paper"}
    english = {}
    for name, key in screens.items():
        window.workspace.open_page(key)
        if key == "patients":
            patients.show_patient(ids["K-002"])
        english[name] = visible_texts(window)
        assert still_english(window), name
    assert still_english(register) and still_english(procedure)

    window.menus.language_actions["fr"].trigger()
    qtbot.wait(1)  # Qt's own buttons follow its LanguageChange event, delivered by the event loop
    assert i18n.language() == "fr"
    for name, key in screens.items():
        window.workspace.open_page(key)
        assert still_english(window) == [], name
        assert visible_texts(window) != english[name]
    assert still_english(register) == [] and still_english(procedure) == []
    assert window.workspace.navigation.item(1).text() == "Liste de travail"
    assert register.windowTitle() == "Enregistrer un patient"
    assert window.workspace.page("worklist").section_buttons["due"].text() == "À faire (4)"
    window.menus.language_actions["en"].trigger()
    assert window.workspace.navigation.item(1).text() == "Worklist"


def test_the_sign_in_screen_switches_too(make_window, qtbot) -> None:
    window = make_window()
    window.login.language_box.setCurrentIndex(window.login.language_box.findData("fr"))
    qtbot.wait(1)
    assert still_english(window) == []
    assert window.login.sign_in_button.text() == "Se connecter"


def test_the_language_chosen_at_the_desk_is_the_one_the_next_start_uses(make_window, tmp_path, monkeypatch) -> None:
    import subprocess
    import sys

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from ui.workstation import remembered_language

    monkeypatch.setenv("SIJPRO_CONFIG_DIR", str(tmp_path / "config"))
    window = make_window()
    box = window.login.language_box
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Down)  # English -> Français, as a keyboard user picks it
    assert window.login.sign_in_button.text() == "Se connecter"
    assert remembered_language() == "fr"
    started = subprocess.run([sys.executable, "-c", "from ui.i18n import start_language; print(start_language())"],
                             capture_output=True, text=True, check=True, env={**__import__("os").environ})
    assert started.stdout.strip() == "fr"
