"""The cohort view's tables, laid out as the seed studies print them, from the summary dict alone.

Building from ``cohort_summary``'s dict (the JSON of ``report cohort --json``) means the screen, the
PDF and the JSON show the same numbers. Numbers are formatted as the papers print them (mean (range),
mean ± SD, n (%), p<0.001) by the reports' ``Words``; the words around them come from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from sijpro.analysis.cohort import LAST, RELIEF_THRESHOLDS
from sijpro.analysis.scores import satisfaction_levels
from sijpro.instruments import get_instrument
from sijpro.protocol import BASELINE, Protocol
from sijpro.records import PRIOR_INTERVENTIONS
from sijpro.reports.texts import Words
from ui.i18n import language, tr

Index = QModelIndex | QPersistentModelIndex
VALUE_ROLE = Qt.ItemDataRole.UserRole
"""The number behind a cell (n, a mean, a p-value...), as the summary holds it."""


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any = None


@dataclass(frozen=True)
class Grid:
    titles: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sections: frozenset[int] = frozenset()
    """Rows that title a group of the rows under them (drawn bold)."""


class GridModel(QAbstractTableModel):
    """A read-only table of text cells with the number behind each one."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.grid = Grid((), ())

    def show_grid(self, grid: Grid) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.grid.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self.grid.titles)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.grid.titles):
            return self.grid.titles[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.grid.rows):
            return None
        row = self.grid.rows[index.row()]
        if not 0 <= index.column() < len(row):
            return None
        cell = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == VALUE_ROLE:
            return cell.value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() in self.grid.sections:
            font = QFont()
            font.setBold(True)
            return font
        return None


def timepoint_label(protocol: Protocol, code: str) -> str:
    if code == LAST:
        return tr("cohort.last")
    try:
        label = protocol.timepoint(code).label
    except KeyError:
        return code
    return label.get(language()) or label.get("en") or code


def baseline_grid(summary: dict, sexes: Mapping[str, dict] | None = None) -> Grid:
    """Table 1: seed 003's mean ± SD / n (%) beside seed 000's mean (range), with its male row (and an
    "other" row when anyone is) from ``sexes`` (``analysis.sex_counts``)."""
    words = Words(language())
    base = summary["baseline"]

    def continuous(label: str, cell: dict) -> tuple[Cell, ...]:
        return Cell(label), Cell(words.mean_sd(cell), cell["mean"]), Cell(words.mean_range(cell), cell["mean"])

    def count(label: str, cell: dict) -> tuple[Cell, ...]:
        return Cell(label), Cell(words.count_pct(cell), cell["n"]), Cell("")

    interventions = {
        "SCS": tr("cohort.baseline.scs"), "ISS": tr("cohort.baseline.iss"), "IDDS": tr("cohort.baseline.idds"),
        "MILD": tr("cohort.baseline.mild"), "RFA": tr("cohort.baseline.rfa"), "INJ": tr("cohort.baseline.inj"),
    }
    rows = [
        continuous(tr("cohort.baseline.age"), base["age"]),
        count(tr("cohort.baseline.female"), base["female"]),
        *([count(tr("cohort.baseline.male"), sexes["M"])] if sexes else []),
        *([count(tr("cohort.baseline.sex_other"), sexes["X"])] if sexes and sexes["X"]["n"] else []),
        continuous(tr("cohort.baseline.bmi"), base["bmi"]),
        count(tr("cohort.baseline.fbss"), base["fbss"]),
        count(tr("cohort.baseline.bilateral"), base["bilateral"]),
        continuous(tr("cohort.baseline.prior_surgeries"), base["prior_lumbar_surgeries"]),
        count(tr("cohort.baseline.prior_fusion"), base["prior_lumbosacral_fusion"]),
        (Cell(tr("cohort.baseline.past_procedures")), Cell(""), Cell("")),
    ]
    section = len(rows) - 1
    rows += [count(f"{interventions[code]} ({code})", base[code]) for code in PRIOR_INTERVENTIONS]
    rows.append(continuous(tr("cohort.baseline.follow_up_days"), summary["follow_up_days"]))
    titles = (tr("cohort.col.variable"), tr("cohort.col.mean_sd_or_n_pct"), tr("cohort.col.mean_range"))
    return Grid(titles, tuple(rows), frozenset({section}))


def outcome_grid(table: dict, protocol: Protocol, mcid: float | None) -> Grid:
    """One score at every timepoint: n, mean (range), mean ± SD, change, both % changes, p, MCID rate."""
    words = Words(language())
    mcid_title = tr("cohort.col.mcid", mcid=words.plain(mcid)) if mcid is not None else tr("cohort.col.mcid_none")
    titles = (tr("cohort.col.timepoint"), tr("cohort.col.n"), tr("cohort.col.mean_range"), tr("cohort.col.mean_sd"),
              tr("cohort.col.paired"), tr("cohort.col.change"), tr("cohort.col.pct_of_means"),
              tr("cohort.col.mean_pct"), tr("cohort.col.p_t"), tr("cohort.col.p_w"), mcid_title)
    rows = []
    for code, cell in table.items():
        if not cell["n"]:
            continue
        row = [Cell(timepoint_label(protocol, code), code), Cell(str(cell["n"]), cell["n"]),
               Cell(words.mean_range(cell), cell["mean"]), Cell(words.mean_sd(cell), cell["sd"])]
        if code == BASELINE:
            row += [Cell("")] * 7
        else:
            def pct(value: float | None) -> Cell:
                return Cell(words.pct(value), value)

            row += [
                Cell(str(cell["n_paired"]), cell["n_paired"]), Cell(words.signed(cell["mean_change"]),
                                                                      cell["mean_change"]),
                pct(cell["pct_change_of_means"]), pct(cell["mean_pct_change"]),
                Cell(words.p_value(cell["p_ttest"]), cell["p_ttest"]),
                Cell(words.p_value(cell["p_wilcoxon"]), cell["p_wilcoxon"]),
                Cell("–" if cell["mcid_n"] is None else words.count_pct({"n": cell["mcid_n"], "pct": cell["mcid_pct"]}),
                     cell["mcid_n"]),
            ]
        rows.append(tuple(row))
    return Grid(titles, tuple(rows))


def satisfaction_grid(summary: dict, protocol: Protocol) -> Grid:
    words = Words(language())
    levels = satisfaction_levels()
    item = get_instrument("satisfaction").item("overall")
    titles = (tr("cohort.col.timepoint"), tr("cohort.col.n"),
              *(item.option_text(value, language()) for value, _ in levels), tr("cohort.col.satisfied"))
    rows = []
    for code, cell in summary["satisfaction"].items():
        if not cell["n"]:
            continue
        rows.append((
            Cell(timepoint_label(protocol, code), code), Cell(str(cell["n"]), cell["n"]),
            *(Cell(words.count_pct({"n": cell[name], "pct": cell[name] / cell["n"] * 100}), cell[name])
              for _, name in levels),
            Cell(words.count_pct({"n": cell["satisfied_n"], "pct": cell["satisfied_pct"]}), cell["satisfied_n"]),
        ))
    return Grid(titles, tuple(rows))


def relief_grid(summary: dict, protocol: Protocol) -> Grid:
    """Seed 003's Table 2 (relief thresholds), at every timepoint and at the last follow-up."""
    words = Words(language())
    titles = (tr("cohort.col.timepoint"), tr("cohort.col.n"), tr("cohort.col.mean_sd"),
              *(tr("cohort.col.at_least", threshold=threshold) for threshold in RELIEF_THRESHOLDS))
    rows = []
    for code, cell in summary["relief"].items():
        if not cell["n"]:
            continue
        rows.append((
            Cell(timepoint_label(protocol, code), code), Cell(str(cell["n"]), cell["n"]),
            Cell(words.mean_sd(cell, percent=True), cell["mean"]),
            *(Cell(words.count_pct(cell[f"ge{threshold}"]), cell[f"ge{threshold}"]["n"])
              for threshold in RELIEF_THRESHOLDS),
        ))
    return Grid(titles, tuple(rows))


def column_values(grid: Grid, column: int) -> Sequence[Any]:
    return [row[column].value for row in grid.rows]
