"""CSV export: the import format (so ``sijpro import`` reads it back), a wide analysis file, and a
data dictionary describing every column of every file.

Identified, ``patients.csv`` and ``responses.csv`` are exactly the import files of DESIGN.md, and a
database re-imported from them exports byte-identical files: rows are sorted (patients by MRN,
questionnaires in protocol order, items in instrument order) and numbers are written the same way
every time. De-identified, the same files carry a study ID, the age at surgery and days from the
index surgery instead, and are for analysis only (they cannot be imported).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sijpro.exchange.csv_files import format_number
from sijpro.exchange.output import export_directory
from sijpro.exchange.subjects import ExportSet, Subject, SubjectQuestionnaire, instrument_order
from sijpro.exchange.variables import Variable, item_variables, score_variables, subject_variables
from sijpro.instruments import get_instrument
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol
from sijpro.records import interventions_text

PATIENTS = "patients.csv"
RESPONSES = "responses.csv"
WIDE = "analysis_wide.csv"
DICTIONARY = "data_dictionary.csv"
DICTIONARY_HEADER = ("file", "column", "type", "label", "codes", "unit", "minimum", "maximum", "identifying", "notes")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def subject_row(subject: Subject) -> list[str]:
    """The patient columns, in ``subject_variables`` order."""
    identity = subject.identity
    if identity is not None:
        head = [identity.mrn, identity.family_name, identity.given_name,
                identity.birth_date.isoformat() if identity.birth_date else ""]
    else:
        head = [subject.subject_id, _cell(subject.age_at_surgery)]
    middle = [subject.sex or "", subject.language, _cell(subject.bmi), _cell(subject.fbss),
              _cell(subject.prior_lumbar_surgeries), _cell(subject.prior_lumbosacral_fusion),
              interventions_text(subject.prior_interventions)]
    surgery = []
    if identity is not None:
        surgery = [identity.surgery_date.isoformat() if identity.surgery_date else ""]
    return head + middle + surgery + [subject.side or "", subject.approach or ""]


def _when(questionnaire: SubjectQuestionnaire) -> str:
    if questionnaire.completed_on is not None:
        return questionnaire.completed_on.isoformat()
    return _cell(questionnaire.day)


def response_rows(subject: Subject) -> Iterator[list[str]]:
    """One line per item, unanswered items with an empty value, so a skipped section stays visible."""
    for questionnaire in subject.questionnaires:
        instrument = get_instrument(questionnaire.instrument)
        for code in instrument.item_codes:
            yield [subject.subject_id, questionnaire.timepoint, questionnaire.instrument, code,
                   _cell(questionnaire.answers.get(code)), _when(questionnaire)]


def response_variables(protocol: Protocol, identified: bool) -> tuple[Variable, ...]:
    first = subject_variables(identified)[0]
    instruments = instrument_order(protocol)
    return (
        first,
        timepoint_variable(protocol),
        Variable("instrument", "Questionnaire", "code",
                 tuple((code, get_instrument(code).title["en"]) for code in instruments)),
        Variable("item", "Item code", "text", note="see the item columns of analysis_wide.csv for labels and codes"),
        Variable("value", "Answer", "integer", note="empty = unanswered"),
        Variable("completed_on", "Date completed", "date", identifying=True) if identified else
        Variable("days_from_surgery", "Days from index surgery to completion", "integer",
                 note="negative before surgery"),
    )


def timepoint_variable(protocol: Protocol) -> Variable:
    return Variable("timepoint", "Follow-up timepoint", "code",
                    tuple((tp.code, tp.label["en"]) for tp in protocol.timepoints))


def wide_variables(protocol: Protocol, identified: bool) -> tuple[Variable, ...]:
    columns: list[Variable] = [*subject_variables(identified), timepoint_variable(protocol)]
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
    """One row per timepoint with at least one questionnaire; empty cells for what was not collected."""
    by_timepoint: dict[str, list[SubjectQuestionnaire]] = {}
    for questionnaire in subject.questionnaires:
        by_timepoint.setdefault(questionnaire.timepoint, []).append(questionnaire)
    instruments = [get_instrument(code) for code in instrument_order(protocol)]
    for timepoint, questionnaires in by_timepoint.items():
        last = max(questionnaires, key=lambda q: (q.day if q.day is not None else 0, _when(q)))
        row = [*subject_row(subject), timepoint]
        if subject.identified:
            row.append(_when(last))
        row.append(_cell(last.day))
        given = {q.instrument: q for q in questionnaires}
        for instrument in instruments:
            questionnaire = given.get(instrument.id)
            for code in instrument.item_codes:
                row.append(_cell(questionnaire.answers.get(code)) if questionnaire else "")
            for spec in instrument.scores:
                row.append(spec.text(questionnaire.score(spec.name)) if questionnaire else "")
        yield row


def dictionary_rows(files: dict[str, tuple[Variable, ...]]) -> Iterator[list[str]]:
    for name, variables in files.items():
        for variable in variables:
            yield [name, variable.name, variable.type, variable.label, variable.codes_text(), variable.unit,
                   _cell(variable.minimum), _cell(variable.maximum), "yes" if variable.identifying else "no",
                   variable.note]


def write_csv_export(export: ExportSet, directory: Path, progress: Progress = no_progress) -> list[str]:
    """Write the four CSV files into ``directory``; returns their names."""
    protocol, identified = export.protocol, export.identified
    files = {
        PATIENTS: subject_variables(identified),
        RESPONSES: response_variables(protocol, identified),
        WIDE: wide_variables(protocol, identified),
    }
    patients, responses, wide = [], [], []
    total = len(export.subjects)
    for done, subject in enumerate(export.subjects, start=1):
        patients.append(subject_row(subject))
        responses.extend(response_rows(subject))
        wide.extend(wide_rows(subject, protocol))
        progress(done, total)
    with export_directory(directory) as out:
        for name, rows in ((PATIENTS, patients), (RESPONSES, responses), (WIDE, wide)):
            out.write_csv(name, [variable.name for variable in files[name]], rows)
        out.write_csv(DICTIONARY, DICTIONARY_HEADER, dictionary_rows(files))
        return list(out.names)
