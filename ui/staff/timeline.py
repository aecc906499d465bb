"""A patient's follow-up schedule as a table: each visit with its window, status and questionnaires, and
beside it every follow-up contact made or tried for that visit (when, how, the outcome, by whom), so the
nurse sees at a glance what chasing a visit had before it was answered or lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from sijpro.instruments import LocalText, get_instrument
from sijpro.protocol import Protocol
from sijpro.reminders import ContactAttemptRecord
from sijpro.services.scheduling import TimelineEntry
from sijpro.visit_state import VisitState
from ui.i18n import tr
from ui.staff.live_text import follow_language, local
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import record_table

STATUS_KEYS = {"scheduled": "staff.status.scheduled", "upcoming": "staff.status.upcoming",
               "completed": "staff.status.completed", "missed": "staff.status.missed",
               "cancelled": "staff.status.cancelled", "due": "staff.status.due", "overdue": "staff.status.overdue"}


OUTCOME_KEYS = {
    "sending": "staff.contacts.outcome.sending", "sent": "staff.contacts.outcome.sent",
    "refused": "staff.contacts.outcome.refused", "failed": "staff.contacts.outcome.failed",
    "reached": "staff.contacts.outcome.reached", "no_answer": "staff.contacts.outcome.no_answer",
    "call_back": "staff.contacts.outcome.call_back", "declined": "staff.contacts.outcome.declined",
    "wrong_number": "staff.contacts.outcome.wrong_number",
}
CHANNEL_KEYS = {"email": "staff.followup.channel.email", "post": "staff.followup.channel.post",
                "phone": "staff.followup.channel.phone"}


def attempt_text(attempt: ContactAttemptRecord, timepoint: str = "") -> str:
    """One contact made or tried: '2024-06-03 09:12  Call  m3 call: declined  (nina)'; the timepoint is left
    out where the line already stands beside its visit."""
    outcome = tr(OUTCOME_KEYS[attempt.outcome]) if attempt.outcome in OUTCOME_KEYS else attempt.outcome
    when = f" {attempt.call_back_on.isoformat()}" if attempt.call_back_on and attempt.outcome == "call_back" else ""
    detail = f" ({attempt.detail})" if attempt.detail else ""
    step = f"{timepoint} {attempt.step}" if timepoint else attempt.step
    return (f"{attempt.at:%Y-%m-%d %H:%M}  {tr(CHANNEL_KEYS[attempt.channel])}  "
            f"{step}: {outcome}{when}{detail}  ({attempt.by})")


def state_text(state: VisitState) -> str:
    """A visit's state in the staff's words: 'Overdue 22 d', 'Completed (late +5 d)', 'Missed'..."""
    if state.code == "overdue":
        return tr("staff.worklist.overdue_days", days=state.days_late)
    text = tr(STATUS_KEYS[state.code])
    return f"{text} ({tr('staff.status.late_days', days=state.days_late)})" if state.late else text


def state_tone(state: VisitState) -> str | None:
    if state.code in {"missed", "overdue"} or state.late:
        return "alert"
    return {"completed": "good", "cancelled": "muted", "upcoming": "muted"}.get(state.code)


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


def timeline_columns(labels: dict[str, LocalText],
                     contacts: Mapping[int, Sequence[ContactAttemptRecord]]) -> list[Column[TimelineEntry]]:
    def contact_lines(entry: TimelineEntry) -> str:
        return "\n".join(attempt_text(attempt) for attempt in contacts.get(entry.visit.id, ()))

    return [
        Column("staff.timeline.timepoint", lambda r: local(labels.get(r.visit.timepoint), r.visit.timepoint),
               sort_key=lambda r: r.visit.due_date),
        Column("staff.timeline.due", lambda r: r.visit.due_date.isoformat(), sort_key=lambda r: r.visit.due_date),
        Column("staff.timeline.window", lambda r: window_text(r.visit.window_start, r.visit.window_end),
               sort_key=lambda r: r.visit.window_start),
        Column("staff.timeline.status", lambda r: state_text(r.state), tone=lambda r: state_tone(r.state)),
        Column("staff.timeline.completed", lambda r: r.visit.completed_on.isoformat() if r.visit.completed_on else "",
               sort_key=lambda r: r.visit.completed_on),
        Column("staff.timeline.instruments", lambda r: instrument_codes(r.visit.instruments),
               tip=lambda r: instrument_names(r.visit.instruments)),
        Column("staff.timeline.contacts", contact_lines, sort_key=lambda r: len(contacts.get(r.visit.id, ()))),
    ]


class TimelineView(QWidget):
    """The visits of one patient in protocol order (sortable by any column)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, LocalText] = {}
        self.contacts: dict[int, list[ContactAttemptRecord]] = {}
        self.model = RecordTableModel(timeline_columns(self.labels, self.contacts), self)
        self.table = record_table(self.model, "timeline", self)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        follow_language(self, self.model.retranslate)

    def show_visits(self, visits: Sequence[TimelineEntry], labels: dict[str, LocalText],
                    contacts: Sequence[ContactAttemptRecord] = ()) -> None:
        """``visits``: ``Schedule.course``, each visit with its state today; ``contacts``: the patient's
        contacts made or tried (``Reminders.attempts_of``), each shown beside its visit, oldest first."""
        self.labels.clear()
        self.labels.update(labels)
        self.contacts.clear()
        for attempt in contacts:
            self.contacts.setdefault(attempt.visit_id, []).append(attempt)
        self.model.set_rows(list(visits))
        self.table.resizeRowsToContents()
