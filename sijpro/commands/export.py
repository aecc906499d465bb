"""``sijpro export {csv,redcap,fhir,spss,stata} -o PATH [--deidentify] [--excel [LANGUAGE]]
[--url URL --token-stdin]``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.commands.outputs import check_output
from sijpro.errors import UserError
from sijpro.exchange.output import EXCEL
from sijpro.progress import TerminalBar

TOKEN_VARIABLE = "SIJPRO_REDCAP_TOKEN"

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
    parser.add_argument("--url", metavar="URL",
                        help="redcap only: then upload the export through the REDCap API at URL (ending in /api/) "
                        "into an existing longitudinal project in development status")
    parser.add_argument("--token-stdin", action="store_true",
                        help="with --url: read the project's API token from standard input (after the database "
                        f"passphrase, if --passphrase-stdin too); default: ${TOKEN_VARIABLE}, else a prompt")
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
    if (args.url or args.token_stdin) and args.kind != "redcap":
        print(f"sijpro export {args.kind}: --url is for redcap exports only", file=sys.stderr)
        return 2
    check_output("-o", args.output, folder=args.kind != "fhir")
    with signed_in(args, Capability.EXPORT) as clinic:
        export = clinic.exports.write(args.kind, args.output, deidentify=args.deidentify,
                                      progress=TerminalBar(f"export {args.kind}"), excel=excel)
    questionnaires = sum(len(subject.questionnaires) for subject in export.subjects)
    mode = "de-identified" if args.deidentify else "identified"
    print(f"exported {len(export.subjects):,} patients and {questionnaires:,} questionnaires ({mode}) to {args.output}")
    if args.url:
        from sijpro.exchange.redcap_upload import upload_redcap

        sent = upload_redcap(args.output, args.url, redcap_token(args))
        print(f"uploaded to REDCap: {sent.fields} fields, {sent.events} events, {sent.mappings} form-event "
              f"designations, {sent.records:,} records")
    return 0


def redcap_token(args: argparse.Namespace) -> str:
    """The API token: never an argument (it would show in the process list and the shell history)."""
    if args.token_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UserError("--token-stdin: standard input ended before a REDCap API token")
        return line.strip()
    if os.environ.get(TOKEN_VARIABLE):
        return os.environ[TOKEN_VARIABLE].strip()
    if sys.stdin.isatty():
        return getpass.getpass("REDCap API token: ").strip()
    raise UserError(f"a REDCap API token is needed: --token-stdin, ${TOKEN_VARIABLE}, or run in a terminal")
