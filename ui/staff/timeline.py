"""A patient's follow-up schedule as a table: each visit with its window, status and questionnaires."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from sijpro.instruments import LocalText, get_instrument
from sijpro.protocol import Protocol
from sijpro.records import VisitRecord
from ui.i18n import tr
from ui.staff.live_text import follow_language, local
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import record_table

STATUS_KEYS = {"scheduled": "staff.status.scheduled", "open": "staff.status.open",
               "completed": "staff.status.completed", "missed": "staff.status.missed",
               "cancelled": "staff.status.cancelled"}


def timepoint_labels(protocols: Sequence[Protocol]) -> dict[str, LocalText]:
    """Timepoint code -> its name in every language, newest protocol version winning."""
    labels: dict[str, LocalText] = {}
    for protocol in protocols:
        labels.update({timepoint.code: dict(timepoint.label) for timepoint in protocol.timepoints})
    return labels


def instrument_names(codes: Sequence[str]) -> str:
    return ", ".join(local(get_instrument(code).short_title, code) for code in codes)


def instrument_codes(codes: Sequence[str]) -> str:
    """The instruments as clinicians abbreviate them (NRS, ODI, SF-12...), for narrow columns."""
    names = []
    for code in codes:
        title = local(get_instrument(code).short_title, code)
        names.append(title[title.index("(") + 1:title.rindex(")")] if "(" in title and title.endswith(")") else title)
    return ", ".join(names)


def status_text(visit: VisitRecord) -> str:
    text = tr(STATUS_KEYS.get(visit.status, "staff.status.scheduled"))
    return f"{text} ({tr('staff.status.late')})" if visit.late else text


def timeline_columns(labels: dict[str, LocalText]) -> list[Column[VisitRecord]]:
    return [
        Column("staff.timeline.timepoint", lambda v: local(labels.get(v.timepoint), v.timepoint),
               sort_key=lambda v: v.due_date),
        Column("staff.timeline.due", lambda v: v.due_date.isoformat(), sort_key=lambda v: v.due_date),
        Column("staff.timeline.window", lambda v: f"{v.window_start.isoformat()} – {v.window_end.isoformat()}",
               sort_key=lambda v: v.window_start),
        Column("staff.timeline.status", status_text,
               tone=lambda v: "alert" if v.status == "missed" or v.late else
               "good" if v.status == "completed" else "muted" if v.status == "cancelled" else None),
        Column("staff.timeline.completed", lambda v: v.completed_on.isoformat() if v.completed_on else "",
               sort_key=lambda v: v.completed_on),
        Column("staff.timeline.instruments", lambda v: instrument_codes(v.instruments),
               tip=lambda v: instrument_names(v.instruments)),
    ]


class TimelineView(QWidget):
    """The visits of one patient in protocol order (sortable by any column)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, LocalText] = {}
        self.model = RecordTableModel(timeline_columns(self.labels), self)
        self.table = record_table(self.model, "timeline", self)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        follow_language(self, self.model.retranslate)

    def show_visits(self, visits: Sequence[VisitRecord], labels: dict[str, LocalText]) -> None:
        self.labels.clear()
        self.labels.update(labels)
        self.model.set_rows(visits)
