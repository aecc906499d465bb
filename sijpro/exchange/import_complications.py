"""Complications files: complications and reoperations after surgery, one per line (``export csv`` writes them).

Identified: ``mrn, occurred_on, kind, side, revision, notes`` (``side`` and ``notes`` may be empty; a kind
``other`` needs its notes). De-identified: ``study_id, site, days_from_surgery, kind, side, revision``, read
into a study database (``sijpro.exchange.import_study``); notes are free text, so they never leave a centre.

Each line is checked here (its patient listed in this import or already registered, an ISO date not in the
future and not before the patient's index surgery when this import gives it, a known kind, a side, revision
0 or 1, the same complication not twice) with the file, line and field; the loader checks the rest against
the database (a patient's surgery recorded earlier, a complication already recorded) naming the line too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from sijpro.exchange import import_fields as read
from sijpro.mrn import mrn_key
from sijpro.records import COMPLICATION_KINDS, MAX_NOTES, SIDES, ComplicationDraft

if TYPE_CHECKING:
    from sijpro.exchange.import_csv import Where, _ImportReader

COMPLICATION_COLUMNS = ("mrn", "occurred_on", "kind", "side", "revision", "notes")
STUDY_COMPLICATION_COLUMNS = ("study_id", "site", "days_from_surgery", "kind", "side", "revision")
COMPLICATION_KINDS_COLUMNS: dict[str, tuple[set[str], set[str]]] = {
    "complications": ({"mrn", "occurred_on", "kind", "revision"}, set(COMPLICATION_COLUMNS)),
    "study_complications": ({"study_id", "site", "days_from_surgery", "kind", "revision"},
                            set(STUDY_COMPLICATION_COLUMNS)),
}
"""Kind -> (required columns, allowed columns)."""
UNEXPORTED_NOTE = "described in the centre's record (notes are not exported de-identified)"
"""The notes a pooled complication of kind 'other' is given: its description stayed at the centre."""
Value = TypeVar("Value")


@dataclass(frozen=True)
class ReadComplication:
    mrn: str
    draft: ComplicationDraft
    where: Where


@dataclass
class ComplicationReader:
    reader: _ImportReader
    found: list[ReadComplication] = field(default_factory=list)
    seen: dict[tuple[str, dt.date, str, str | None], Where] = field(default_factory=dict)

    def row(self, where: Where, cells: dict[str, str]) -> None:
        """A line of an identified complications file."""
        complete = self._complete(where, cells, "complications")
        mrn = self.reader.response_mrn(where, cells["mrn"]) if cells["mrn"] else None
        day = self._date(where, cells["occurred_on"], mrn) if cells["occurred_on"] else None
        self._add(where, mrn if complete else None, day, cells, cells.get("notes", ""))

    def study_row(self, where: Where, cells: dict[str, str]) -> None:
        """A line of a de-identified complications file: its day is counted from the index surgery."""
        from sijpro.exchange.import_csv import study_mrn
        from sijpro.exchange.import_study import EPOCH, LONGEST_FOLLOW_UP

        study = self.reader.study
        if not study.takes(cells["site"]) or not self._complete(where, cells, "study_complications"):
            return
        mrn = study.pooled_patient(where, study_mrn(cells["site"], cells["study_id"]))
        try:
            days = read.whole_number(cells["days_from_surgery"], 0, LONGEST_FOLLOW_UP)
        except ValueError as error:
            self.reader.problems.add(where, f"{error} (a complication comes after the surgery)", "days_from_surgery")
            days = None
        day = None if days is None else EPOCH + dt.timedelta(days=days)
        notes = UNEXPORTED_NOTE if cells["kind"].strip().lower() == "other" else ""
        self._add(where, mrn, day, cells, notes)

    def _complete(self, where: Where, cells: dict[str, str], kind: str) -> bool:
        """Whether every required cell is filled in; each empty one is named."""
        empty = [column for column in sorted(COMPLICATION_KINDS_COLUMNS[kind][0]) if not cells.get(column)]
        for column in empty:
            self.reader.problems.add(where, "required, but the cell is empty", column)
        return not empty

    def _date(self, where: Where, text: str, mrn: str | None) -> dt.date | None:
        try:
            day = read.iso_date(text)
        except ValueError as error:
            self.reader.problems.add(where, str(error), "occurred_on")
            return None
        if day > self.reader.today:
            self.reader.problems.add(where, f"{day} is in the future", "occurred_on")
            return None
        surgery = self.reader.surgery.get(mrn) if mrn else None
        if surgery is not None and day < surgery:
            self.reader.problems.add(where, f"{day} is before the index surgery ({surgery})", "occurred_on")
            return None
        return day

    def _add(self, where: Where, mrn: str | None, day: dt.date | None, cells: dict[str, str], notes: str) -> None:
        texts = {**cells, "notes": notes}
        unread: list[str] = []

        def cell(column: str, parse: Callable[[str], Value]) -> Value | None:
            """The column's value, None when empty; a value that cannot be read is listed (named)."""
            text = texts.get(column, "")
            if not text:
                return None
            try:
                return parse(text)
            except ValueError as error:
                self.reader.problems.add(where, str(error), column)
                unread.append(column)
                return None

        kind = cell("kind", lambda text: read.choice(text, COMPLICATION_KINDS))
        side = cell("side", lambda text: read.choice(text, SIDES))
        revision = cell("revision", read.flag)
        described = cell("notes", lambda text: read.free_text(text, MAX_NOTES))
        if kind == "other" and not described:
            self.reader.problems.add(where, "say what the complication was when its kind is 'other'", "notes")
            unread.append("notes")
        if unread or mrn is None or day is None or kind is None:
            return
        key = (mrn_key(mrn), day, kind, side)
        earlier = self.seen.setdefault(key, where)
        if earlier is not where:
            self.reader.problems.add(where, f"the same complication of {mrn} appears twice (also {earlier})", "kind")
            return
        draft = ComplicationDraft(occurred_on=day, kind=kind, side=side, revision=bool(revision),
                                  notes=described or "")
        self.found.append(ReadComplication(mrn, draft, where))
