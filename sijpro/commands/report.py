"""``sijpro report patient MRN -o FILE.pdf``, ``report all --out-dir DIR``, ``report cohort -o FILE.pdf``.

Reports only read the database. The generation time printed in the footers is now, or
``$SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), so a rerun can give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from typing import TYPE_CHECKING

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.commands.outputs import add_output
from sijpro.errors import UserError
from sijpro.progress import TerminalBar

if TYPE_CHECKING:  # the command line loads the database layers only for the command it runs
    from sijpro.services.session import Session

PAGE_SIZE_NAMES = ("a4", "letter")
LANGUAGES = ("en", "fr")
"""As in sijpro.reports (document.PAGE_SIZES, texts.LANGUAGES), named here so that --help does not load
reportlab and matplotlib; tests/test_cli_startup.py checks they agree."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="trajectory PDFs per patient and the cohort summary (PDF and JSON)",
        description="Patient trajectory PDFs and the cohort summary of the seed studies' tables.",
    )
    kinds = parser.add_subparsers(dest="report_kind", metavar="KIND", required=True)

    patient = kinds.add_parser("patient", help="one patient's trajectory PDF")
    patient.add_argument("mrn", metavar="MRN")
    add_output(patient, "-o", "--output", required=True, metavar="FILE.pdf")
    _page_options(patient, language_help="default: the patient's own language")
    patient.set_defaults(handler=run_patient)

    every = kinds.add_parser("all", help="one trajectory PDF per patient, named after the MRN")
    add_output(every, "--out-dir", folder=True, required=True, metavar="DIR", help="created if needed")
    every.add_argument("--workers", type=int, metavar="N", help="processes (default: one per core for large clinics)")
    _page_options(every, language_help="default: each patient's own language")
    every.set_defaults(handler=run_all)

    cohort = kinds.add_parser("cohort", help="cohort summary PDF, and its numbers as JSON")
    add_output(cohort, "-o", "--output", required=True, metavar="FILE.pdf")
    add_output(cohort, "--json", metavar="FILE", help="also write the summary as JSON (DESIGN.md)")
    cohort.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                        help="subgroup, repeatable: site (centre code), fbss, sex, side, approach, "
                        "prior_lumbosacral_fusion (0/1), a prior intervention (scs=1 ... inj=0), age_from, age_to "
                        "(years at surgery), surgery_from, surgery_to (YYYY-MM-DD)")
    cohort.add_argument("--compare", metavar="KEY",
                        help="compare the groups of KEY (site, fbss, sex, side, approach, prior_lumbosacral_fusion, "
                        "scs ... inj): each group's summary and the tests between them")
    cohort.add_argument("--at", default="last", metavar="TIMEPOINT",
                        help="the timepoint the results sentences speak of: a follow-up code (w6, m3 ... m24) or "
                        "last (default: each patient's latest follow-up)")
    for kind, example, meaning in (("mcid", "odi.odi=10 or odi.odi=30%", "minimal clinically important difference"),
                                   ("scb", "odi.odi=36.8%", "substantial clinical benefit"),
                                   ("pass", "odi.odi=15.3", "patient-acceptable symptom state")):
        cohort.add_argument(f"--{kind}", action="append", default=[], metavar="SCORE=VALUE",
                            help=f"{meaning} threshold instead of the library's default (points, or a percentage "
                            f"of baseline), e.g. {example}; repeatable")
    _page_options(cohort, language_help="default: en")
    cohort.set_defaults(handler=run_cohort)


def _page_options(parser: argparse.ArgumentParser, *, language_help: str) -> None:
    parser.add_argument("--language", choices=LANGUAGES, help=language_help)
    parser.add_argument("--page-size", choices=PAGE_SIZE_NAMES, default="a4", help="default: a4")
    parser.add_argument("--clinic", metavar="NAME",
                        help="clinic name in the header (default: $SIJPRO_CLINIC_NAME, else the name the clinic "
                        "was given at set-up or in Administration > Clinic)")


def clinic_name(args: argparse.Namespace, clinic: Session) -> str:
    """The header's clinic name: the option, the environment, else the clinic's own setting, so a report
    printed from the command line is headed as the desktop's are."""
    if args.clinic is not None:
        return str(args.clinic)
    return os.environ.get("SIJPRO_CLINIC_NAME") or clinic.settings.load().name


def generation_time() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
        except ValueError:
            raise UserError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    return dt.datetime.now().replace(microsecond=0)


def run_patient(args: argparse.Namespace) -> int:
    from sijpro.reports.batch import PageSettings, write_pdf

    with signed_in(args, Capability.REPORTS) as clinic:
        record = clinic.patients.by_mrn(args.mrn)
        if record is None:
            raise UserError(f"no patient with MRN {args.mrn!r}")
        outcomes = clinic.outcomes.patient(record.id)
        settings = PageSettings(generation_time(), clinic_name(args, clinic), args.page_size, args.language,
                                tuple(clinic.protocols.versions()))
    write_pdf(args.output, settings.render(outcomes))
    return 0


def run_all(args: argparse.Namespace) -> int:
    from sijpro.services.file_jobs import patient_reports

    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    with signed_in(args, Capability.REPORTS) as clinic:
        paths = patient_reports(clinic, args.out_dir, generated_at=generation_time(),
                                clinic_name=clinic_name(args, clinic),
                                language=args.language, page_size=args.page_size, workers=args.workers,
                                progress=TerminalBar("patient reports"))
    print(f"{len(paths)} patient reports in {args.out_dir}")
    return 0


def _thresholds(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """``--mcid/--scb/--pass SCORE=VALUE`` as kind -> score -> value text (checked by the analysis)."""
    chosen: dict[str, dict[str, str]] = {}
    for kind in ("mcid", "scb", "pass"):
        for pair in getattr(args, kind):
            key, equals, value = pair.partition("=")
            if not equals or not key.strip() or not value.strip():
                raise UserError(f"--{kind} {pair!r}: expected SCORE=VALUE, e.g. odi.odi=10 or odi.odi=30%")
            if key.strip() in chosen.get(kind, {}):
                raise UserError(f"--{kind} {key.strip()} given twice")
            chosen.setdefault(kind, {})[key.strip()] = value.strip()
    return chosen


def run_cohort(args: argparse.Namespace) -> int:
    from sijpro.analysis import parse_where
    from sijpro.exchange.output import export_file
    from sijpro.reports import cohort_pdf
    from sijpro.reports.batch import write_pdf

    where = parse_where(args.where)
    thresholds = _thresholds(args)
    with signed_in(args, Capability.COHORT) as clinic:
        summary = clinic.cohort.summary(where, at=args.at, thresholds=thresholds, compare=args.compare)
        name = clinic_name(args, clinic)
    pdf = cohort_pdf(summary, generated_at=generation_time(), clinic=name, language=args.language or "en",
                     size=args.page_size)
    if args.json is not None:
        with export_file(args.json) as temporary:
            temporary.write_text(summary.to_json(), encoding="utf-8")
    write_pdf(args.output, pdf)
    return 0
