"""``sijpro export {csv,redcap,fhir,spss,stata} -o PATH [--deidentify] [--excel [LANGUAGE]]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sijpro.commands.clinic_access import open_clinic
from sijpro.exchange.output import EXCEL
from sijpro.progress import TerminalBar

KINDS = {
    "csv": "a folder: patients.csv and responses.csv (the import format), analysis_wide.csv, data_dictionary.csv, "
           "datapackage.json",
    "redcap": "a folder: REDCap data dictionary, arms, events, instrument-event mapping and import file",
    "fhir": "a file: one FHIR R4 Bundle (JSON) of Questionnaires, Patients, QuestionnaireResponses, Observations",
    "spss": "a folder: sijpro_visits.sav, one row per patient and scheduled timepoint with its visit state, mode "
            "of collection, answers and scores, with variable and value labels and user-missing codes",
    "stata": "a folder: sijpro_visits.dta, the same table for Stata (extended missing .a not administered, "
             ".b skipped, .c unknown)",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="export the clinic's data as CSV, for REDCap, as FHIR, or for SPSS or Stata",
        description="Export every patient and every completed questionnaire. " + " ".join(
            f"{kind}: {what}." for kind, what in KINDS.items()),
    )
    parser.add_argument("kind", choices=tuple(KINDS), help="csv, redcap, fhir, spss or stata")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                        help="the folder (csv, redcap, spss, stata) or the .json file (fhir) to write")
    parser.add_argument("--deidentify", action="store_true",
                        help="study IDs instead of MRNs and names, age at surgery instead of birth date, days "
                        "from the index surgery instead of dates (IDs differ in every export)")
    parser.add_argument("--excel", nargs="?", const="auto", choices=("auto", *EXCEL), metavar="LANGUAGE",
                        help="csv only: files for Excel (UTF-8 with a byte-order mark); in French (fr) ';' between "
                        "cells and decimal commas; without LANGUAGE, the language of this computer's locale")
    parser.set_defaults(handler=run)


def excel_language(choice: str | None) -> str | None:
    """--excel's language; 'auto': fr when this computer's locale is French, else en."""
    if choice != "auto":
        return choice
    name = next((os.environ[key] for key in ("LC_ALL", "LC_NUMERIC", "LANG") if os.environ.get(key)), "")
    return "fr" if name.lower().startswith("fr") else "en"


def run(args: argparse.Namespace) -> int:
    excel = excel_language(args.excel)
    if excel is not None and args.kind != "csv":
        print(f"sijpro export {args.kind}: --excel is for csv exports only", file=sys.stderr)
        return 2
    with open_clinic(args) as clinic:
        export = clinic.exports.write(args.kind, args.output, deidentify=args.deidentify,
                                      progress=TerminalBar(f"export {args.kind}"), excel=excel)
    questionnaires = sum(len(subject.questionnaires) for subject in export.subjects)
    mode = "de-identified" if args.deidentify else "identified"
    print(f"exported {len(export.subjects):,} patients and {questionnaires:,} questionnaires ({mode}) to {args.output}")
    return 0
