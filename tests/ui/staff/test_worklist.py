"""The worklist: sections with counts, filters and search on a model that passes Qt's model tester."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sijpro.services.scheduling import Worklist
from tests.trusted import as_system
from tests.ui.staff.setup import TODAY
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.worklist_model import WorklistModel

pytestmark = pytest.mark.gui


def shown(model) -> list[str]:
    return [item.entry.patient.mrn for item in model.records()]


@pytest.mark.parametrize("sections", [["due", "overdue"], ["due", "overdue", "upcoming", "missed"], []])
def test_the_model_passes_qts_model_tester(qtmodeltester, staff_clinic, sections) -> None:
    model = WorklistModel()
    model.load(as_system(staff_clinic).schedule.worklist(TODAY), {})
    model.show_sections(sections)
    model.sort(1)
    qtmodeltester.check(model, force_py=True)
    # the tester keeps watching: every later change must keep the model consistent too
    model.search("smith")
    model.search("")
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.load(Worklist(TODAY, (), (), (), ()), {})
    model.load(as_system(staff_clinic).schedule.worklist(TODAY), {})


def test_sections_counts_and_filters(staff_clinic) -> None:
    model = WorklistModel()
    model.load(as_system(staff_clinic).schedule.worklist(TODAY), {})
    assert model.counts == {"due": 4, "overdue": 2, "upcoming": 1, "missed": 4}
    assert shown(model) == ["S-SOON", "S-OVER", "K-001", "K-002", "K-003", "S-GONE"]  # overdue first, then due
    model.show_sections(["upcoming"])
    assert shown(model) == ["S-SOON"]
    model.show_sections(["due", "overdue", "upcoming", "missed"])
    assert model.rowCount() == model.total == 11
    model.search("helene")  # accents and case ignored
    assert shown(model) == ["K-001", "K-001"]  # due at 3 months, and the 6-week visit missed
    model.search("k-00 smi")  # every word must match (MRN and name)
    assert shown(model) == ["K-002", "K-002"]


def test_sorting_happens_in_the_model_by_each_columns_own_key(staff_clinic) -> None:
    model = WorklistModel()
    model.load(as_system(staff_clinic).schedule.worklist(TODAY), {})
    model.show_sections(["due", "overdue", "upcoming", "missed"])
    patient_column = [c.title_key for c in model.columns].index("staff.worklist.col.patient")
    model.sort(patient_column, Qt.SortOrder.AscendingOrder)
    names = [model.data(model.index(row, patient_column)) for row in range(model.rowCount())]
    assert names == sorted(names, key=str.casefold)
    born = [c.title_key for c in model.columns].index("staff.worklist.col.birth_date")
    model.sort(born, Qt.SortOrder.DescendingOrder)
    births = [item.entry.patient.birth_date for item in model.records()]
    assert births == sorted(births, reverse=True)


def test_the_generic_model_keeps_selected_rows_across_a_sort(qtmodeltester) -> None:
    from PySide6.QtCore import QPersistentModelIndex

    model = RecordTableModel([Column("staff.worklist.col.mrn", str, sort_key=lambda n: n)])
    model.set_rows([3, 1, 2])
    qtmodeltester.check(model, force_py=True)
    kept = QPersistentModelIndex(model.index(0, 0))  # the row showing 3
    model.sort(0)
    assert kept.row() == 2 and model.data(kept) == "3"


def test_the_page_filters_searches_and_offers_the_actions_a_row_allows(signed_in, qtbot, ids) -> None:
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    assert page.section_buttons["due"].text() == "Due (4)" and page.section_buttons["missed"].text() == "Missed (4)"
    assert page.shown.text() == "6 of 11 shown"
    page.search.setText("martin")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.table.selectRow(0)
    assert page.hand_over_button.isEnabled() and page.paper_button.isEnabled()
    page.search.clear()
    for section in ("due", "overdue", "upcoming"):
        page.section_buttons[section].click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.select_patient(ids["S-SOON"])
    assert not page.hand_over_button.isEnabled() and not page.paper_button.isEnabled()  # nothing to answer yet
    assert page.open_button.isEnabled()
    with qtbot.waitSignal(page.open_patient) as opened:
        page.open_button.click()
    assert opened.args == [ids["S-SOON"]]
    assert window.workspace.current_key() == "patients"  # no dashboard for a nurse: the record
    assert window.workspace.page("patients").record.patient.mrn == "S-SOON"


def test_paper_entry_from_a_row_opens_that_patients_forms(signed_in, ids) -> None:
    window = signed_in("nina")
    page = window.workspace.page("worklist")
    page.select_patient(ids["K-003"])
    page.paper_button.click()
    assert window.workspace.current_key() == "paper"
    paper = window.workspace.page("paper")
    assert paper.patient.mrn == "K-003"
    assert [form.instrument.id for _, form in paper.forms] == ["nrs", "odi", "sf12", "satisfaction", "relief"]


def test_due_today_shows_the_visits_due_on_the_day_not_every_open_window(signed_in) -> None:
    from tests.ui.staff.clicks import click

    window = signed_in("nina")
    page = window.workspace.page("worklist")
    due_today = [item for item in page.model.records() if item.entry.visit.due_date == TODAY]
    assert 0 < len(due_today) < page.model.rowCount()  # some open windows are not due today
    assert page.today_button.text() == f"Due today ({len(due_today)})"
    click(page.today_button)
    assert {item.entry.visit.id for item in page.model.records()} == {item.entry.visit.id for item in due_today}
    click(page.today_button)
    assert page.model.rowCount() > len(due_today)
