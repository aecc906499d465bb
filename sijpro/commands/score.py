"""``sijpro score INSTRUMENT IN.csv [-o OUT.csv]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sijpro.commands.outputs import add_output
from sijpro.errors import UserError
from sijpro.exchange.csv_files import CsvTable, read_csv
from sijpro.exchange.score_csv import ScoringOutcome, score_table
from sijpro.instruments import Instrument, bundled_instruments, get_instrument
from sijpro.progress import Progress, TerminalBar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a CSV of questionnaires (one per row, item codes as columns)",
        description="Score one questionnaire per row. Output: the input columns plus the score "
        "columns. Invalid rows are listed on stderr with line and field; exit status 1 if any.",
    )
    parser.add_argument("instrument", choices=sorted(bundled_instruments()), metavar="INSTRUMENT",
                        help="one of: " + ", ".join(sorted(bundled_instruments())))
    parser.add_argument("input", type=Path, metavar="IN.csv")
    add_output(parser, "-o", "--output", metavar="OUT.csv", help="default: standard output")
    parser.add_argument("--odi-max-missing", type=int, default=None, metavar="N",
                        help="ODI: unanswered sections allowed before the index is missing (default 1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    instrument = get_instrument(args.instrument)
    options: dict[str, int] = {}
    if args.odi_max_missing is not None:
        if instrument.id != "odi":
            raise UserError("--odi-max-missing applies to the odi instrument only")
        if not 0 <= args.odi_max_missing <= 9:
            raise UserError("--odi-max-missing must be between 0 and 9")
        options["max_missing"] = args.odi_max_missing
    table = read_csv(args.input)
    progress = TerminalBar(f"scoring {args.input.name}")
    if args.output is None:
        outcome = score_table(table, instrument, sys.stdout, progress, **options)
    else:
        outcome = _score_to_file(table, instrument, args.output, progress, options)
    for problem in outcome.problems:
        print(f"{args.input.name}, {problem}", file=sys.stderr)
    invalid = outcome.rows - outcome.scored
    if invalid:
        print(f"sijpro: {invalid} of {outcome.rows} rows invalid; {outcome.scored} scored", file=sys.stderr)
        return 1
    return 0


def _score_to_file(
    table: CsvTable, instrument: Instrument, output: Path, progress: Progress, options: dict[str, int]
) -> ScoringOutcome:
    """Write beside the target and rename, so a failure never leaves half a file."""
    directory = output.resolve().parent
    if not directory.is_dir():
        raise UserError(f"{output}: folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".sijpro-", suffix=".csv", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            outcome = score_table(table, instrument, out, progress, **options)
        Path(temporary).replace(output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return outcome
