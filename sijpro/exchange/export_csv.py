"""CSV export: the import format (so ``sijpro import`` reads it back), a wide analysis file, a data
dictionary describing every column of every file, and the same description as a Frictionless Data
Package (``datapackage.json``: types, codes with their labels, missing-value codes) for pandas and R.

The analysis file tells apart what the import files leave empty: NASK (questionnaire not administered),
ASKU (item skipped), UNK (unknown), and writes sex as a word, which R cannot take for a logical. For
Excel (``TableFormat``), files carry a byte-order mark, and in French ';' and decimal commas.

Identified, ``patients.csv``, ``responses.csv`` and ``complications.csv`` are exactly the import files
(DESIGN.md, and ``sijpro.exchange.import_complications``), and a
database re-imported from them exports byte-identical files: rows are sorted (patients by MRN,
questionnaires in protocol order, items in instrument order) and numbers are written the same way
every time. De-identified, the same files carry a study ID, the age at surgery and days from the
index surgery instead, each line its centre's site code, and each patient the state of every visit on the
day of the export (so a pooled analysis counts follow-up completeness as the centre would). They import
into a study database pooling several centres' exports, a patient being known by site and study ID
(``sijpro.exchange.import_study``); the calendar dates given there are nominal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sijpro.exchange.csv_files import format_number
from sijpro.exchange.datapackage import datapackage_json
from sijpro.exchange.output import PLAIN, TableFormat, export_directory
from sijpro.exchange.subjects import ExportSet, Subject, SubjectQuestionnaire, instrument_order, visit_columns
from sijpro.exchange.variables import (
    ANALYSIS_SEX,
    MISSING_CODES,
    NOT_ADMINISTERED,
    SKIPPED,
    UNKNOWN,
    Variable,
    complication_variables,
    item_variables,
    record_variables,
    score_variables,
    subject_variables,
    visits_variable,
)
from sijpro.instruments import get_instrument
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol
from sijpro.records import COLLECTION_MODES, interventions_text

PATIENTS = "patients.csv"
RESPONSES = "responses.csv"
COMPLICATIONS = "complications.csv"
WIDE = "analysis_wide.csv"
DICTIONARY = "data_dictionary.csv"
DATAPACKAGE = "datapackage.json"
MISSING_NOTE = "missing: " + ", ".join(f"{code} = {meaning.split(':')[0]}" for code, meaning in MISSING_CODES)
MODE_LABELS = (("kiosk", "Clinic tablet"), ("paper", "Paper form filled in at the clinic"),
               ("post", "Mailed paper pack"), ("phone", "Telephone interview"), ("web", "At home on the web"))
assert tuple(code for code, _ in MODE_LABELS) == COLLECTION_MODES
DICTIONARY_HEADER = ("file", "column", "type", "label", "codes", "unit", "minimum", "maximum", "identifying", "notes")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def subject_row(subject: Subject, *, analysis: bool = False) -> list[str]:
    """The patient columns, in ``subject_variables`` order; ``analysis``: unknown values as UNK and sex as
    a word, for the analysis file (the import files keep the import format: empty = unknown)."""
    blank = UNKNOWN if analysis else ""

    def cell(value: object) -> str:
        return blank if value is None else _cell(value)

    identity = subject.identity
    if identity is not None:
        head = [identity.mrn, identity.family_name, identity.given_name,
                identity.birth_date.isoformat() if identity.birth_date else blank]
    else:
        head = [subject.subject_id, cell(subject.age_at_surgery)]
    sex = (ANALYSIS_SEX[subject.sex] if analysis else subject.sex) if subject.sex else blank
    middle = [sex, subject.language, cell(subject.bmi), cell(subject.fbss),
              cell(subject.prior_lumbar_surgeries), cell(subject.prior_lumbosacral_fusion),
              interventions_text(subject.prior_interventions) or blank]
    surgery = []
    if identity is not None:
        surgery = [identity.surgery_date.isoformat() if identity.surgery_date else blank]
    return head + middle + surgery + [subject.side or blank, subject.approach or blank, subject.site or blank]


def _when(questionnaire: SubjectQuestionnaire) -> str:
    if questionnaire.completed_on is not None:
        return questionnaire.completed_on.isoformat()
    return _cell(questionnaire.day)


def import_patient_row(subject: Subject) -> list[str]:
    """A line of ``patients.csv``: identified, with the contact details, consent and cancelled visits
    (``record_variables``); de-identified, with the visits' states on the day of the export."""
    row = subject_row(subject)
    if subject.identity is None:
        row.append(";".join(f"{timepoint}={column}" for timepoint, column in visit_columns(subject)))
        return row
    contact = subject.identity.contact
    cancelled = ";".join(visit.timepoint for visit in subject.visits if visit.state == "cancelled")
    return [*row, contact.phone, contact.email, contact.address, contact.channel, _cell(contact.consent), cancelled]


def response_rows(subject: Subject) -> Iterator[list[str]]:
    """One line per item recorded, an item skipped with an empty value, so a skipped section stays visible
    (an item never recorded, such as "worse" beside a relief percentage the demo gives, has no line, so
    a re-import records no more than the clinic did); de-identified, each line names its site too (study
    IDs are unique within one centre only)."""
    who = [subject.subject_id] if subject.identified else [subject.subject_id, subject.site]
    for questionnaire in subject.questionnaires:
        instrument = get_instrument(questionnaire.instrument)
        for code in (code for code in instrument.item_codes if code in questionnaire.answers):
            # the mode before the date: a file cut short inside a line leaves a required cell empty
            mode = [_file_mode(questionnaire.mode)] if subject.identified else []
            yield [*who, questionnaire.timepoint, questionnaire.instrument, code,
                   _cell(questionnaire.answers.get(code)), *mode, _when(questionnaire)]


def _file_mode(mode: str) -> str:
    """The ``mode`` cell: empty for a questionnaire imported before files stated their mode (unknown)."""
    return mode if mode in COLLECTION_MODES else ""


def complication_rows(subject: Subject) -> Iterator[list[str]]:
    """One line per complication or reoperation that stands, in ``complication_variables`` order."""
    for complication in subject.complications:
        if subject.identified:
            head = [subject.subject_id, complication.occurred_on.isoformat() if complication.occurred_on else ""]
        else:
            head = [subject.subject_id, subject.site, _cell(complication.day)]
        notes = [complication.notes or ""] if subject.identified else []
        yield [*head, complication.kind, complication.side or "", _cell(complication.revision), *notes]


def response_variables(protocol: Protocol, identified: bool) -> tuple[Variable, ...]:
    first = subject_variables(identified)[0]
    instruments = instrument_order(protocol)
    site = () if identified else (subject_variables(identified)[-1],)
    return (
        first,
        *site,
        timepoint_variable(protocol),
        Variable("instrument", "Questionnaire", "code",
                 tuple((code, get_instrument(code).title["en"]) for code in instruments)),
        Variable("item", "Item code", "text", note="see the item columns of analysis_wide.csv for labels and codes"),
        Variable("value", "Answer", "integer", note="empty = unanswered"),
        *((Variable("mode", "Mode of collection", "code", MODE_LABELS,
                    note="empty = not known (read back as paper)"),
           Variable("completed_on", "Date completed", "date", identifying=True)) if identified else
          (Variable("days_from_surgery", "Days from index surgery to completion", "integer",
                    note="negative before surgery"),)),
    )


def timepoint_variable(protocol: Protocol) -> Variable:
    return Variable("timepoint", "Follow-up timepoint", "code",
                    tuple((tp.code, tp.label["en"]) for tp in protocol.timepoints))


def wide_variables(protocol: Protocol, identified: bool) -> tuple[Variable, ...]:
    columns: list[Variable] = [*subject_variables(identified, analysis=True), timepoint_variable(protocol)]
    if identified:
        columns.append(Variable("completed_on", "Date the timepoint's last questionnaire was completed", "date",
                                identifying=True))
    columns.append(Variable("days_from_surgery", "Days from index surgery to the timepoint's last questionnaire",
                            "integer", note="negative before surgery"))
    for instrument_id in instrument_order(protocol):
        instrument = get_instrument(instrument_id)
        columns.extend(item_variables(instrument))
        columns.extend(score_variables(instrument))
    return tuple(columns)


def wide_rows(subject: Subject, protocol: Protocol) -> Iterator[list[str]]:
    """One row per timepoint with at least one questionnaire. No cell is left to guess: a questionnaire not
    given at that timepoint is NASK, an item left blank (or a score its answers cannot give) ASKU, a patient
    characteristic nobody recorded UNK."""
    by_timepoint: dict[str, list[SubjectQuestionnaire]] = {}
    for questionnaire in subject.questionnaires:
        by_timepoint.setdefault(questionnaire.timepoint, []).append(questionnaire)
    instruments = [get_instrument(code) for code in instrument_order(protocol)]
    patient = subject_row(subject, analysis=True)
    for timepoint, questionnaires in by_timepoint.items():
        last = max(questionnaires, key=lambda q: (q.day if q.day is not None else 0, _when(q)))
        row = [*patient, timepoint]
        if subject.identified:
            row.append(_when(last))
        row.append(UNKNOWN if last.day is None else _cell(last.day))
        given = {q.instrument: q for q in questionnaires}
        for instrument in instruments:
            taken = given.get(instrument.id)
            if taken is None:
                row.extend([NOT_ADMINISTERED] * (len(instrument.items) + len(instrument.scores)))
                continue
            for code in instrument.item_codes:
                answer = taken.answers.get(code)
                row.append(SKIPPED if answer is None else _cell(answer))
            for spec in instrument.scores:
                score = taken.score(spec.name)
                row.append(SKIPPED if score is None else spec.text(score))
        yield row


def localised(rows: Iterable[list[str]], variables: Sequence[Variable], table_format: TableFormat,
              ) -> Iterator[list[str]]:
    """Decimal commas in the number columns when the format asks for them (never in text: an MRN may
    hold a '.')."""
    numbers = [index for index, variable in enumerate(variables) if variable.type == "number"]
    for row in rows:
        if table_format.decimal == "." or not numbers:
            yield row
            continue
        spelled = list(row)
        for index in numbers:
            spelled[index] = spelled[index].replace(".", table_format.decimal)
        yield spelled


def dictionary_rows(files: dict[str, tuple[Variable, ...]], table_format: TableFormat = PLAIN,
                    ) -> Iterator[list[str]]:
    for name, variables in files.items():
        for variable in variables:
            note = variable.note
            if name == WIDE:
                note = "; ".join(part for part in (note, MISSING_NOTE) if part)
            yield [name, variable.name, variable.type, variable.label, variable.codes_text(), variable.unit,
                   _cell(variable.minimum).replace(".", table_format.decimal),
                   _cell(variable.maximum).replace(".", table_format.decimal),
                   "yes" if variable.identifying else "no", note]


def write_csv_export(export: ExportSet, directory: Path, progress: Progress = no_progress,
                     table_format: TableFormat = PLAIN) -> list[str]:
    """Write the five CSV files and their datapackage.json into ``directory``; returns their names."""
    protocol, identified = export.protocol, export.identified
    files = {
        PATIENTS: subject_variables(identified) + (record_variables(protocol) if identified else
                                                   (visits_variable(protocol),)),
        RESPONSES: response_variables(protocol, identified),
        COMPLICATIONS: complication_variables(identified),
        WIDE: wide_variables(protocol, identified),
    }
    patients: list[list[str]] = []
    responses: list[list[str]] = []
    complications: list[list[str]] = []
    wide: list[list[str]] = []
    total = len(export.subjects)
    for done, subject in enumerate(export.subjects, start=1):
        patients.append(import_patient_row(subject))
        responses.extend(response_rows(subject))
        complications.extend(complication_rows(subject))
        wide.extend(wide_rows(subject, protocol))
        progress(done, total)
    with export_directory(directory) as out:
        for name, rows in ((PATIENTS, patients), (RESPONSES, responses), (COMPLICATIONS, complications),
                           (WIDE, wide)):
            out.write_csv(name, [variable.name for variable in files[name]],
                          localised(rows, files[name], table_format), table_format)
        out.write_csv(DICTIONARY, DICTIONARY_HEADER, dictionary_rows(files, table_format), table_format)
        out.write_text(DATAPACKAGE, datapackage_json(export, files, {WIDE}, table_format, DICTIONARY_HEADER))
        return list(out.names)
