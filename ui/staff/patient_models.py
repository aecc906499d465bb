"""Table models of one patient's course on the dashboard: the visits with their state, and the scores
per timepoint with the change from baseline and whether the MCID was reached.

Both read a ``PatientPage`` (``sijpro.reports.patient``), the object the trajectory PDF is made from, so
the screen and the PDF agree on what is missing, late or improved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from sijpro.analysis.scores import RELIEF, SATISFACTION_LEVEL, score_spec
from sijpro.analysis.trajectory import TrajectoryPoint
from sijpro.instruments import get_instrument
from sijpro.reports.patient import PatientPage
from sijpro.reports.texts import Words
from ui.i18n import language, tr
from ui.staff.table_model import Column, RecordTableModel

Index = QModelIndex | QPersistentModelIndex
VALUE_ROLE = Qt.ItemDataRole.UserRole
"""The score itself (a float, None when missing), as the outcomes service gave it."""
CHANGE_ROLE = Qt.ItemDataRole.UserRole + 1
MCID_ROLE = Qt.ItemDataRole.UserRole + 2
MUTED = QColor("#5c5c5c")
SCORE_TITLES = {
    "nrs.lumbar": "score.nrs.lumbar", "nrs.radicular": "score.nrs.radicular",
    "odi.odi": "score.odi.odi", "sf12.pcs": "score.sf12.pcs", "sf12.mcs": "score.sf12.mcs",
    SATISFACTION_LEVEL: "satisfaction", RELIEF: "relief",
}


def score_title(key: str) -> str:
    """A score's column title; a score the catalogue does not know is named by its instrument file."""
    title_key = SCORE_TITLES.get(key)
    return tr(title_key) if title_key else score_spec(key).label.get(language(), key)


ALARMING = {"late", "missing", "overdue"}
"""States the dashboard shouts, so a missed or late visit stands out in the timeline."""


def timepoint_label(page: PatientPage, point: TrajectoryPoint) -> str:
    label = page.protocol.timepoint(point.timepoint).label
    return label.get(language()) or label.get("en") or point.timepoint


def state_text(page: PatientPage, point: TrajectoryPoint) -> str:
    """The visit's state in the words of the PDF (``status.*``), the ones needing action in capitals."""
    code, days = page.status_code(point)
    words, bracket, detail = tr(f"status.{code}", days=days).partition(" (")
    return f"{words.upper()}{bracket}{detail}" if code in ALARMING else f"{words}{bracket}{detail}"  # "LATE (+9 d)"


class VisitTimelineModel(RecordTableModel[TrajectoryPoint]):
    """Every timepoint of the protocol: due date, window, when answered, and its state (late flagged)."""

    def __init__(self, parent: Any = None) -> None:
        self.page: PatientPage | None = None
        super().__init__([
            Column("dashboard.timeline.timepoint", self._label, sort_key=lambda p: p.due_date),
            Column("dashboard.timeline.due", lambda p: p.due_date.isoformat() if p.due_date else "",
                   sort_key=lambda p: p.due_date),
            Column("dashboard.timeline.window", self._window),
            Column("dashboard.timeline.completed",
                   lambda p: p.outcome.completed_on.isoformat() if p.outcome and p.outcome.completed_on else "",
                   sort_key=lambda p: p.outcome.completed_on if p.outcome else None),
            Column("dashboard.timeline.state", self._state, tone=self._tone),
        ], parent)

    def show_page(self, page: PatientPage) -> None:
        self.page = page
        self.set_rows(page.points)

    def _label(self, point: TrajectoryPoint) -> str:
        return timepoint_label(self.page, point) if self.page else point.timepoint

    @staticmethod
    def _window(point: TrajectoryPoint) -> str:
        outcome = point.outcome
        return f"{outcome.window_start.isoformat()} – {outcome.window_end.isoformat()}" if outcome else ""

    def _state(self, point: TrajectoryPoint) -> str:
        return state_text(self.page, point) if self.page else ""

    def _tone(self, point: TrajectoryPoint) -> str | None:
        if self.page is None:
            return None
        code = self.page.status_code(point)[0]
        return {"late": "alert", "missing": "alert", "overdue": "alert", "in_window": "good", "early": "good",
                "cancelled": "muted"}.get(code)


class ScoreTableModel(QAbstractTableModel):
    """A row per timepoint, a column per score: the value, its change from baseline, ✓ when the change
    reaches the MCID, and "missing" where an expected answer never came (never a zero)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.page: PatientPage | None = None

    def show_page(self, page: PatientPage) -> None:
        self.beginResetModel()
        self.page = page
        self.endResetModel()

    @property
    def keys(self) -> tuple[str, ...]:
        return self.page.keys if self.page else ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() or self.page is None else len(self.page.points)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() or self.page is None else 1 + len(self.keys)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if section == 0:
            return tr("dashboard.timeline.timepoint")
        return score_title(self.keys[section - 1]) if 0 < section <= len(self.keys) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        page = self.page
        if page is None or not index.isValid() or not 0 <= index.row() < len(page.points):
            return None
        point = page.points[index.row()]
        if index.column() == 0:
            return timepoint_label(page, point) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 < index.column() <= len(self.keys):
            return None
        key = self.keys[index.column() - 1]
        value = point.values.get(key)
        if role == VALUE_ROLE:
            return value
        if role == CHANGE_ROLE:
            return point.changes.get(key)
        if role == MCID_ROLE:
            return point.mcid_reached.get(key)
        missing = value is None and self._is_missing(point, key)
        if role == Qt.ItemDataRole.DisplayRole:
            return tr("dashboard.scores.missing") if missing else self._text(point, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(point, key, value) if value is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and missing:
            return QBrush(MUTED)
        if role == Qt.ItemDataRole.FontRole and missing:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _is_missing(self, point: TrajectoryPoint, key: str) -> bool:
        """Expected here and not given, although the patient answered that day or can no longer."""
        page = self.page
        assert page is not None
        if not page.expected(point, key):
            return False
        answered = point.outcome is not None and point.outcome.completed_on is not None
        return answered or page.is_missing(point)

    def _text(self, point: TrajectoryPoint, key: str) -> str:
        value = point.values.get(key)
        if value is None:
            return ""
        text = value_text(key, value)
        change = point.changes.get(key)
        if change is not None:
            words = Words(language())
            decimals = 1 if key.startswith("sf12.") or abs(change - round(change)) > 1e-9 else 0
            text += f"\nΔ {words.signed(change, decimals)}" + (" ✓" if point.mcid_reached.get(key) else "")
        return text

    def _tooltip(self, point: TrajectoryPoint, key: str, value: float) -> str:
        change, reached = point.changes.get(key), point.mcid_reached.get(key)
        parts = [f"{score_title(key)}: {value_text(key, value)}"]
        if change is not None:
            parts.append(tr("dashboard.scores.change", change=Words(language()).signed(change)))
        if reached is not None:
            parts.append(tr("dashboard.scores.mcid_reached") if reached else tr("dashboard.scores.mcid_not_reached"))
        return "\n".join(parts)


def value_text(key: str, value: float) -> str:
    """A score as the clinic reads it: satisfaction in words, relief in %, SF-12 to one decimal."""
    words = Words(language())
    if key == SATISFACTION_LEVEL:
        return get_instrument("satisfaction").item("overall").option_text(int(value), language())
    if key == RELIEF:
        return words.pct(value, 0)
    if key.startswith("sf12."):
        return words.number(value, 1)
    return words.plain(value)
