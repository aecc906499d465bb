"""The response lines of an import (DESIGN.md "Import files", responses): where each line is, the problems
found on it, and the questionnaires the lines of one (mrn, timepoint, instrument) form.

``ResponseLines`` is the part of the import reader that reads those lines; the reader of patients files
(``sijpro.exchange.import_csv``) is built on it, and the study and complications readers use its
``Where`` and problem list, so every file of one import lists its problems alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sijpro.exchange import import_fields as read
from sijpro.instruments import Instrument, Item
from sijpro.mrn import mrn_key
from sijpro.protocol import Protocol, Timepoint
from sijpro.records import COLLECTION_MODES, FILE_MODE_DEFAULT, ResponseMode

RESPONSE_COLUMNS = ("mrn", "timepoint", "instrument", "item", "value", "completed_on")
RESPONSE_OPTIONAL = ("mode",)
"""How the questionnaire was collected (``COLLECTION_MODES``); absent or empty: ``FILE_MODE_DEFAULT``."""


@dataclass(frozen=True, order=True)
class Where:
    """A line of one of the files, ordered as the files were given."""

    file_index: int
    line: int
    file: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass
class LineProblems:
    """Every problem found, each with the line it is on, listed in the order of the files and lines."""

    found: list[tuple[Where, str]] = field(default_factory=list)

    def add(self, where: Where, message: str, column: str | None = None) -> None:
        located = f"{where}, field {column}: {message}" if column else f"{where}: {message}"
        self.found.append((where, located))

    def add_located(self, where: Where, message: str) -> None:
        """A message that already names its file (and line), as ``csv_files`` writes them."""
        self.found.append((where, message))

    def messages(self) -> list[str]:
        return [message for _, message in sorted(self.found, key=lambda entry: entry[0])]


@dataclass(frozen=True)
class AnswerCells:
    """The timepoint, instrument, item and value of one response line, each None where its cell is wrong
    (the problem already listed)."""

    timepoint: str | None
    instrument: Instrument | None
    item: Item | None
    readable: bool
    value: int | None


@dataclass
class FoundQuestionnaire:
    """One questionnaire's rows so far: the first row read gives its date (later rows must agree)."""

    where: Where
    completed_on: dt.date
    mode: ResponseMode = "import"
    """As a responses line states it; a de-identified file states none: unknown (``import``)."""
    mode_where: Where | None = None
    answers: dict[str, int | None] = field(default_factory=dict)
    answered_where: dict[str, Where] = field(default_factory=dict)



class ResponseLines:
    """Reads the response lines of an import into ``questionnaires``; the reader that holds the import's
    state (patients listed, MRNs known, the protocol) is a subclass, which sets these attributes."""

    problems: LineProblems
    protocol: Protocol
    today: dt.date
    timepoints: dict[str, Timepoint]
    instruments: Mapping[str, Instrument]
    items: dict[str, dict[str, Item]]
    answer_values: dict[tuple[str, str], dict[str, int | None]]
    dates: dict[str, dt.date]
    known_mrns: dict[str, str]
    patient_where: dict[str, tuple[Where, str]]
    broken_mrns: set[str]
    unread_file: bool
    surgery: dict[str, dt.date]
    questionnaires: dict[tuple[str, str, str], FoundQuestionnaire]


    def _response_row(self, where: Where, cells: dict[str, str]) -> None:
        empty = [column for column in RESPONSE_COLUMNS if column != "value" and not cells[column]]
        for column in empty:
            self.problems.add(where, "required, but the cell is empty", column)
        if empty:
            return
        mrn = self.response_mrn(where, cells["mrn"])
        answer = self.answer_cells(where, cells)
        completed_on = self._response_date(where, cells["completed_on"], mrn, answer.timepoint)
        mode = self._response_mode(where, cells.get("mode", ""))
        if mode is not None:
            self.add_answer(where, mrn, answer, completed_on, mode)

    def _response_mode(self, where: Where, text: str) -> ResponseMode | None:
        if not text:
            return FILE_MODE_DEFAULT
        try:
            return read.choice(text, COLLECTION_MODES)
        except ValueError as error:
            self.problems.add(where, str(error), "mode")
            return None

    def answer_cells(self, where: Where, cells: Mapping[str, str]) -> AnswerCells:
        """Read the timepoint, instrument, item and value cells of a response line (any kind)."""
        timepoint = self._response_timepoint(where, cells["timepoint"])
        instrument = self._response_instrument(where, cells["instrument"], timepoint)
        item = self._response_item(where, cells["item"], instrument)
        readable, value = self._response_value(where, cells["value"], instrument, item)
        return AnswerCells(timepoint, instrument, item, readable, value)

    def add_answer(self, where: Where, mrn: str | None, answer: AnswerCells, completed_on: dt.date | None,
                   mode: ResponseMode | None = None) -> None:
        """Add one read answer to its questionnaire (the lines of one mrn, timepoint and instrument)."""
        timepoint, instrument, item, value = answer.timepoint, answer.instrument, answer.item, answer.value
        if mrn is None or timepoint is None or instrument is None or item is None or completed_on is None:
            return
        if not answer.readable:  # the value's problem is already listed
            return
        key = (mrn, timepoint, instrument.id)
        questionnaire = self.questionnaires.setdefault(key, FoundQuestionnaire(where, completed_on))
        if questionnaire.completed_on != completed_on:
            self.problems.add(where, f"{completed_on} differs from {questionnaire.completed_on}, given for the "
                              f"same questionnaire ({mrn}, {timepoint}, {instrument.id}) on "
                              f"{questionnaire.where}", "completed_on")
        if mode is not None:
            if questionnaire.mode_where is None:
                questionnaire.mode, questionnaire.mode_where = mode, where
            elif questionnaire.mode != mode:
                self.problems.add(where, f"{mode} differs from {questionnaire.mode}, given for the same "
                                  f"questionnaire ({mrn}, {timepoint}, {instrument.id}) on "
                                  f"{questionnaire.mode_where}", "mode")
        earlier = questionnaire.answered_where.get(item.code)
        if earlier is not None:
            self.problems.add(where, f"{item.code} is answered twice in questionnaire ({mrn}, {timepoint}, "
                              f"{instrument.id}) (also {earlier})", "item")
            return
        questionnaire.answered_where[item.code] = where
        questionnaire.answers[item.code] = value

    def response_mrn(self, where: Where, text: str) -> str | None:
        """The patient a response line names, as its MRN is registered (or listed in this import)."""
        key = mrn_key(text)
        if key in self.broken_mrns:
            return None
        listed = self.patient_where.get(key)
        mrn = listed[1] if listed is not None else self.known_mrns.get(key)
        if mrn is None and not self.unread_file:
            self.problems.add(where, f"patient {text} is neither in a patients file of this import nor in "
                              "the database", "mrn")
        return mrn

    def _response_timepoint(self, where: Where, text: str) -> str | None:
        if text not in self.timepoints:
            self.problems.add(where, f"{text!r} is not a timepoint of the protocol ({', '.join(self.protocol.codes)})",
                              "timepoint")
            return None
        return text

    def _response_instrument(self, where: Where, text: str, timepoint: str | None) -> Instrument | None:
        instrument = self.instruments.get(text)
        if instrument is None:
            self.problems.add(where, f"{text!r} is not an instrument ({', '.join(sorted(self.instruments))})",
                              "instrument")
            return None
        if timepoint is not None:
            expected = self.timepoints[timepoint].instruments
            if instrument.id not in expected:
                self.problems.add(where, f"{instrument.id} is not collected at {timepoint} "
                                  f"(the protocol has {', '.join(expected)})", "instrument")
                return None
        return instrument

    def _response_item(self, where: Where, text: str, instrument: Instrument | None) -> Item | None:
        if instrument is None:
            return None
        item = self.items[instrument.id].get(text)
        if item is None:
            self.problems.add(where, f"{text!r} is not an item of {instrument.id} "
                              f"({', '.join(instrument.item_codes)})", "item")
        return item

    def _response_value(self, where: Where, text: str, instrument: Instrument | None,
                        item: Item | None) -> tuple[bool, int | None]:
        """(readable, value): an empty cell is a readable, unanswered item."""
        if item is None or instrument is None:
            return False, None
        usual = self.answer_values[instrument.id, item.code]
        if text in usual:
            return True, usual[text]
        try:
            return True, item.parse(text)
        except ValueError as error:
            self.problems.add(where, str(error), "value")
            return False, None

    def _response_date(self, where: Where, text: str, mrn: str | None, timepoint: str | None) -> dt.date | None:
        day = self.dates.get(text)
        if day is None:
            try:
                day = self.dates[text] = read.iso_date(text)
            except ValueError as error:
                self.problems.add(where, str(error), "completed_on")
                return None
        if day > self.today:
            self.problems.add(where, f"{day} is in the future", "completed_on")
            return None
        surgery = self.surgery.get(mrn) if mrn else None
        follow_up = timepoint is not None and not self.timepoints[timepoint].is_baseline
        if surgery is not None and follow_up and day < surgery:
            self.problems.add(where, f"{day} is before the surgery ({surgery}), but {timepoint} is a follow-up",
                              "completed_on")
            return None
        return day
