"""The nurse's worklist as a table model: one row per visit that needs attention, from one service call.

Rows come from ``Schedule.worklist`` (one query whatever the size of the clinic); sections (overdue,
due, upcoming, missed) and the search box filter the rows in memory, and sorting happens in the model,
so a 10,000-patient clinic filters as fast as a small one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sijpro.folding import fold, search_key
from sijpro.instruments import LocalText
from sijpro.services.scheduling import Worklist, WorklistEntry
from ui.i18n import tr
from ui.staff.live_text import local
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.timeline import instrument_codes, instrument_names, state_text, window_text

SECTIONS = ("overdue", "due", "upcoming", "missed")
"""In order of urgency, which is also the order of the rows before the nurse sorts them."""
URGENCY = {section: rank for rank, section in enumerate(SECTIONS)}
SECTION_KEYS = {"overdue": "staff.worklist.overdue", "due": "staff.worklist.due",
                "upcoming": "staff.worklist.upcoming", "missed": "staff.worklist.missed"}


@dataclass(frozen=True)
class WorkItem:
    section: str
    entry: WorklistEntry
    search_key: str

    @property
    def patient_id(self) -> int:
        return self.entry.patient.id

    @property
    def can_collect(self) -> bool:
        """Questionnaires can be answered now (on the tablet or typed from paper)."""
        return self.section in {"due", "overdue"} and bool(self.entry.pending)


def work_items(worklist: Worklist) -> list[WorkItem]:
    items = []
    for section in SECTIONS:
        for entry in getattr(worklist, section):
            patient = entry.patient
            items.append(WorkItem(section, entry, search_key(patient.mrn, patient.family_name, patient.given_name)))
    return items


def status_text(item: WorkItem) -> str:
    text = state_text(item.entry.state)
    if item.entry.in_progress:
        text += f" · {tr('staff.worklist.started')}"
    return text


def worklist_columns(labels: dict[str, LocalText]) -> list[Column[WorkItem]]:
    return [
        Column("staff.worklist.col.status", status_text,
               sort_key=lambda i: (URGENCY[i.section], -i.entry.days_late, i.entry.visit.window_end),
               tone=lambda i: "alert" if i.section in {"overdue", "missed"} else
               "muted" if i.section == "upcoming" else None),
        Column("staff.worklist.col.patient", lambda i: i.entry.patient.display_name),
        Column("staff.worklist.col.mrn", lambda i: i.entry.patient.mrn),
        Column("staff.worklist.col.birth_date",
               lambda i: i.entry.patient.birth_date.isoformat() if i.entry.patient.birth_date else "",
               sort_key=lambda i: i.entry.patient.birth_date),
        Column("staff.worklist.col.visit",
               lambda i: local(labels.get(i.entry.visit.timepoint), i.entry.visit.timepoint),
               sort_key=lambda i: i.entry.visit.due_date),
        Column("staff.worklist.col.due", lambda i: i.entry.visit.due_date.isoformat(),
               sort_key=lambda i: i.entry.visit.due_date),
        Column("staff.worklist.col.window", lambda i: window_text(i.entry.visit.window_start, i.entry.visit.window_end),
               sort_key=lambda i: i.entry.visit.window_end),
        Column("staff.worklist.col.to_do", lambda i: instrument_codes(i.entry.pending) or "—",
               tip=lambda i: instrument_names(i.entry.pending)),
    ]


class WorklistModel(RecordTableModel[WorkItem]):
    def __init__(self, parent: object = None) -> None:
        self.labels: dict[str, LocalText] = {}
        super().__init__(worklist_columns(self.labels), parent)
        self.counts = dict.fromkeys(SECTIONS, 0)
        self.sections: frozenset[str] = frozenset({"overdue", "due"})
        self.today_only = False
        """Only the visits whose due date is the worklist's day (a window may be weeks wide)."""
        self.day: object = None
        self.tokens: tuple[str, ...] = ()
        self._refilter()

    def load(self, worklist: Worklist, labels: dict[str, LocalText]) -> None:
        self.labels.clear()
        self.labels.update(labels)
        self.counts = worklist.counts
        self.day = worklist.day
        self.set_rows(work_items(worklist))

    def show_today_only(self, only: bool) -> None:
        self.today_only = only
        self._refilter()

    def due_today(self) -> int:
        """Visits of the worklist due on its very day, whatever the section."""
        return sum(1 for item in self._all if item.entry.visit.due_date == self.day)

    def show_sections(self, sections: Iterable[str]) -> None:
        self.sections = frozenset(sections)
        self._refilter()

    def search(self, text: str) -> None:
        """Rows whose patient matches every word typed (name or MRN, accents and case ignored)."""
        self.tokens = tuple(fold(text).split())
        self._refilter()

    def _refilter(self) -> None:
        sections, tokens, day = self.sections, self.tokens, self.day if self.today_only else None
        self.set_filter(lambda item: item.section in sections and all(t in item.search_key for t in tokens)
                        and (day is None or item.entry.visit.due_date == day))
