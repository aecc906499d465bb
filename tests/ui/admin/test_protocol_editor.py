"""The protocol editor: a sound edit is saved as the next version; a bad one is refused before anything
is saved, with the timepoint and the column named and the cell highlighted."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from sijpro.records import PatientDraft, ProcedureDraft
from tests.ui.staff.clicks import click
from ui.i18n import set_language
from ui.staff.admin.protocol import ProtocolPage
from ui.staff.admin.protocol_model import FIELDS

pytestmark = pytest.mark.gui


@pytest.fixture
def page(shown_page):
    return shown_page(ProtocolPage, (1500, 900))


def cell(page: ProtocolPage, code: str, column: str | int):
    row = [r.values["code"] for r in page.model.rows].index(code)
    number = FIELDS.index(column) if isinstance(column, str) else column
    return page.model.index(row, number)


def instrument_column(page: ProtocolPage, instrument: str) -> int:
    return len(FIELDS) + page.model.instruments.index(instrument)


def test_a_sound_edit_is_saved_as_the_next_version(page, qtmodeltester, dialogs) -> None:
    qtmodeltester.check(page.model)
    assert [r.values["code"] for r in page.model.rows] == ["baseline", "w6", "m3", "m6", "m12", "m24"]
    assert page.version.text() == "Current protocol: SIJ fusion standard follow-up, version 1"
    model = page.model
    model.setData(cell(page, "m24", "window.after_days"), 100)
    model.setData(cell(page, "w6", instrument_column(page, "relief")), Qt.CheckState.Unchecked,
                  Qt.ItemDataRole.CheckStateRole)
    page.add_timepoint()
    assert model.rows[-1].values["code"] == "m36"
    qtmodeltester.check(model)
    dialogs.answer = False
    assert page.save() is None and page.clinic.protocols.current().version == 1  # not confirmed: nothing saved
    dialogs.answer = True
    saved = page.save()
    assert "version 2?" in dialogs.texts("question")[-1]
    current = page.clinic.protocols.current()
    assert saved == current and current.version == 2
    assert current.codes == ("baseline", "w6", "m3", "m6", "m12", "m24", "m36")
    assert current.timepoint("m24").window_after_days == 100
    assert "relief" not in current.timepoint("w6").instruments
    assert current.timepoint("m36").offset_months == 36
    assert page.status.text() == "Saved as version 2." and not page.dirty
    assert page.version.text().endswith("version 2")
    assert page.clinic.audit.events(entity="protocol", actor="ada")[-1].new["version"] == 2
    # a patient operated from now on follows version 2
    patient = page.clinic.patients.register(PatientDraft("NEW-1", "Nouveau", "Paul"))
    page.clinic.procedures.record(patient.id, ProcedureDraft(dt.date(2026, 1, 10)))
    assert [v.timepoint for v in page.clinic.schedule.timeline(patient.id)][-1] == "m36"


@pytest.mark.parametrize(("edit", "code", "column", "words"), [
    (lambda p: p.model.setData(cell(p, "m3", "offset.months"), -3), "m3", "offset.months",
     "Timepoint m3, column “Months”: expected a whole number of at least 0, found -3."),
    (lambda p: p.model.setData(cell(p, "m6", "window.before_days"), "four weeks"), "m6", "window.before_days",
     "column “Window: days before”: expected a whole number of at least 0, found 'four weeks'."),
    (lambda p: p.model.setData(cell(p, "m12", "code"), "m6"), "m6", "code",
     "each timepoint needs its own code"),
    (lambda p: p.model.setData(cell(p, "m12", "offset.months"), 5), "m12", "offset.months",
     "column “Months”: each timepoint must come after the one above it."),
    (lambda p: p.model.setData(cell(p, "m24", "label.fr"), " "), "m24", "label.fr",
     "column “Name (French)”: missing."),
    (lambda p: [p.model.setData(cell(p, "w6", instrument_column(p, code)), Qt.CheckState.Unchecked,
                                Qt.ItemDataRole.CheckStateRole) for code in p.model.instruments],
     "w6", len(FIELDS), "column “Questionnaires”: tick at least one questionnaire."),
])
def test_a_bad_protocol_is_refused_at_its_field(page, edit, code: str, column: str | int, words: str) -> None:
    edit(page)
    assert page.save() is None
    assert page.clinic.protocols.current().version == 1
    assert page.problem.isVisible() and words in page.problem.text()
    assert page.problem.text().startswith("Not saved.")
    rows = [r.values["code"] for r in page.model.rows]
    row = len(rows) - 1 - rows[::-1].index(code) if column == "code" else rows.index(code)
    number = FIELDS.index(column) if isinstance(column, str) else column
    index = page.model.index(row, number)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) in page.problem.text()
    assert page.table.currentIndex() == index


def test_name_and_undo(page) -> None:
    page.name.setText("")
    page.name.textEdited.emit("")
    assert page.save() is None and page.problem.text() == "Not saved. Name: missing."
    page.model.setData(cell(page, "m3", "offset.months"), 4)
    page.refresh()  # coming back to the page keeps an edit in progress
    assert page.model.data(cell(page, "m3", "offset.months")) == 4
    page.revert()
    assert page.model.data(cell(page, "m3", "offset.months")) == 3 and not page.problem.isVisible()
    assert page.name.text() == "SIJ fusion standard follow-up"


def test_french(page) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Protocole de suivi"
    assert page.model.headerData(FIELDS.index("offset.months"), Qt.Orientation.Horizontal) == "Mois"
    assert page.model.headerData(instrument_column(page, "nrs"), Qt.Orientation.Horizontal) == "Douleur (échelle 0-10)"
    page.model.setData(cell(page, "m3", "offset.months"), -3)
    page.save()
    assert page.problem.text().replace("\u00a0", " ") == (
        "Non enregistré. Temps m3, colonne « Mois » : un nombre entier d’au moins 0 est attendu, et non -3.")


def type_in_cell(page: ProtocolPage, index, text: str) -> None:
    """Double-click the cell, type over what it holds and press Enter, as an administrator does."""
    view = page.table
    view.scrollTo(index)
    point = view.visualRect(index).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.parent() is view.viewport(), f"no editor on the cell ({editor})"
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the view commits an editor's data on Enter through the event queue


def test_a_500_day_window_is_refused_with_the_reason_at_the_cell(page, dialogs) -> None:
    index = cell(page, "m6", "window.after_days")
    type_in_cell(page, index, "500")
    assert page.model.data(index) == 500
    click(page.buttons["save"])
    assert page.clinic.protocols.current().version == 1 and dialogs.texts("question") == []
    assert page.problem.text() == ("Not saved. Timepoint m6, column “Window: days after”: 500 days is outside the "
                                   "sensible bounds: at most 183 days.")
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) in page.problem.text()
    assert page.table.currentIndex() == index
    type_in_cell(page, index, "60")
    dialogs.answer = True
    click(page.buttons["save"])
    assert page.clinic.protocols.current().timepoint("m6").window_after_days == 60


def test_overlapping_windows_are_refused_at_the_later_timepoint(page) -> None:
    type_in_cell(page, cell(page, "m3", "window.before_days"), "40")
    click(page.buttons["save"])
    assert "Timepoint m3, column “Window: days before”: its window overlaps the window of w6" in page.problem.text()
    set_language("fr")
    page.retranslate()
    click(page.buttons["save"])
    assert "sa fenêtre chevauche celle de w6" in page.problem.text()


def test_an_earlier_version_is_restored(page, dialogs) -> None:
    type_in_cell(page, cell(page, "m24", "window.after_days"), "100")
    dialogs.answer = True
    click(page.buttons["save"])
    assert page.clinic.protocols.current().version == 2
    assert page.earlier.count() == 1 and page.earlier.currentText().startswith("Version 1: ")
    dialogs.answer = False
    click(page.buttons["restore"])
    assert page.clinic.protocols.current().version == 2  # not confirmed
    dialogs.answer = True
    click(page.buttons["restore"])
    assert "Make version 1 current again? It is saved as version 3" in dialogs.texts("question")[-1]
    current = page.clinic.protocols.current()
    assert current.version == 3 and current.timepoint("m24").window_after_days == 84
    assert page.status.text() == "Version 1 restored as version 3."
    assert page.model.data(cell(page, "m24", "window.after_days")) == 84
    assert [page.earlier.itemText(i)[:9] for i in range(page.earlier.count())] == ["Version 2", "Version 1"]
