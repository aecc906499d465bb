"""The cohort view: the studies' tables and the mean trajectory for the patients the filters select,
and the same summary exported as the cohort PDF and JSON.

Every number comes from one service call, ``clinic.cohort.summary(where)`` with the filters as its
``where`` (the ``--where`` of ``sijpro report cohort``); the tables are the grids the PDF prints, so the
screen, the PDF and the JSON agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sijpro.analysis import CohortSummary, normalise_where
from sijpro.errors import UserError
from sijpro.exchange.output import export_file
from sijpro.progress import Progress
from sijpro.records import UserRecord
from sijpro.reports import cohort_pdf
from sijpro.reports.batch import write_pdf
from sijpro.reports.cohort import cohort_charts
from sijpro.reports.flow import completeness_flow
from sijpro.reports.tables import (
    Grid,
    baseline_grid,
    compare_grid,
    completeness_grid,
    lost_grid,
    model_grid,
    outcome_grid,
    relief_grid,
    responder_grid,
    satisfaction_grid,
)
from sijpro.reports.texts import Words
from sijpro.services.session import Session
from ui.errors import show_error
from ui.i18n import capitalised, language, tr, tr_n
from ui.staff.chart_canvas import ChartCanvas
from ui.staff.cohort_tables import GridModel
from ui.staff.files import ask_save_path, documents_folder
from ui.staff.inputs import APPROACHES, SEXES, SIDES
from ui.staff.page import StaffPage
from ui.staff.patient_models import score_title
from ui.staff.style import heading_label, push_button
from ui.tasks import default_error, start_task

TABS = {
    "baseline": "cohort.tab.baseline", "outcomes": "cohort.tab.outcomes", "responders": "cohort.tab.responders",
    "satisfaction": "cohort.tab.satisfaction", "relief": "cohort.tab.relief",
    "completeness": "cohort.tab.completeness", "lost": "cohort.tab.lost", "compare": "cohort.tab.compare",
    "model": "cohort.tab.model",
}
"""The tabs of the results in order, with their titles; "outcomes" shows one score at a time."""
GRIDS: dict[str, Callable[[CohortSummary, Words], Grid]] = {
    "baseline": baseline_grid,
    "responders": lambda summary, words: responder_grid(summary, words, 0),
    "satisfaction": lambda summary, words: satisfaction_grid(summary, words, 0),
    "relief": lambda summary, words: relief_grid(summary, words, 0),
    "completeness": lambda summary, words: completeness_grid(summary, words, 0),
    "lost": lambda summary, words: lost_grid(summary, words, 0),
    "compare": lambda summary, words: compare_grid(summary, words, 0) if summary.compare and summary.compare["groups"]
    else Grid("", (), (), ()),
}
GRIDS["model"] = lambda summary, words: model_grid(summary, words, 0)
COMPARE_KEYS = ("site", "fbss", "sex", "side", "approach", "prior_lumbosacral_fusion")
"""How each tab's table is built: the PDF's own grids (the table number is the PDF's business)."""
APPLY_DELAY_MS = 300
"""Several filters changed in a row give one new summary."""
CHOICES: dict[str, tuple[str, ...]] = {
    "site": (),  # the sites of the clinic's patients, filled in from each summary
    "fbss": ("1", "0"), "sex": ("F", "M", "X"), "side": ("left", "right", "bilateral"),
    "approach": ("lateral", "posterior"), "prior_lumbosacral_fusion": ("1", "0"),
}


def choice_texts() -> dict[str, dict[str, str]]:
    yes, no = tr("yes"), tr("no")
    return {
        "fbss": {"1": yes, "0": no}, "prior_lumbosacral_fusion": {"1": yes, "0": no},
        "sex": {code: tr(key) for code, key in SEXES},
        "side": {code: capitalised(tr(key)) for code, key in SIDES},
        "approach": {code: capitalised(tr(key)) for code, key in APPROACHES},
    }


def filter_titles() -> dict[str, str]:
    return {"site": tr("cohort.filter.site"), "fbss": tr("cohort.filter.fbss"),
            "sex": tr("cohort.filter.sex"), "side": tr("cohort.filter.side"),
            "approach": tr("cohort.filter.approach"), "prior_lumbosacral_fusion": tr("cohort.filter.prior_fusion")}


class CohortPage(StaffPage):
    title_key = "cohort.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cohortPage")
        self.clinic = clinic
        self.user = user
        self.summary: CohortSummary | None = None
        self.where: dict[str, str] = {}
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self.heading = heading_label(self)
        self.count = QLabel(self)
        self.count.setObjectName("cohortCount")
        self.count.setProperty("role", "muted")
        self.count.setWordWrap(True)
        self._make_filters()
        self._make_results()
        self._lay_out()
        self.retranslate()

    def _make_filters(self) -> None:
        self.filter_labels = {key: QLabel(self) for key in CHOICES}
        self.filters: dict[str, QComboBox] = {}
        for key, values in CHOICES.items():
            combo = QComboBox(self)
            combo.setObjectName(f"filter_{key}")
            combo.addItem("", "")
            for value in values:
                combo.addItem("", value)
            combo.currentIndexChanged.connect(self._timer.start)
            self.filters[key] = combo
        self.dates: dict[str, tuple[QCheckBox, QDateEdit]] = {}
        for key in ("surgery_from", "surgery_to"):
            check, edit = QCheckBox(self), QDateEdit(self)
            edit.setObjectName(f"filter_{key}")
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(self.clinic.today.year - (1 if key == "surgery_from" else 0), 1, 1))
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._timer.start)
            edit.dateChanged.connect(lambda _date, box=check: box.isChecked() and self._timer.start())
            self.dates[key] = (check, edit)
        self.compare_label = QLabel(self)
        self.compare = QComboBox(self)
        self.compare.setObjectName("cohortCompare")
        self.compare.addItem("", "")
        for key in COMPARE_KEYS:
            self.compare.addItem("", key)
        self.compare.currentIndexChanged.connect(self._timer.start)
        self.clear_button = push_button(self, self.clear_filters)
        self.export_pdf_button = push_button(self, self.export_pdf, "exportCohortPdf")
        self.export_json_button = push_button(self, self.export_json, "exportCohortJson")

    def _make_results(self) -> None:
        self.tabs = QTabWidget(self)
        self.models = {name: GridModel(self) for name in TABS}
        self.tables: dict[str, QTableView] = {}
        for name, model in self.models.items():
            table = QTableView(self)
            table.setObjectName(f"cohort_{name}")
            table.setModel(model)
            table.verticalHeader().hide()
            table.setAlternatingRowColors(True)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            self.tables[name] = table
        self.score = QComboBox(self)
        self.score.setObjectName("cohortScore")
        self.score.currentIndexChanged.connect(self._show_outcome)
        self.score_label = QLabel(self)
        self.note = QLabel(self)
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        outcomes = QWidget(self)
        outcome_layout = QVBoxLayout(outcomes)
        row = QHBoxLayout()
        row.addWidget(self.score_label)
        row.addWidget(self.score, 1)
        outcome_layout.addLayout(row)
        outcome_layout.addWidget(self.tables["outcomes"], 1)
        outcome_layout.addWidget(self.note)
        completeness = QSplitter(Qt.Orientation.Horizontal, self)
        completeness.addWidget(self.tables["completeness"])
        self.flow = ChartCanvas(completeness)
        self.flow.setObjectName("cohortFlow")
        completeness.addWidget(self.flow)
        completeness.setSizes([520, 480])
        pages: dict[str, QWidget] = {"outcomes": outcomes, "completeness": completeness}
        for name in TABS:
            self.tabs.addTab(pages.get(name, self.tables[name]), "")
        self.chart_title = QLabel(self)
        self.chart_title.setWordWrap(True)
        self.chart_title.setProperty("role", "muted")
        self.charts = ChartCanvas(self, columns=4)
        self.charts.setObjectName("cohortCharts")

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.heading)
        bar.addStretch(1)
        bar.addWidget(self.export_pdf_button)
        bar.addWidget(self.export_json_button)
        filters = QGridLayout()
        for column, key in enumerate(CHOICES):
            filters.addWidget(self.filter_labels[key], 0, column)
            filters.addWidget(self.filters[key], 1, column)
        for offset, (check, edit) in enumerate(self.dates.values()):
            filters.addWidget(check, 0, len(CHOICES) + offset)
            filters.addWidget(edit, 1, len(CHOICES) + offset)
        filters.addWidget(self.compare_label, 0, len(CHOICES) + 2)
        filters.addWidget(self.compare, 1, len(CHOICES) + 2)
        filters.addWidget(self.clear_button, 1, len(CHOICES) + 3)
        filters.setColumnStretch(len(CHOICES) + 4, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.chart_title)
        right_layout.addWidget(self.charts, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(right)
        splitter.setSizes([440, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)

    # --- the page interface ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(tr("cohort.title"))
        titles, texts = filter_titles(), choice_texts()
        for key, combo in self.filters.items():
            self.filter_labels[key].setText(titles[key])
            combo.setItemText(0, tr("cohort.filter.any"))
            for index in range(1, combo.count()):
                combo.setItemText(index, texts.get(key, {}).get(combo.itemData(index), combo.itemData(index)))
        self.dates["surgery_from"][0].setText(tr("cohort.filter.surgery_from"))
        self.dates["surgery_to"][0].setText(tr("cohort.filter.surgery_to"))
        self.clear_button.setText(tr("cohort.filter.clear"))
        self.compare_label.setText(tr("cohort.compare"))
        self.compare.setItemText(0, tr("cohort.compare.none"))
        for index in range(1, self.compare.count()):
            self.compare.setItemText(index, titles[self.compare.itemData(index)])
        self.export_pdf_button.setText(tr("cohort.export.pdf"))
        self.export_json_button.setText(tr("cohort.export.json"))
        self.score_label.setText(tr("cohort.score"))
        for index, key in enumerate(TABS.values()):
            self.tabs.setTabText(index, tr(key))
        self.note.setText(tr("cohort.note"))
        self.chart_title.setText(tr("cohort.chart_title"))
        if self.summary is not None:
            self._show_summary()

    def refresh(self) -> None:
        """Summarise the cohort again with the same filters (answers came in since)."""
        self.apply()

    # --- filters and summary ---------------------------------------------------------------------------

    def where_from_filters(self) -> dict[str, str]:
        where = {key: combo.currentData() for key, combo in self.filters.items() if combo.currentData()}
        for key, (check, edit) in self.dates.items():
            if check.isChecked():
                where[key] = edit.date().toString(Qt.DateFormat.ISODate)
        return where

    def clear_filters(self) -> None:
        self.compare.setCurrentIndex(0)
        for combo in self.filters.values():
            combo.setCurrentIndex(0)
        for check, _ in self.dates.values():
            check.setChecked(False)
        self.apply()

    def apply(self) -> None:
        self._timer.stop()
        if self._busy:  # a filter changed while the last summary was being made: summarise again after it
            self._timer.start()
            return
        try:
            where = normalise_where(self.where_from_filters())
        except UserError as error:
            show_error(self, error)
            return
        self._busy = True

        def summarised(summary: CohortSummary) -> None:
            self._busy = False
            self.where, self.summary = where, summary
            self._show_summary()

        def failed(error: Exception) -> None:
            self._busy = False
            default_error(self, error)

        start_task(self, tr("cohort.title"), tr("cohort.working"), self._summarise(where), on_done=summarised,
                   on_error=failed, cancellable=False)

    def _summarise(self, where: dict[str, str]) -> Callable[[Progress], CohortSummary]:
        """The background work: one call of the cohort use case for ``where`` (and the groups compared)."""
        compare = self.compare.currentData() or None
        return lambda progress: self.clinic.cohort.summary(where, compare=compare)

    def _show_summary(self) -> None:
        summary = self.summary
        assert summary is not None
        words = Words(language())
        self.count.setText(tr_n("cohort.count", summary.n_patients, total=summary.n_total))
        self._offer_sites(summary.all_sites)
        for name, build in GRIDS.items():
            self.models[name].show_grid(build(summary, words))
        chosen = self.score.currentData()
        self.score.blockSignals(True)
        self.score.clear()
        for key in summary.outcomes:
            self.score.addItem(score_title(key), key)
        self.score.setCurrentIndex(max(0, self.score.findData(chosen)))
        self.score.blockSignals(False)
        self._show_outcome()
        if summary.n_patients:
            self.charts.show_charts(cohort_charts(summary, words))
            self.flow.show_flow(completeness_flow(summary, words))
        else:
            self.charts.clear()
            self.flow.clear()
        for table in self.tables.values():
            table.resizeColumnsToContents()

    def _offer_sites(self, sites: tuple[str, ...]) -> None:
        """The site filter lists the clinic's sites (a new one appears once a patient has it)."""
        combo = self.filters["site"]
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for site in sorted({*sites, *([chosen] if chosen else [])}):
            combo.addItem(site, site)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        combo.blockSignals(False)
        combo.setEnabled(combo.count() > 1)

    def _show_outcome(self) -> None:
        if self.summary is None or self.score.currentData() is None:
            return
        grid = outcome_grid(self.summary, self.score.currentData(), Words(language()), 0)
        self.models["outcomes"].show_grid(grid)

    # --- export ----------------------------------------------------------------------------------------

    def export_pdf(self) -> None:
        self._export("pdf", tr("cohort.export.pdf_filter"), self._write_pdf)

    def export_json(self) -> None:
        self._export("json", tr("cohort.export.json_filter"), self._write_json)

    def _export(self, suffix: str, filter_text: str, write: Callable[[Path, Progress], None]) -> None:
        if self.summary is None:
            return
        suggested = documents_folder() / f"cohort-{self.clinic.today.isoformat()}.{suffix}"
        path = ask_save_path(self, tr("cohort.export.title"), suggested, filter_text)
        if path is None:
            return

        def written(_: None) -> None:
            self.count.setText(f"{self.count.text()} · {tr('cohort.export.saved', path=str(path))}")

        start_task(self, tr("cohort.export.title"), tr("cohort.export.working", path=str(path)),
                   lambda progress: write(path, progress), on_done=written)

    def _write_pdf(self, path: Path, progress: Progress) -> None:
        summary = self.summary
        assert summary is not None
        progress(0, 2)
        pdf = cohort_pdf(summary, generated_at=dt.datetime.now().replace(microsecond=0),
                         clinic=self.clinic.settings.load().name, language=language())
        progress(1, 2)
        write_pdf(path, pdf)
        progress(2, 2)

    def _write_json(self, path: Path, progress: Progress) -> None:
        assert self.summary is not None
        progress(0, 1)
        with export_file(path) as temporary:
            temporary.write_text(self.summary.to_json(), encoding="utf-8")
        progress(1, 1)

