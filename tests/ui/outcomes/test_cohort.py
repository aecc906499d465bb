"""The cohort view on the demo clinic: filters change n exactly as ``cohort_summary`` does for the same
``where``; the tables show the summary's numbers; the PDF and JSON exports are written and read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QDate, Qt

from sijpro.analysis import CohortSummary, cohort_summary
from tests.ui.background import finish_tasks
from ui.i18n import set_language
from ui.staff import cohort
from ui.staff.cohort import CohortPage
from ui.staff.cohort_tables import VALUE_ROLE

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, open_clinic):
    clinic, user = open_clinic("sam")
    shown = CohortPage(clinic, user)
    qtbot.addWidget(shown)
    shown.resize(1600, 1000)
    shown.show()
    qtbot.waitExposed(shown)
    shown.refresh()
    finish_tasks(qtbot)
    return shown


def choose(page: CohortPage, key: str, value: str) -> None:
    combo = page.filters[key]
    combo.setCurrentIndex(combo.findData(value))


def expected(page: CohortPage, where: dict[str, str]) -> CohortSummary:
    """The summary the same filters give, computed from the records without the page's service call."""
    return cohort_summary(page.clinic.outcomes.cohort(), where=where, protocol=page.clinic.protocols.current(),
                          today=page.clinic.today)


def column(model, number: int, role=VALUE_ROLE) -> list:
    return [model.data(model.index(row, number), role) for row in range(model.rowCount())]


def test_filters_change_n_as_the_summary_does(page, qtbot, qtmodeltester) -> None:
    everyone = expected(page, {})
    assert page.summary == everyone and page.where == {}
    assert page.count.text() == f"{everyone.n_patients} of {everyone.n_patients} patients match the filters"
    for model in page.models.values():
        qtmodeltester.check(model)

    choose(page, "fbss", "1")
    qtbot.waitUntil(lambda: page.where == {"fbss": "1"}, timeout=60_000)  # applied by the filter's own timer
    with_fbss = expected(page, {"fbss": "1"})
    assert 0 < with_fbss.n_patients < everyone.n_patients
    assert page.summary == with_fbss

    choose(page, "sex", "F")
    choose(page, "approach", "lateral")
    check, edit = page.dates["surgery_from"]
    check.setChecked(True)
    edit.setDate(QDate(2024, 1, 1))
    page.apply()
    finish_tasks(qtbot)
    where = {"fbss": "1", "sex": "F", "approach": "lateral", "surgery_from": "2024-01-01"}
    assert page.where == where and page.summary == expected(page, where)
    assert page.summary.n_patients < with_fbss.n_patients
    assert f"{page.summary.n_patients} of {everyone.n_patients}" in page.count.text()

    page.clear_filters()

    finish_tasks(qtbot)
    assert page.where == {} and page.summary == everyone


def test_tables_show_the_summarys_numbers(page) -> None:
    summary = page.summary
    odi = summary.outcomes["odi.odi"]
    page.score.setCurrentIndex(page.score.findData("odi.odi"))
    outcomes = page.models["outcomes"]
    shown_codes = column(outcomes, 0)
    assert shown_codes == [code for code, cell in odi.items() if cell["n"]]
    assert column(outcomes, 1) == [odi[code]["n"] for code in shown_codes]
    assert column(outcomes, 2) == [odi[code]["mean"] for code in shown_codes]
    assert column(outcomes, 8)[1:] == [odi[code]["p_ttest"] for code in shown_codes[1:]]
    last = shown_codes.index("last")
    text = outcomes.data(outcomes.index(last, 8))
    assert text == "p<0.001" or text.startswith("p=")  # as the papers print p-values
    assert outcomes.headerData(10, Qt.Orientation.Horizontal) == "MCID ≥15"
    assert outcomes.data(outcomes.index(last, 0)) == "Last follow-up"

    baseline = page.models["baseline"]
    assert baseline.data(baseline.index(0, 0)) == "Age at surgery (years)"
    assert baseline.data(baseline.index(0, 1), VALUE_ROLE) == summary.baseline["age"]["mean"]
    assert baseline.data(baseline.index(1, 1), VALUE_ROLE) == summary.baseline["female"]["n"]
    assert baseline.data(baseline.index(2, 0)) == "Sex, male"
    sexes = [record.patient.sex for record in page.clinic.outcomes.cohort() if record.patient.sex]
    assert baseline.data(baseline.index(2, 1), VALUE_ROLE) == sexes.count("M")
    satisfaction = page.models["satisfaction"]
    assert column(satisfaction, 1) == [cell["n"] for cell in summary.satisfaction.values() if cell["n"]]
    relief = page.models["relief"]
    assert column(relief, 5) == [cell["ge80"]["n"] for cell in summary.relief.values() if cell["n"]]

    pain = page.charts.axes[0]
    lines = {line.get_gid(): line for line in pain.lines if line.get_gid()}
    means = [cell["mean"] for code, cell in summary.outcomes["nrs.lumbar"].items() if code != "last" and cell["n"]]
    assert list(lines["series:NRS back"].get_ydata()) == means


def test_a_filter_nobody_matches_shows_no_patient(page, qtbot) -> None:
    check, edit = page.dates["surgery_from"]
    check.setChecked(True)
    edit.setDate(QDate(2030, 1, 1))
    page.apply()
    finish_tasks(qtbot)
    assert page.summary.n_patients == 0 and page.charts.axes == []
    assert page.models["outcomes"].rowCount() == 0


def test_export_pdf_and_json_are_written_and_read_back(page, tmp_path: Path, monkeypatch, qtbot) -> None:
    choose(page, "fbss", "1")
    page.apply()
    finish_tasks(qtbot)
    targets = iter([tmp_path / "cohort.json", tmp_path / "cohort.pdf"])
    monkeypatch.setattr(cohort, "ask_save_path", lambda parent, title, suggested, kind: next(targets))
    page.export_json_button.click()
    finish_tasks(qtbot)
    assert json.loads((tmp_path / "cohort.json").read_text(encoding="utf-8")) == page.summary.as_dict()
    page.export_pdf_button.click()
    finish_tasks(qtbot)
    reader = pypdf.PdfReader(io.BytesIO((tmp_path / "cohort.pdf").read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ")
    assert "Cohort summary" in text and "with FBSS" in text and f"{page.summary.n_patients} patients" in text
    assert "Table 1. Baseline clinical and demographic variables" in text
    assert "saved to" in page.count.text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".sijpro-")] == []  # no half-written file


def test_french_cohort(page) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Cohorte"
    assert page.tabs.tabText(0) == "Caractéristiques initiales"
    assert page.filters["sex"].itemText(1) == "Femme"
    baseline = page.models["baseline"]
    assert baseline.headerData(1, Qt.Orientation.Horizontal) == "Moyenne ± ET ou n (%)"
    assert "," in baseline.data(baseline.index(0, 1))  # 63,2 ± 9,8: French decimals
    assert page.charts.axes[0].get_title(loc="left") == "Douleur (EN, 0-10)"


def test_responders_tab_shows_the_intervals_of_the_summary(page, qtbot) -> None:
    from PySide6.QtTest import QTest

    bar = page.tabs.tabBar()
    index = [bar.tabText(i) for i in range(bar.count())].index("Responders")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentIndex() == index
    model = page.models["responders"]
    odi = page.summary.outcomes["odi.odi"]
    rows = {model.data(model.index(r, 0), VALUE_ROLE): r for r in range(model.rowCount())}
    start = rows["odi.odi"]  # the score's section row, then its timepoints
    row = next(r for r in range(start + 1, model.rowCount()) if model.data(model.index(r, 0), VALUE_ROLE) == "m12")
    assert model.data(model.index(row, 3), VALUE_ROLE) == odi["m12"]["mcid_n"]
    low, high = odi["m12"]["mcid_ci95"]
    assert f"[{low:.1f}–{high:.1f}%]" in model.data(model.index(row, 3))
    assert model.headerData(3, Qt.Orientation.Horizontal) == "MCID reached [95% CI]"


def test_completeness_tab_shows_the_table_and_the_flow_chart(page, qtbot) -> None:
    from PySide6.QtTest import QTest

    bar = page.tabs.tabBar()
    index = [bar.tabText(i) for i in range(bar.count())].index("Completeness")
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentIndex() == index
    counts = page.summary.completeness
    model = page.models["completeness"]
    assert column(model, 0) == list(counts)
    assert column(model, 1) == [row["eligible"] for row in counts.values()]
    assert column(model, 2) == [row["answered"] for row in counts.values()]
    assert column(model, 3) == [row["missed"] for row in counts.values()]
    texts = [text.get_text() for text in page.flow.figure.axes[0].texts]
    assert texts[0] == f"Patients with an index surgery: {page.summary.n_patients}"
    m12 = counts["m12"]
    assert any(f"Due by now: {m12['eligible']}" in text and text.startswith("12 months") for text in texts)
    lost = page.models["lost"]
    assert lost.headerData(1, Qt.Orientation.Horizontal) == \
        f"Followed up (n={page.summary.lost_vs_followed['followed']['n']})"


def test_compare_by_fbss_shows_the_groups_side_by_side(page, qtbot) -> None:
    from PySide6.QtTest import QTest

    combo = page.compare
    combo.setFocus()
    for _ in range(combo.findData("fbss")):  # the keyboard walks the closed list down to "Failed back surgery"
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == "fbss"
    qtbot.waitUntil(lambda: page.summary.compare is not None, timeout=60_000)  # by the filter's own timer
    compare = page.summary.compare
    assert compare["key"] == "fbss" and set(compare["groups"]) == {"0", "1"}
    model = page.models["compare"]
    n0, n1 = compare["groups"]["0"]["n_patients"], compare["groups"]["1"]["n_patients"]
    assert model.headerData(1, Qt.Orientation.Horizontal) == f"without FBSS (n={n0})"
    assert model.headerData(2, Qt.Orientation.Horizontal) == f"with FBSS (n={n1})"
    rows = {model.data(model.index(r, 0), VALUE_ROLE): r for r in range(model.rowCount())}
    assert model.data(model.index(rows["age"], 3), VALUE_ROLE) == compare["tests"]["age"]["p"]
    page.clear_filters()
    finish_tasks(qtbot)
    assert page.summary.compare is None and page.models["compare"].rowCount() == 0


def test_the_count_of_matching_patients_takes_its_languages_plural(page, qtbot) -> None:
    """French says "0 patient sur 150 correspond" (0 and 1 are singular), English "0 of 150 patients match"."""
    everyone = page.summary.n_patients
    check, edit = page.dates["surgery_from"]
    check.setChecked(True)
    edit.setDate(QDate(2099, 1, 1))
    page.apply()
    finish_tasks(qtbot)
    assert page.summary.n_patients == 0
    assert page.count.text() == f"0 of {everyone} patients match the filters"
    set_language("fr")
    page.apply()
    finish_tasks(qtbot)
    assert page.count.text() == f"0 patient sur {everyone} correspond aux filtres"
