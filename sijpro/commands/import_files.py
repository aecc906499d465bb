"""``sijpro import FILE.csv ...``: patients and questionnaire files, all of them or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.errors import InputErrors
from sijpro.progress import TerminalBar


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import patients and questionnaires from CSV files (all or nothing)",
        description="Import CSV files of patients (mrn, names, birth_date, ..., surgery_date, side, approach), "
        "of questionnaire answers (mrn, timepoint, instrument, item, value, completed_on) and of "
        "complications (mrn, occurred_on, kind, side, revision, notes), or the files of de-identified exports "
        "(study_id, site, ...) into a study database pooling several centres; the kind "
        "of each file is told by its header. Every file is checked first: if any line is wrong, every "
        "problem is listed with its file and line and nothing is imported (exit status 1).",
    )
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE.csv")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.services.file_jobs import import_files

    with signed_in(args, Capability.IMPORT) as clinic:
        try:
            summary = import_files(clinic, args.files, TerminalBar("importing"))
        except InputErrors as errors:
            for problem in errors.problems:
                print(problem, file=sys.stderr)
            count = len(errors.problems)
            print(f"sijpro: {count} problem{'s' if count != 1 else ''}; nothing was imported", file=sys.stderr)
            return 1
        where = clinic.where
    count = summary.complications
    complications = f", {count:,} complication{'s' * (count != 1)}" if count else ""
    print(f"imported {summary.patients:,} patients and {summary.questionnaires:,} questionnaires "
          f"({summary.answers:,} answers){complications} into {where}")
    return 0
