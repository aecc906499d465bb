"""Score a CSV of questionnaires: one row per questionnaire, item codes as columns.

Invalid rows are reported with their line and field and keep empty score columns, so the output lines
up with the input; valid rows are scored whatever else is wrong in the file. A file whose header is
wrong (unknown, duplicate or missing columns) is refused whole, because no row of it can be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from sijpro.errors import InputErrors
from sijpro.exchange.csv_files import CsvTable, SafeWriter, header_problems
from sijpro.instruments import Instrument, Item
from sijpro.progress import Progress, no_progress
from sijpro.scoring import scorer_for

CONTEXT_COLUMNS = frozenset({"id", "mrn", "study_id", "timepoint", "completed_on"})
"""Columns that identify a questionnaire; copied through untouched."""


@dataclass
class ScoringOutcome:
    rows: int = 0
    scored: int = 0
    problems: list[str] = field(default_factory=list)


def score_columns(instrument: Instrument, input_columns: list[str]) -> list[tuple[str, str, bool]]:
    """(output column, score name, is band) for each column added; a name already used by an input
    column (NRS scores share their item codes) gets the suffix ``_score``."""
    taken = set(input_columns)
    columns = []
    for spec in instrument.scores:
        column = spec.name if spec.name not in taken else f"{spec.name}_score"
        columns.append((column, spec.name, False))
        if spec.bands:
            columns.append((f"{spec.name}_band", spec.name, True))
    return columns


class _CellReader:
    """Parses one item's cells; the common answers are a dictionary look-up, the rest go slow."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self.fast: dict[str, int | None] = {str(value): value for value in item.accepted_values()}
        self.fast[""] = None

    def __call__(self, raw: str) -> int | None:
        try:
            return self.fast[raw]
        except KeyError:
            return self.item.parse(raw)


def score_table(
    table: CsvTable,
    instrument: Instrument,
    out: TextIO,
    progress: Progress = no_progress,
    **rule_options: int,
) -> ScoringOutcome:
    """Write ``table`` plus score columns to ``out``; raise InputErrors when the header is unusable."""
    allowed = set(instrument.item_codes) | CONTEXT_COLUMNS
    required = {item.code for item in instrument.items if not item.optional}
    problems = header_problems(table, required, allowed)
    if problems:
        raise InputErrors(problems)

    scorer = scorer_for(instrument.id)
    readers = {
        index: (column, _CellReader(instrument.item(column)))
        for index, column in enumerate(table.header)
        if column in instrument.item_codes
    }
    added = score_columns(instrument, table.header)
    specs = {spec.name: spec for spec in instrument.scores}
    width = len(table.header)
    writer = SafeWriter(out, delimiter=table.delimiter, lineterminator="\n")
    writer.writerow(table.header + [column for column, _, _ in added])

    outcome = ScoringOutcome()
    total = table.text.count("\n")
    for row in table.rows():
        outcome.rows += 1
        fields = row.fields
        row_problems = []
        if len(fields) != width:
            row_problems.append(f"line {row.line}: expected {width} fields, found {len(fields)}")
            fields = (fields + [""] * width)[:width]
        answers: dict[str, int | None] = {}
        for index, (column, read) in readers.items():
            try:
                answers[column] = read(fields[index].strip())
            except ValueError as exc:
                row_problems.append(f"line {row.line}, field {column}: {exc}")
        if not row_problems:
            row_problems += [f"line {row.line}: {problem}" for problem in instrument.contradictions(answers)]
        extra: list[str]
        if row_problems:
            outcome.problems.extend(row_problems)
            extra = [""] * len(added)
        else:
            values = scorer.score(answers, **rule_options)
            outcome.scored += 1
            extra = [
                (band.code if (band := specs[name].band_for(values[name])) else "")
                if is_band else specs[name].text(values[name])
                for _, name, is_band in added
            ]
        writer.writerow(fields + extra)
        if outcome.rows % 1000 == 0:
            progress(row.line, total)
    progress(total, total)
    return outcome
