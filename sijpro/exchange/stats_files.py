"""SPSS (.sav) and Stata (.dta) exports: one row per patient and scheduled timepoint, written by pyreadstat.

Every scheduled visit is a row, answered or not, with its state on the day of the export (by the one
visit-state function), the mode of collection, the answers and the scores; so a statistician sees who
was followed up and who was lost without joining files. Variables carry their labels; codes are numbers
with value labels (sex 1 female, 2 male, 3 other; timepoints 1.. in protocol order; answers their scored
values); the reasons a cell is empty are missing values of the package's own kind, told apart:

| reason | SPSS (user-missing, labelled) | Stata (extended missing) |
|---|---|---|
| not administered (NASK) | -99 | .a |
| skipped (ASKU) | -98 | .b |
| unknown (UNK) | -97 | .c |

Names are the shared variable names (at most 26 characters: within Stata's 32 and SPSS's 64).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from sijpro.exchange.output import export_directory
from sijpro.exchange.subjects import ExportSet, Subject, SubjectQuestionnaire, SubjectVisit, instrument_order
from sijpro.exchange.variables import (
    INTERVENTION_CODES,
    MISSING_CODES,
    NOT_ADMINISTERED,
    SKIPPED,
    UNKNOWN,
    Codes,
    Variable,
    item_variables,
    score_variables,
    subject_variables,
)
from sijpro.instruments import get_instrument
from sijpro.progress import Progress, no_progress
from sijpro.records import ResponseMode
from sijpro.visit_state import STATE_CODES

Package = Literal["spss", "stata"]
FILES: dict[Package, str] = {"spss": "sijpro_visits.sav", "stata": "sijpro_visits.dta"}
SPSS_MISSING = {NOT_ADMINISTERED: -99, SKIPPED: -98, UNKNOWN: -97}
STATA_MISSING = {NOT_ADMINISTERED: "a", SKIPPED: "b", UNKNOWN: "c"}
MISSING_LABELS = {code: meaning.split(":")[0] for code, meaning in MISSING_CODES}
STATA_LABEL_LENGTH = 80
MIXED = "mixed"
MODE_CODES: Codes = (*((mode, mode) for mode in get_args(ResponseMode)), (MIXED, "more than one mode"))
STATE_LABELS: Codes = tuple((code, code) for code in STATE_CODES)

Cell = str | float | int | dt.date | None
"""A value, or one of the missing codes NASK/ASKU/UNK."""


@dataclass(frozen=True)
class Column:
    """One variable of the file: its name and label, how a row gets its value, and its value labels."""

    name: str
    label: str
    value: Callable[[Subject, SubjectVisit, dict[str, SubjectQuestionnaire]], Cell]
    kind: Literal["number", "text", "date"] = "number"
    labels: dict[float, str] = field(default_factory=dict)


def coded(codes: Codes) -> dict[str, int]:
    """Text codes as the numbers 1, 2, ... in their documented order."""
    return {code: number for number, (code, _) in enumerate(codes, start=1)}


def _numbered(variable: Variable, getter: Callable[[Subject], Any]) -> Column:
    numbers = coded(variable.codes)
    labels = {float(numbers[code]): label for code, label in variable.codes}

    def value(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        found = getter(subject)
        return UNKNOWN if found is None else numbers[found]
    return Column(variable.name, variable.label, value, labels=labels)


def _had_intervention(code: str) -> Callable[[Subject], int | None]:
    """1 when the subject had the intervention before, 0 when not, None when nobody recorded it."""
    return lambda s: None if s.prior_interventions is None else int(code in s.prior_interventions)


def _known(getter: Callable[[Subject], Any]) -> Callable[[Subject, SubjectVisit, dict], Cell]:
    def value(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        found = getter(subject)
        return UNKNOWN if found is None else (int(found) if isinstance(found, bool) else found)
    return value


YES_NO = {1.0: "Yes", 0.0: "No"}


def subject_columns(identified: bool) -> list[Column]:
    variables = {variable.name: variable for variable in subject_variables(identified, analysis=True)}
    columns = [Column(next(iter(variables)), next(iter(variables.values())).label,
                      lambda subject, visit, given: subject.subject_id, kind="text")]
    if identified:
        columns += [
            Column("family_name", "Family name", lambda s, v, g: s.identity.family_name if s.identity else "", "text"),
            Column("given_name", "Given name", lambda s, v, g: s.identity.given_name if s.identity else "", "text"),
            Column("birth_date", "Date of birth", _known(lambda s: s.identity.birth_date if s.identity else None),
                   "date"),
            Column("surgery_date", "Date of index surgery",
                   _known(lambda s: s.identity.surgery_date if s.identity else None), "date"),
        ]
    else:
        columns.append(Column("age_at_surgery", variables["age_at_surgery"].label, _known(lambda s: s.age_at_surgery)))
    analysis_sex = dict(zip(("F", "M", "X"), ("female", "male", "other"), strict=True))
    columns += [
        _numbered(variables["sex"], lambda s: analysis_sex[s.sex] if s.sex else None),
        _numbered(variables["language"], lambda s: s.language),
        Column("bmi", variables["bmi"].label, _known(lambda s: s.bmi)),
        Column("fbss", variables["fbss"].label, _known(lambda s: s.fbss), labels=YES_NO),
        Column("prior_lumbar_surgeries", variables["prior_lumbar_surgeries"].label,
               _known(lambda s: s.prior_lumbar_surgeries)),
        Column("prior_lumbosacral_fusion", variables["prior_lumbosacral_fusion"].label,
               _known(lambda s: s.prior_lumbosacral_fusion), labels=YES_NO),
    ]
    for code, label in INTERVENTION_CODES:  # one yes/no per intervention; all UNK when not known
        columns.append(Column(f"prior_{code.lower()}", f"Prior intervention: {label}",
                              _known(_had_intervention(code)), labels=YES_NO))
    columns += [_numbered(variables["side"], lambda s: s.side), _numbered(variables["approach"], lambda s: s.approach),
                Column("site", variables["site"].label, lambda subject, visit, given: subject.site, "text")]
    return columns


def visit_columns(export: ExportSet) -> list[Column]:
    timepoints: Codes = tuple((tp.code, tp.label["en"]) for tp in export.protocol.timepoints)
    timepoint_numbers, state_numbers, mode_numbers = coded(timepoints), coded(STATE_LABELS), coded(MODE_CODES)

    def mode(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        modes = {questionnaire.mode for questionnaire in given.values()}
        if not modes:
            return NOT_ADMINISTERED
        return mode_numbers[modes.pop() if len(modes) == 1 else MIXED]

    columns = [
        Column("timepoint", "Follow-up timepoint", lambda s, v, g: timepoint_numbers[v.timepoint],
               labels={float(n): label for (code, label), n in zip(timepoints, range(1, 99), strict=False)}),
        Column("visit_state", f"Visit state on {export.exported_at.date().isoformat()}"
               if export.identified else "Visit state on the day of the export",
               lambda s, v, g: state_numbers[v.state],
               labels={float(state_numbers[code]): label for code, label in STATE_LABELS}),
        Column("days_late", "Days after the window closed (completed late, or overdue)", lambda s, v, g: v.days_late),
        Column("mode", "Mode of collection", mode,
               labels={float(mode_numbers[code]): label for code, label in MODE_CODES}),
    ]
    if export.identified:
        columns += [
            Column("due_date", "Due date", lambda s, v, g: v.due_date, "date"),
            Column("completed_on", "Date completed",
                   lambda s, v, g: v.completed_on if v.completed_on else NOT_ADMINISTERED, "date"),
        ]
    columns += [
        Column("due_day", "Days from index surgery to the due date", _visit_value(lambda v: v.due_day)),
        Column("completed_day", "Days from index surgery to completion",
               lambda s, v, g: NOT_ADMINISTERED if v.completed_day is None and v.state != "completed"
               else (UNKNOWN if v.completed_day is None else v.completed_day)),
    ]
    return columns


def _visit_value(getter: Callable[[SubjectVisit], Any]) -> Callable[[Subject, SubjectVisit, dict], Cell]:
    def value(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        found = getter(visit)
        return UNKNOWN if found is None else found
    return value


def questionnaire_columns(export: ExportSet) -> list[Column]:
    columns = []
    for instrument_id in instrument_order(export.protocol):
        instrument = get_instrument(instrument_id)
        for item, variable in zip(instrument.items, item_variables(instrument), strict=True):
            columns.append(Column(variable.name, variable.label, _answer(instrument_id, item.code),
                                  labels={float(code): label for code, label in variable.codes}))
        for spec, variable in zip(instrument.scores, score_variables(instrument), strict=True):
            columns.append(Column(variable.name, variable.label, _score(instrument_id, spec.name)))
    return columns


def _answer(instrument_id: str, code: str) -> Callable[[Subject, SubjectVisit, dict], Cell]:
    def value(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        questionnaire = given.get(instrument_id)
        if questionnaire is None:
            return NOT_ADMINISTERED
        answer = questionnaire.answers.get(code)
        return SKIPPED if answer is None else answer
    return value


def _score(instrument_id: str, name: str) -> Callable[[Subject, SubjectVisit, dict], Cell]:
    spec = next(spec for spec in get_instrument(instrument_id).scores if spec.name == name)

    def value(subject: Subject, visit: SubjectVisit, given: dict[str, SubjectQuestionnaire]) -> Cell:
        questionnaire = given.get(instrument_id)
        if questionnaire is None:
            return NOT_ADMINISTERED
        score = questionnaire.score(name)
        return SKIPPED if score is None else float(spec.rounded(score))
    return value


def table(export: ExportSet, progress: Progress = no_progress) -> tuple[list[Column], list[list[Cell]]]:
    """The columns and one row per subject and scheduled visit, in subject then protocol order."""
    columns = [*subject_columns(export.identified), *visit_columns(export), *questionnaire_columns(export)]
    rows = []
    for done, subject in enumerate(export.subjects, start=1):
        for visit in subject.visits:
            given = {q.instrument: q for q in subject.questionnaires if q.timepoint == visit.timepoint}
            rows.append([column.value(subject, visit, given) for column in columns])
        progress(done, len(export.subjects))
    return columns, rows


def _frame(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], missing: dict[str, Any], blank_date: Any,
           ) -> Any:
    import pandas as pd

    data: dict[str, list[Any]] = {}
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        if column.kind == "date":
            data[column.name] = [blank_date if value in MISSING_LABELS else value for value in values]
        elif column.kind == "text":
            data[column.name] = ["" if value is None else str(value) for value in values]
        else:
            data[column.name] = [_number(value, missing) for value in values]
    return pd.DataFrame(data, columns=[column.name for column in columns])


def _number(value: Cell, missing: dict[str, Any]) -> Any:
    """A number column's cell: a float, None, or the package's own code for a missing-data code."""
    if isinstance(value, str) and value in MISSING_LABELS:
        return missing[value]
    if value is None:
        return None
    if isinstance(value, dt.date):
        raise TypeError(f"a date ({value}) in a number column")
    return float(value)


def write_stats_export(export: ExportSet, directory: Path, package: Package,
                       progress: Progress = no_progress) -> list[str]:
    """Write the .sav or .dta file into ``directory``; returns its name."""
    import pyreadstat

    columns, rows = table(export, progress)
    numeric = [column for column in columns if column.kind == "number"]
    title = f"SIJ-PRO visits ({'identified' if export.identified else 'de-identified'})"
    with export_directory(directory) as out:
        path = out.path(FILES[package])
        if package == "spss":
            frame = _frame(columns, rows, SPSS_MISSING, None)
            value_labels = {column.name: {**column.labels, **{float(SPSS_MISSING[code]): label
                                                              for code, label in MISSING_LABELS.items()}}
                            for column in numeric}
            pyreadstat.write_sav(
                frame, str(path), file_label=title,
                column_labels={column.name: column.label for column in columns},
                variable_value_labels=value_labels,
                missing_ranges={column.name: list[Any](sorted(SPSS_MISSING.values())) for column in numeric},
            )
        else:
            frame = _frame(columns, rows, STATA_MISSING, None)
            for column in numeric:  # a column with a letter in it is an object column: pyreadstat wants that
                frame[column.name] = frame[column.name].astype(object)
            pyreadstat.write_dta(
                frame, str(path), file_label=title[:STATA_LABEL_LENGTH],
                column_labels={column.name: column.label[:STATA_LABEL_LENGTH] for column in columns},
                variable_value_labels={column.name: {int(k): v for k, v in column.labels.items()}
                                       for column in numeric if column.labels},
                missing_user_values={column.name: sorted(STATA_MISSING.values()) for column in numeric},
            )
        return list(out.names)
