"""A patient's follow-up schedule as a table: each visit with its window, status and questionnaires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from sijpro.instruments import LocalText, get_instrument
from sijpro.protocol import Protocol
from sijpro.records import VisitRecord
from sijpro.services.scheduling import ACTIVE, is_past_collecting
from ui.i18n import tr
from ui.staff.live_text import follow_language, local
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import record_table

STATUS_KEYS = {"scheduled": "staff.status.scheduled", "open": "staff.status.open",
               "completed": "staff.status.completed", "missed": "staff.status.missed",
               "cancelled": "staff.status.cancelled", "due": "staff.status.due", "overdue": "staff.status.overdue"}


@dataclass(frozen=True)
class TimelineRow:
    visit: VisitRecord
    state: str
    """The stored status, or what it means today for a visit not done: due, overdue, missed."""


def state_on(visit: VisitRecord, today: dt.date) -> str:
    """What a nurse needs to know of a visit today, as the worklist classes it."""
    if visit.status not in ACTIVE:
        return visit.status
    if is_past_collecting(visit.window_end, today):
        return "missed"
    if today > visit.window_end:
        return "overdue"
    return "due" if visit.window_start <= today else visit.status


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
        if "(" in title and title.endswith(")"):
            inside = title[title.index("(") + 1:-1]
            title = inside if any(c.isalpha() for c in inside) else title[:title.index("(")].strip()
        names.append(title)
    return ", ".join(names)


def window_text(start: dt.date, end: dt.date) -> str:
    """'2024-02-27 – 05-07': the end's year only when it differs, so the column stays narrow."""
    return f"{start.isoformat()} – {end.isoformat() if end.year != start.year else end.strftime('%m-%d')}"


def status_text(row: TimelineRow) -> str:
    text = tr(STATUS_KEYS.get(row.state, "staff.status.scheduled"))
    return f"{text} ({tr('staff.status.late')})" if row.visit.late else text


def status_tone(row: TimelineRow) -> str | None:
    if row.state in {"missed", "overdue"} or row.visit.late:
        return "alert"
    return {"completed": "good", "cancelled": "muted"}.get(row.state)


def timeline_columns(labels: dict[str, LocalText]) -> list[Column[TimelineRow]]:
    return [
        Column("staff.timeline.timepoint", lambda r: local(labels.get(r.visit.timepoint), r.visit.timepoint),
               sort_key=lambda r: r.visit.due_date),
        Column("staff.timeline.due", lambda r: r.visit.due_date.isoformat(), sort_key=lambda r: r.visit.due_date),
        Column("staff.timeline.window", lambda r: window_text(r.visit.window_start, r.visit.window_end),
               sort_key=lambda r: r.visit.window_start),
        Column("staff.timeline.status", status_text, tone=status_tone),
        Column("staff.timeline.completed", lambda r: r.visit.completed_on.isoformat() if r.visit.completed_on else "",
               sort_key=lambda r: r.visit.completed_on),
        Column("staff.timeline.instruments", lambda r: instrument_codes(r.visit.instruments),
               tip=lambda r: instrument_names(r.visit.instruments)),
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

    def show_visits(self, visits: Sequence[VisitRecord], labels: dict[str, LocalText], today: dt.date) -> None:
        self.labels.clear()
        self.labels.update(labels)
        self.model.set_rows([TimelineRow(visit, state_on(visit, today)) for visit in visits])
