"""Read the import files of DESIGN.md ("Import files") into one ``ImportBatch``.

A clinic imports what it kept elsewhere (a spreadsheet of patients, questionnaires typed from paper) in
one go. The files are all checked before anything is loaded, and every problem in every file is listed
with its file, line and field, so the nurse fixes the files once instead of once per error. The kind of
each file is told by its header, so files can be given in any order and responses may refer to patients
in another file of the same import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sijpro.contact import ContactDraft, contact_problems
from sijpro.errors import InputErrors, UserError
from sijpro.exchange import import_fields as read
from sijpro.exchange.csv_files import CsvRow, CsvTable, header_problems, read_csv
from sijpro.exchange.import_complications import (
    COMPLICATION_COLUMNS,
    COMPLICATION_KINDS_COLUMNS,
    STUDY_COMPLICATION_COLUMNS,
)
from sijpro.exchange.import_responses import (
    RESPONSE_COLUMNS,
    RESPONSE_OPTIONAL,
    FoundQuestionnaire,
    LineProblems,
    ResponseLines,
    Where,
)
from sijpro.instruments import Instrument, bundled_instruments
from sijpro.mrn import mrn_key
from sijpro.protocol import Protocol, default_protocol
from sijpro.records import (
    NO_INTERVENTION,
    PRIOR_INTERVENTIONS,
    ImportBatch,
    PatientDraft,
    ProcedureDraft,
    QuestionnaireDraft,
)

if TYPE_CHECKING:
    from sijpro.exchange.import_complications import ComplicationReader
    from sijpro.exchange.import_study import StudyReader

FileKind = Literal["patients", "responses", "complications", "study_patients", "study_responses",
                   "study_complications"]

PATIENT_COLUMNS = (
    "mrn", "family_name", "given_name", "birth_date", "sex", "language", "bmi", "fbss",
    "prior_lumbar_surgeries", "prior_lumbosacral_fusion", "prior_interventions", "surgery_date", "side",
    "approach",
)
PATIENT_OPTIONAL = ("site", "phone", "email", "address", "contact_channel", "consent", "cancelled_visits")
"""Columns a patients file may have (DESIGN.md "Import files"); any other extra column is an error.
``consent`` (1/0/empty) and ``cancelled_visits`` (';'-separated timepoints the clinic cancelled) are what
``export csv`` writes besides, so that an identified export imports back whole."""
PATIENT_REQUIRED = frozenset({"mrn", "surgery_date"})
CONTACT_COLUMNS = {"phone": "phone", "email": "email", "address": "address", "contact_channel": "channel"}
"""Column of a patients file -> field of ``ContactDraft``. A file states no consent: a channel other than
``none`` is the patient's agreement to be contacted that way, ``none`` their refusal, no channel: not asked;
a ``consent`` cell (1 yes, 0 no), where there is one, states it instead."""
LANGUAGES = ("en", "fr")
NAME_LENGTH = 100
OLDEST_AGE = 110
PLANNED_SURGERY_DAYS = 366
"""A surgery date may lie ahead (a patient registered for baseline questionnaires), but not by years."""

PATIENT_READERS: dict[str, Callable[[str], object]] = {
    "mrn": read.mrn,
    "family_name": lambda text: read.free_text(text, NAME_LENGTH),
    "given_name": lambda text: read.free_text(text, NAME_LENGTH),
    "birth_date": read.iso_date,
    "sex": lambda text: read.choice(text, ("F", "M", "X"), upper=True),
    "language": lambda text: read.choice(text, LANGUAGES),
    "bmi": lambda text: read.decimal_number(text, 10, 80),
    "fbss": read.flag,
    "prior_lumbar_surgeries": lambda text: read.whole_number(text, 0, 20),
    "prior_lumbosacral_fusion": read.flag,
    "prior_interventions": lambda text: read.code_list(text, PRIOR_INTERVENTIONS, none=NO_INTERVENTION),
    "surgery_date": read.iso_date,
    "side": lambda text: read.choice(text, ("left", "right", "bilateral")),
    "approach": lambda text: read.choice(text, ("lateral", "posterior")),
    "site": read.site,
}
PROCEDURE_FIELDS = frozenset({"surgery_date", "side", "approach"})


def parse_import_files(
    paths: Iterable[Path],
    *,
    known_mrns: Set[str] = frozenset(),
    protocol: Protocol | None = None,
    today: dt.date | None = None,
    country: str = "",
    known_sites: Set[str] = frozenset(),
    as_of: dt.date | None = None,
) -> ImportBatch:
    """Check every line of every file and return the batch, or raise InputErrors listing all problems.

    ``known_mrns`` are the patients already in the database: responses may refer to them, a patients
    file may not register them again. ``country`` is the clinic's, for phone numbers written nationally.
    De-identified files (``sijpro.exchange.import_study``) go into a study database: ``known_sites`` are
    the centres already pooled there, ``as_of`` its data lock (the day every centre's export is anchored
    to; default ``today``).
    """
    from sijpro.exchange.import_complications import ComplicationReader
    from sijpro.exchange.import_study import StudyReader

    reader = _ImportReader(known_mrns, protocol or default_protocol(), today or dt.date.today(), country)
    reader.study = StudyReader(reader, known_sites, as_of or reader.today)
    reader.complications = ComplicationReader(reader)
    tables: list[tuple[int, CsvTable, FileKind]] = []
    paths = [Path(path) for path in paths]
    names = [path.name for path in paths]
    for index, path in enumerate(paths):
        # Several centres' exports all hold a patients.csv: name those by the path they were given as.
        name = str(path) if names.count(path.name) > 1 else path.name
        where = Where(index, 1, name)
        try:
            table = read_csv(path)
        except UserError as error:
            reader.problems.add_located(replace(where, line=0), str(error))
            reader.unread_file = True
            continue
        table = replace(table, name=name, header=[column.lower() for column in table.header])
        if reading_file(table):
            reader.problems.add(where, "an export's file for reading (the data dictionary, or the analysis file "
                                "with a row per patient and timepoint), not for importing: give its "
                                "patients.csv, responses.csv and complications.csv")
            continue
        kind = file_kind(table)
        if kind is None:
            reader.unread_file = True
            reader.problems.add(where, "cannot tell the kind of file from its header: a patients file has "
                                f"the columns {', '.join(PATIENT_COLUMNS)}; a responses file has "
                                f"{', '.join(RESPONSE_COLUMNS)}; a complications file has "
                                f"{', '.join(COMPLICATION_COLUMNS)}; a de-identified export's files start with "
                                "study_id")
            continue
        tables.append((index, table, kind))
    families = {kind.startswith("study_") for _, _, kind in tables}
    if len(families) > 1:
        for index, table, kind in tables:
            if kind.startswith("study_"):
                reader.problems.add(Where(index, 1, table.name), "a de-identified file (study_id) cannot be "
                                    "imported together with identified files (mrn): de-identified exports are "
                                    "pooled in a study database of their own")
        tables = [entry for entry in tables if not entry[2].startswith("study_")]
    # Patients first, so that a responses file may come before the patients file it refers to.
    for index, table, kind in sorted(tables, key=lambda entry: not entry[2].endswith("patients")):
        reader.read_table(index, table, kind)
    study = reader.study.finish() if any(kind.startswith("study_") for _, _, kind in tables) else None
    problems = reader.problems.messages()
    if problems:
        raise InputErrors(problems)
    return reader.batch() if study is None else reader.study.batch(reader.batch())


def mrns_in_files(paths: Iterable[Path]) -> set[str]:
    """Every MRN the files mention, read leniently: the caller asks the database which are already
    registered before ``parse_import_files`` checks (and reports) everything properly."""
    found: set[str] = set()
    for path in paths:
        try:
            table = read_csv(Path(path))
            header = [column.lower() for column in table.header]
            if "mrn" in header:
                position = header.index("mrn")
                found.update(row.fields[position].strip() for row in table.rows() if position < len(row.fields))
            elif {"study_id", "site"} <= set(header):
                ids, sites = header.index("study_id"), header.index("site")
                found.update(study_mrn(row.fields[sites].strip(), row.fields[ids].strip())
                             for row in table.rows() if max(ids, sites) < len(row.fields))
        except UserError:
            continue
    found.discard("")
    return found


def study_mrn(site: str, study_id: str) -> str:
    """How a study database registers a pooled patient: the centre's code and its study ID (``C01/S0001``),
    unique as an MRN is, case and spaces ignored."""
    return f"{site}/{study_id}"


def reading_file(table: CsvTable) -> bool:
    """``export csv``'s data dictionary or wide analysis file (``sijpro.exchange.export_csv``): what someone
    importing ``lyon/*.csv`` gives too. The wide file alone has a patient's columns and a timepoint."""
    header = set(table.header)
    return {"file", "column", "type", "label"} <= header or {"timepoint", "sex", "bmi"} <= header


def file_kind(table: CsvTable) -> FileKind | None:
    """The kind whose own columns (besides the shared key: ``mrn``, or ``study_id`` and ``site`` in a
    de-identified export) the header has most of; None on a tie."""
    from sijpro.exchange.import_study import STUDY_PATIENT_COLUMNS, STUDY_RESPONSE_COLUMNS

    header = set(table.header)
    study = "study_id" in header and "mrn" not in header
    shared = {"study_id", "site"} if study else {"mrn"}
    kinds: tuple[tuple[tuple[str, ...], FileKind], ...] = (
        (STUDY_PATIENT_COLUMNS, "study_patients"), (STUDY_RESPONSE_COLUMNS, "study_responses"),
        (STUDY_COMPLICATION_COLUMNS, "study_complications"),
    ) if study else (
        ((*PATIENT_COLUMNS, *PATIENT_OPTIONAL), "patients"), ((*RESPONSE_COLUMNS, *RESPONSE_OPTIONAL), "responses"),
        (COMPLICATION_COLUMNS, "complications"),
    )
    votes = sorted(((len(header & set(columns) - shared), kind) for columns, kind in kinds), reverse=True)
    if votes[0][0] == votes[1][0]:
        return None
    return votes[0][1]


class _ImportReader(ResponseLines):
    def __init__(self, known_mrns: Set[str], protocol: Protocol, today: dt.date, country: str = "") -> None:
        self.country = country
        self.contacts: list[tuple[str, ContactDraft]] = []
        self.cancelled: list[tuple[str, str]] = []
        """(MRN, timepoint) of the visits a patients line says the clinic cancelled."""
        self.known_mrns = {mrn_key(mrn): mrn for mrn in known_mrns}
        """MRN key (``sijpro.mrn.mrn_key``) -> the MRN as registered: files may write it in another case."""
        self.protocol = protocol
        self.today = today
        self.instruments: Mapping[str, Instrument] = bundled_instruments()
        self.timepoints = {timepoint.code: timepoint for timepoint in protocol.timepoints}
        self.items = {
            instrument.id: {item.code: item for item in instrument.items} for instrument in self.instruments.values()
        }
        self.answer_values = {
            (instrument.id, item.code): {str(value): value for value in item.accepted_values()} | {"": None}
            for instrument in self.instruments.values() for item in instrument.items
        }
        """The usual answers written the usual way, read with a look-up; anything else goes through
        ``Item.parse`` and its messages."""
        self.dates: dict[str, dt.date] = {}
        self.problems = LineProblems()
        self.patients: list[tuple[PatientDraft, ProcedureDraft]] = []
        self.patient_where: dict[str, tuple[Where, str]] = {}
        """MRN key -> where the patients file lists that patient, and the MRN as written there."""
        self.broken_mrns: set[str] = set()
        """MRNs of patient lines too broken to read: already reported, so not also called unknown."""
        self.unread_file = False
        """A file (perhaps the patients file) could not be read: its patients are not called unknown one
        response line at a time, since the one problem with that file is already listed."""
        self.surgery: dict[str, dt.date] = {}
        self.language: dict[str, str] = {}
        self.questionnaires: dict[tuple[str, str, str], FoundQuestionnaire] = {}
        self.study: StudyReader
        self.complications: ComplicationReader

    def read_table(self, index: int, table: CsvTable, kind: FileKind) -> None:
        from sijpro.exchange.import_study import STUDY_COLUMNS

        required, allowed = {
            "patients": (set(PATIENT_REQUIRED), {*PATIENT_COLUMNS, *PATIENT_OPTIONAL}),
            "responses": (set(RESPONSE_COLUMNS), {*RESPONSE_COLUMNS, *RESPONSE_OPTIONAL}),
            **STUDY_COLUMNS,
            **COMPLICATION_KINDS_COLUMNS,
        }[kind]
        header_where = Where(index, 1, table.name)
        problems = header_problems(table, required, allowed)
        for problem in problems:
            self.problems.add(header_where, problem.removeprefix(f"{header_where}: "))
        if problems:
            self.unread_file = self.unread_file or kind.endswith("patients")
            return
        read_row = {"patients": self._patient_row, "responses": self._response_row,
                    "complications": self.complications.row, "study_patients": self.study.patient_row,
                    "study_responses": self.study.response_row,
                    "study_complications": self.complications.study_row}[kind]
        try:
            for row in table.rows():
                where = Where(index, row.line, table.name)
                if len(row.fields) != len(table.header):
                    self._note_mrn_of_bad_row(table, row, kind)
                    self.problems.add(where, f"expected {len(table.header)} fields, found {len(row.fields)} "
                                             "(a cell holding the delimiter must be quoted)")
                    continue
                read_row(where, {column: cell.strip() for column, cell in zip(table.header, row.fields, strict=True)})
        except UserError as error:  # malformed CSV: the rows after it cannot be trusted
            self.problems.add_located(Where(index, 0, table.name), str(error))

    def _note_mrn_of_bad_row(self, table: CsvTable, row: CsvRow, kind: FileKind) -> None:
        """A patient line too broken to read still names its patient: do not also call that MRN unknown."""
        if kind == "patients" and "mrn" in table.header:
            position = table.header.index("mrn")
            if position < len(row.fields) and row.fields[position].strip():
                self.broken_mrns.add(mrn_key(row.fields[position]))
        elif kind == "study_patients":
            ids, sites = table.header.index("study_id"), table.header.index("site")
            if max(ids, sites) < len(row.fields):
                self.broken_mrns.add(mrn_key(study_mrn(row.fields[sites].strip(), row.fields[ids].strip())))

    # --- patients ------------------------------------------------------------------------------------

    def _patient_row(self, where: Where, cells: dict[str, str]) -> None:
        values: dict[str, Any] = {}
        """Each column's value as its reader gave it (a text, a date, a number): checked by the drafts' rules."""
        contact = self._contact(where, {column: cells.pop(column) for column in CONTACT_COLUMNS if column in cells},
                                cells.pop("consent", ""))
        cancelled = self._cancelled(where, cells.pop("cancelled_visits", ""))
        valid = contact is not None and cancelled is not None
        for column, text in cells.items():
            if not text:
                if column in PATIENT_REQUIRED:
                    self.problems.add(where, "required, but the cell is empty", column)
                    valid = False
                continue
            try:
                values[column] = PATIENT_READERS[column](text)
            except ValueError as error:
                self.problems.add(where, str(error), column)
                valid = False
        mrn = values.get("mrn")
        if isinstance(mrn, str):
            valid = self.register_mrn(where, mrn) and valid
        valid = self._check_dates(where, values) and valid
        if not valid or not isinstance(mrn, str):
            return
        procedure = {name: values.pop(name) for name in PROCEDURE_FIELDS if name in values}
        values.setdefault("family_name", "")
        values.setdefault("given_name", "")
        self.surgery[mrn] = procedure["surgery_date"]
        self.language[mrn] = str(values.get("language", "en"))
        self.patients.append((PatientDraft(**values), ProcedureDraft(**procedure)))
        if contact is not None and not contact.empty:
            self.contacts.append((mrn, contact))
        self.cancelled += [(mrn, timepoint) for timepoint in cancelled or ()]

    def _cancelled(self, where: Where, text: str) -> tuple[str, ...] | None:
        """The timepoints of a ``cancelled_visits`` cell in protocol order, or None after naming the bad one."""
        if not text:
            return ()
        parts = [part.strip().lower() for part in text.split(";")]
        for part in parts:
            if part not in self.timepoints or parts.count(part) > 1:
                why = "is given twice" if part in self.timepoints else \
                    f"is not a timepoint ({', '.join(self.protocol.codes)}; separate them with ';')"
                self.problems.add(where, f"{part!r} {why}", "cancelled_visits")
                return None
        return tuple(code for code in self.protocol.codes if code in parts)

    def _contact(self, where: Where, cells: dict[str, str], consent_text: str = "") -> ContactDraft | None:
        """The line's contact details, or None after naming each bad cell by its column."""
        fields = {CONTACT_COLUMNS[column]: text for column, text in cells.items()}
        channel = fields.get("channel", "").lower()
        consent: bool | None = None if not channel else channel != "none"
        if consent_text:
            try:
                consent = read.flag(consent_text)
            except ValueError as error:
                self.problems.add(where, str(error), "consent")
                return None
        draft = ContactDraft(fields.get("phone", ""), fields.get("email", ""),
                             fields.get("address", ""), channel, consent)
        columns = {field: column for column, field in CONTACT_COLUMNS.items()}
        problems = contact_problems(draft, self.country)
        for problem in problems:
            self.problems.add(where, problem.text, columns.get(problem.field or "",
                                                               "consent" if consent_text else "contact_channel"))
        return None if problems else draft

    def register_mrn(self, where: Where, mrn: str, column: str = "mrn") -> bool:
        """MRNs are one patient's whatever their case: 'ab-1' is already in if 'AB-1' is."""
        key = mrn_key(mrn)
        registered = self.known_mrns.get(key)
        if registered is not None:
            written = "" if registered == mrn else f" (as {registered})"
            self.problems.add(where, f"patient {mrn} is already in the database{written}", column)
            return False
        earlier = self.patient_where.get(key)
        if earlier is not None:
            written = "" if earlier[1] == mrn else f" as {earlier[1]}"
            self.problems.add(where, f"patient {mrn} appears twice (also {earlier[0]}{written})", column)
            return False
        self.patient_where[key] = (where, mrn)
        return True

    def _check_dates(self, where: Where, values: dict[str, object]) -> bool:
        birth, surgery = values.get("birth_date"), values.get("surgery_date")
        valid = True
        if isinstance(birth, dt.date):
            if birth > self.today:
                self.problems.add(where, f"{birth} is in the future", "birth_date")
                valid = False
            elif isinstance(surgery, dt.date) and not birth < surgery:
                self.problems.add(where, f"{birth} is not before the surgery date {surgery}", "birth_date")
                valid = False
            elif isinstance(surgery, dt.date) and (surgery - birth).days > OLDEST_AGE * 366:
                self.problems.add(where, f"{birth} makes the patient older than {OLDEST_AGE} at surgery",
                                  "birth_date")
                valid = False
        if isinstance(surgery, dt.date) and (surgery - self.today).days > PLANNED_SURGERY_DAYS:
            self.problems.add(where, f"{surgery} is more than a year from today", "surgery_date")
            valid = False
        return valid

    # --- result --------------------------------------------------------------------------------------

    def batch(self) -> ImportBatch:
        questionnaires = [
            QuestionnaireDraft(
                mrn=mrn, timepoint=timepoint, instrument=instrument, answers=dict(found.answers),
                completed_on=found.completed_on,
                mode=found.mode, language=self.language.get(mrn, "en"), source=str(found.where),
            )
            for (mrn, timepoint, instrument), found in sorted(
                self.questionnaires.items(), key=lambda entry: entry[1].where
            )
        ]
        complications = tuple((found.mrn, found.draft, str(found.where)) for found in self.complications.found)
        return ImportBatch(patients=tuple(self.patients), questionnaires=tuple(questionnaires),
                           contacts=tuple(self.contacts), complications=complications,
                           cancelled_visits=tuple(self.cancelled))

