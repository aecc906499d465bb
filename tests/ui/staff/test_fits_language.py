"""Fits the language: French page names are never cut in the navigation, the French worklist needs no
horizontal scroll bar at 1366x768, names sort as people read them (BÉLANGER before BRUNET), a field's
problem goes as soon as it is worked on, and the paper search shows whole names."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from sijpro.records import PatientDraft
from tests.trusted import as_system
from tests.ui.staff.clicks import click
from ui.i18n import set_language
from ui.staff.patient_dialog import PatientDialog

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_name_shows_whole_and_the_worklist_fits_1366x768(signed_in, qtbot, language) -> None:
    set_language(language)
    window = signed_in("ada")
    window.resize(1366, 768)
    qtbot.wait(50)
    navigation = window.workspace.navigation
    for row in range(navigation.count()):
        item = navigation.item(row)
        needed = navigation.fontMetrics().horizontalAdvance(item.text())
        assert navigation.visualItemRect(item).width() >= needed, f"{item.text()!r} is cut"
    assert navigation.horizontalScrollBar().maximum() == 0
    worklist = window.workspace.open_page("worklist")
    for section in ("upcoming", "missed"):
        click(worklist.section_buttons[section])  # every row, every column
    qtbot.wait(50)
    assert not worklist.table.horizontalScrollBar().isVisible(), "the worklist scrolls sideways"
    assert not window.workspace.pages_area.horizontalScrollBar().isVisible()


def test_names_sort_alphabetically_with_accents(signed_in, staff_clinic) -> None:
    for day, (mrn, family) in enumerate((("A-1", "Brunet"), ("A-2", "Bélanger"), ("A-3", "Berger"),
                                         ("A-4", "bernard")), start=1):
        as_system(staff_clinic).patients.register(PatientDraft(mrn, family, "Anne", birth_date=dt.date(1960, 1, day)))
    assert [p.family_name for p in as_system(staff_clinic).patients.search("anne")] == ["Bélanger", "Berger", "bernard",
                                                                              "Brunet"]
    window = signed_in("nina")
    page = window.workspace.open_page("patients")
    QTest.keyClicks(page.search, "anne")
    QTest.keyClick(page.search, Qt.Key.Key_Return)
    header = page.results.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(header.sectionViewportPosition(0) + 5, header.height() // 2))  # sort by the name
    shown = [page.results_model.data(page.results_model.index(row, 0)) for row in range(page.results_model.rowCount())]
    assert [name.split(",")[0] for name in shown] == ["BÉLANGER", "BERGER", "BERNARD", "BRUNET"]


def test_a_problem_goes_once_the_field_is_worked_on(staff_clinic, qtbot) -> None:
    dialog = PatientDialog(staff_clinic.session("nina"))
    qtbot.addWidget(dialog)
    dialog.show()
    for field, text in ((dialog.mrn, "Z-1"), (dialog.bmi, "95"), (dialog.birth_date, "1800-02-28")):
        field.setFocus()
        QTest.keyClicks(field, text)
    click(dialog.ok)
    assert dialog.form.problem("bmi") and dialog.form.problem("birth_date")
    dialog.bmi.setFocus()
    QTest.keyClick(dialog.bmi, Qt.Key.Key_Backspace)
    assert dialog.form.problem("bmi") == "" and dialog.form.problem("birth_date")  # only the one worked on


def test_the_paper_search_shows_whole_names(signed_in, staff_clinic) -> None:
    as_system(staff_clinic).patients.register(PatientDraft("L-1", "Lefebvre-Desjardins", "Marie-Chantal-Élisabeth",
                                                birth_date=dt.date(1958, 3, 3)))
    as_system(staff_clinic).patients.register(PatientDraft("L-2", "Lefebvre-Desjardins", "Jean-Baptiste-Emmanuel",
                                                birth_date=dt.date(1955, 3, 3)))
    paper = signed_in("nina").workspace.open_page("paper")
    QTest.keyClicks(paper.search, "lefebvre")
    QTest.keyClick(paper.search, Qt.Key.Key_Return)
    table = paper.choices
    for row in range(paper.choices_model.rowCount()):
        index = paper.choices_model.index(row, 0)
        needed = table.fontMetrics().horizontalAdvance(index.data())
        assert table.columnWidth(0) >= needed, f"{index.data()!r} is cut"
