"""De-identified exports pooled in a study database: several centres, each patient known by site and study ID.

Each centre runs ``sijpro export csv --deidentify``: its ``patients.csv`` has a study ID (a pseudonym valid
within that export), the site code, the age at the index surgery, the baseline covariates and the state of
every visit on the day of the export; its ``responses.csv`` has the study ID and site on every line and
days from the index surgery instead of dates. A study coordinator imports every centre's files into a
database of their own (``init``, then ``import``), where a patient is ``SITE/STUDY_ID``.

What the files leave out stays out: no calendar date reaches the study database. Each patient gets nominal
dates instead, anchored on the study's data lock (the day of its first import, for every centre alike): the
export day of every centre becomes the data lock, the index surgery lies as many days before it as the
visit states need (the earliest day on which the visit-state function gives every visit the state the
centre exported), the birth date gives the exported age at that surgery, and each questionnaire lies its
exported days after it. So ages, days of follow-up and completeness are the centre's own.

Refused, with the file, line and field: a centre already in the study database (a centre's export is
imported once: a second export would give its patients new study IDs), one centre in two patients files, a
(site, study ID) listed twice, responses of a patient no patients file of the import lists, visit states
that contradict the responses (a visit said answered without a questionnaire, or the reverse) or the
protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from sijpro.analysis.completeness import COLUMN
from sijpro.exchange import import_fields as read
from sijpro.exchange.variables import VISIT_COLUMNS
from sijpro.mrn import mrn_key
from sijpro.protocol import Protocol
from sijpro.records import ImportBatch, PatientDraft, ProcedureDraft
from sijpro.visit_state import OVERDUE_DAYS, course_states

if TYPE_CHECKING:
    from sijpro.exchange.import_csv import Where, _ImportReader

STUDY_PATIENT_COLUMNS = (
    "study_id", "site", "age_at_surgery", "sex", "language", "bmi", "fbss", "prior_lumbar_surgeries",
    "prior_lumbosacral_fusion", "prior_interventions", "side", "approach", "visits",
)
STUDY_RESPONSE_COLUMNS = ("study_id", "site", "timepoint", "instrument", "item", "value", "days_from_surgery")
STUDY_COLUMNS: dict[str, tuple[set[str], set[str]]] = {
    "study_patients": ({"study_id", "site", "visits"}, set(STUDY_PATIENT_COLUMNS)),
    "study_responses": (set(STUDY_RESPONSE_COLUMNS) - {"value"}, set(STUDY_RESPONSE_COLUMNS)),
}
"""Kind -> (required columns, allowed columns) of the de-identified export's two import files."""
SITELESS = ("required, but the cell is empty: a study database knows a patient by centre and study ID; give "
            "the patients their centre's site code at the centre (the patient's record, or an import's site "
            "column) and export again")
EPOCH = dt.date(2000, 1, 1)
"""Days from surgery are held as dates from this day until each patient's nominal surgery is known."""
OLDEST_AGE = 110
LONGEST_FOLLOW_UP = 40 * 366


@dataclass
class _Pooled:
    where: Where
    mrn: str
    values: dict[str, Any]
    """Each column's value as its reader gave it: checked by the drafts' rules when the patient is made."""
    states: dict[str, str]


@dataclass(frozen=True)
class _Anchor:
    surgery: dt.date
    states: dict[str, str]


@dataclass
class StudyReader:
    """The de-identified rows of one import, read into the ``_ImportReader``'s batch."""

    reader: _ImportReader
    known_sites: Set[str]
    lock: dt.date
    patients: dict[str, _Pooled] = field(default_factory=dict)
    """MRN (``SITE/STUDY_ID``) -> the patient line as read."""
    site_files: dict[str, tuple[int, Where]] = field(default_factory=dict)
    """Site code (lower case) -> the file that brings it (its index, and its first line with the site)."""
    refused_sites: set[tuple[int, str]] = field(default_factory=set)
    """(file, site) pairs already refused, so a file's centre is refused once, not on every line."""
    refused: set[str] = field(default_factory=set)
    """Sites (lower case) refused: their responses and visit states are not checked line by line, since
    they cannot be told apart from another export's (the one problem of the centre is listed)."""
    anchors: dict[str, _Anchor] = field(default_factory=dict)
    siteless: bool = False
    """A patients line had no site: the responses and complications without one are not each refused too."""

    def __post_init__(self) -> None:
        self.known = {site.lower(): site for site in self.known_sites}

    # --- patients ------------------------------------------------------------------------------------

    def patient_row(self, where: Where, cells: dict[str, str]) -> None:
        from sijpro.exchange.import_csv import PATIENT_READERS, study_mrn

        readers = {**PATIENT_READERS, "study_id": read.mrn, "visits": self._visit_states,
                   "age_at_surgery": lambda text: read.whole_number(text, 0, OLDEST_AGE)}
        values: dict[str, Any] = {}
        valid = True
        for column, text in cells.items():
            if not text:
                if column == "site":
                    self.siteless = True
                    self.reader.problems.add(where, SITELESS, column)
                    valid = False
                elif column in STUDY_COLUMNS["study_patients"][0]:
                    self.reader.problems.add(where, "required, but the cell is empty", column)
                    valid = False
                continue
            try:
                values[column] = readers[column](text)
            except ValueError as error:
                self.reader.problems.add(where, str(error), column)
                valid = False
        site, study_id = values.get("site"), values.get("study_id")
        if not isinstance(site, str) or not isinstance(study_id, str):
            return
        mrn = study_mrn(site, study_id)
        if site.lower() in self.known:
            self._refuse_known(where, site)
            return
        valid = self._site_once(where, site) and valid
        valid = self.reader.register_mrn(where, mrn, "study_id") and valid
        if valid:
            states = values.pop("visits")
            self.patients[mrn] = _Pooled(where, mrn, values, states)

    def _site_once(self, where: Where, site: str) -> bool:
        """A centre comes from one export: not already pooled, not in two files of this import."""
        key = site.lower()
        first = self.site_files.setdefault(key, (where.file_index, where))
        if first[0] != where.file_index:
            self.refused.add(key)
            if (where.file_index, key) not in self.refused_sites:
                self.refused_sites.add((where.file_index, key))
                self.reader.problems.add(where, f"centre {site} is also in {first[1]}: two exports of one "
                                         "centre (import the latest one only)", "site")
            return False
        return True

    def _refuse_known(self, where: Where, site: str) -> None:
        key = site.lower()
        self.refused.add(key)
        if (where.file_index, key) not in self.refused_sites:
            self.refused_sites.add((where.file_index, key))
            self.reader.problems.add(where, f"centre {site} is already in this study database (as "
                                     f"{self.known[key]}): a centre's export is imported once; its study "
                                     "IDs change from one export to the next", "site")

    def _visit_states(self, text: str) -> dict[str, str]:
        """``baseline=answered;w6=missed;...``: every timepoint of the protocol once, with a known state."""
        protocol = self.reader.protocol
        states: dict[str, str] = {}
        for part in text.split(";"):
            timepoint, equals, state = (piece.strip() for piece in part.partition("="))
            if not equals or timepoint not in protocol.codes or state not in VISIT_COLUMNS:
                raise ValueError(f"{part.strip()!r} is not timepoint=state (timepoints {', '.join(protocol.codes)}; "
                                 f"states {', '.join(VISIT_COLUMNS)})")
            if timepoint in states:
                raise ValueError(f"{timepoint} is given twice")
            states[timepoint] = state
        missing = [code for code in protocol.codes if code not in states]
        if missing:
            raise ValueError(f"no state for {', '.join(missing)} (every timepoint of the protocol is needed)")
        return states

    # --- responses -----------------------------------------------------------------------------------

    def response_row(self, where: Where, cells: dict[str, str]) -> None:
        from sijpro.exchange.import_csv import study_mrn

        if not self.takes(cells["site"]):
            return
        empty = [column for column in STUDY_COLUMNS["study_responses"][0] if not cells[column]]
        for column in empty:
            self.reader.problems.add(where, "required, but the cell is empty", column)
        if empty or not self.takes(cells["site"]):
            return
        mrn = self.pooled_patient(where, study_mrn(cells["site"], cells["study_id"]))
        answer = self.reader.answer_cells(where, cells)
        day = self._day(where, cells["days_from_surgery"], answer.timepoint)
        self.reader.add_answer(where, mrn, answer, None if day is None else EPOCH + dt.timedelta(days=day))

    def takes(self, site: str) -> bool:
        """Whether lines of ``site`` are read: not those of a centre refused, nor lines without a site once
        a patients line without one was (the one problem of each is listed)."""
        if not site.strip():
            return not self.siteless
        return site.lower() not in self.refused and site.lower() not in self.known

    def pooled_patient(self, where: Where, mrn: str) -> str | None:
        """The patient (``SITE/STUDY_ID``) a responses or complications line names, if a patients file of
        this import lists them."""
        key = mrn_key(mrn)
        if key in self.reader.broken_mrns:
            return None
        listed = self.reader.patient_where.get(key)
        if listed is None or listed[1] not in self.patients:
            if listed is None and not self.reader.unread_file:
                self.reader.problems.add(where, f"patient {mrn} is in no de-identified patients file of this "
                                         "import (a centre's patients and responses are imported together)",
                                         "study_id")
            return None
        return listed[1]

    def _day(self, where: Where, text: str, timepoint: str | None) -> int | None:
        try:
            day = read.whole_number(text, -LONGEST_FOLLOW_UP, LONGEST_FOLLOW_UP)
        except ValueError as error:
            self.reader.problems.add(where, str(error), "days_from_surgery")
            return None
        if timepoint is not None and not self.reader.timepoints[timepoint].is_baseline and day < 0:
            self.reader.problems.add(where, f"{day} is before the surgery, but {timepoint} is a follow-up",
                                     "days_from_surgery")
            return None
        return day

    # --- anchoring -----------------------------------------------------------------------------------

    def finish(self) -> bool:
        """Check each patient's visit states against their responses and anchor their nominal dates;
        returns whether any de-identified patient was read."""
        answered: dict[str, dict[str, int]] = {}
        for (mrn, timepoint, _), found in self.reader.questionnaires.items():
            if mrn in self.patients and found.completed_on is not None:
                days = answered.setdefault(mrn, {})
                days[timepoint] = max(days.get(timepoint, -LONGEST_FOLLOW_UP), (found.completed_on - EPOCH).days)
        for mrn, pooled in self.patients.items():
            if str(pooled.values["site"]).lower() not in self.refused:
                self._anchor(pooled, answered.get(mrn, {}))
        return bool(self.patients)

    def _anchor(self, pooled: _Pooled, answered: Mapping[str, int]) -> None:
        problems = []
        for timepoint, state in pooled.states.items():
            if state == "answered" and timepoint not in answered:
                problems.append(f"{timepoint} is answered, but the responses have no questionnaire of it")
            elif state in ("not_yet_due", "cancelled") and timepoint in answered:
                problems.append(f"{timepoint} is {state.replace('_', ' ')}, but the responses have a "
                                "questionnaire of it")
        last = max(answered.values(), default=None)
        days = None if problems else days_followed(self.reader.protocol, pooled.states, last, self.lock)
        if days is None and not problems:
            problems.append("these states cannot all hold on one day of the protocol's schedule")
        for problem in problems:
            self.reader.problems.add(pooled.where, problem, "visits")
        if problems or days is None:
            return
        values = pooled.values
        surgery = self.lock - dt.timedelta(days=days)
        age = values.pop("age_at_surgery", None)
        birth = surgery - relativedelta(years=age) if isinstance(age, int) else None
        procedure = ProcedureDraft(surgery, side=values.pop("side", None), approach=values.pop("approach", None))
        values.pop("study_id")
        self.reader.patients.append((PatientDraft(mrn=pooled.mrn, family_name="", given_name="", birth_date=birth,
                                                  **values), procedure))
        self.reader.language[pooled.mrn] = str(values.get("language", "en"))
        self.anchors[pooled.mrn] = _Anchor(surgery, pooled.states)

    def batch(self, read: ImportBatch) -> ImportBatch:
        """The reader's batch with each questionnaire moved onto its patient's nominal calendar."""
        questionnaires = tuple(
            replace(draft, completed_on=self.anchors[draft.mrn].surgery + (draft.completed_on - EPOCH))
            for draft in read.questionnaires
        )
        states = {(mrn, timepoint): state for mrn, anchor in self.anchors.items()
                  for timepoint, state in anchor.states.items()}
        cancelled = tuple(key for key, state in states.items() if state == "cancelled")
        complications = tuple(
            (mrn, replace(draft, occurred_on=self.anchors[mrn].surgery + (draft.occurred_on - EPOCH)), where)
            for mrn, draft, where in read.complications
        )
        return replace(read, questionnaires=questionnaires, visit_states=states, cancelled_visits=cancelled,
                       complications=complications, study=True, as_of=self.lock)


@dataclass(frozen=True)
class _Visit:
    """A visit planned on a nominal surgery day, with the status its exported state stores."""

    timepoint: str
    status: str
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    completed_on: dt.date | None = None


STORED = {"answered": "completed", "cancelled": "cancelled"}
"""Exported states a study database stores as the visit's status; missed, pending and not yet due are left
to the visit-state function, on the nominal dates."""


def days_followed(protocol: Protocol, states: Mapping[str, str], last_answered: int | None,
                  lock: dt.date) -> int | None:
    """The fewest days from the index surgery to the data lock (not before the last questionnaire) on which
    the visit-state function gives every open visit its exported state; None when no day does."""
    reference = lock - dt.timedelta(days=400)
    candidates = {0}
    for timepoint in protocol.timepoints:
        start, end = timepoint.window(reference)
        for edge in ((start - reference).days, (end - reference).days + OVERDUE_DAYS):
            candidates.update(edge + shift for shift in range(-4, 5))
    floor = last_answered if last_answered is not None else None
    if states.get(protocol.codes[0]) not in ("pending", "not_yet_due"):
        floor = max(floor or 0, 0)  # the baseline is over: the surgery has happened
    if floor is not None:
        candidates = {max(day, floor) for day in candidates}
    for days in sorted(candidates):
        if _states_hold(protocol, states, lock - dt.timedelta(days=days), lock):
            return days
    return None


def _states_hold(protocol: Protocol, states: Mapping[str, str], surgery: dt.date, lock: dt.date) -> bool:
    visits = []
    for timepoint in protocol.timepoints:
        start, end = timepoint.window(surgery)
        status = STORED.get(states[timepoint.code], "scheduled")
        visits.append(_Visit(timepoint.code, status, timepoint.due_date(surgery), start, end, lock))
    return all(COLUMN[state.code] == states[visit.timepoint] or states[visit.timepoint] == "cancelled"
               for visit, state in zip(visits, course_states(visits, lock), strict=True))
