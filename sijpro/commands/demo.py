"""``sijpro demo --patients N [--seed S] [--today YYYY-MM-DD]``: a synthetic clinic to train on."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets

from sijpro.access import Capability
from sijpro.commands.clinic_access import actor, authorise_before_init, passphrase_source
from sijpro.errors import UserError
from sijpro.progress import TerminalBar

MOST_PATIENTS = 1_000_000


def patient_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MOST_PATIENTS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of patients from 1 to {MOST_PATIENTS:,}")
    return int(text)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def site_code(text: str) -> str:
    from sijpro.records import site_problem

    problem = site_problem(text.strip())
    if problem is not None:
        raise argparse.ArgumentTypeError(problem.text)
    return text.strip()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="add a synthetic cohort (training, screenshots, benchmarks)",
        description="Add N synthetic patients shaped like the seed studies (post-fusion lateral cases and "
        "posterior salvage cases), with surgeries over the last three years and the questionnaires they "
        "answered, some missed or late. MRNs start with DEMO- so they are never taken for real patients. "
        "Creates the database if needed. Into a database that has accounts it needs an administrator's "
        "sign-in; into a new one (or one without any account) none: add the first administrator "
        "afterwards with 'sijpro users add NAME --role admin'.",
    )
    parser.add_argument("--patients", type=patient_count, required=True, metavar="N")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="the same seed gives the same cohort (default: a random seed, printed)")
    parser.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                        help="the day the clinic is at, for reproducible screenshots (default: today)")
    parser.add_argument("--site", type=site_code, default="", metavar="CODE",
                        help="the centre code every demo patient gets (a multicentre study pools several)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sijpro.demo import demo_mrn, generate_demo_cohort
    from sijpro.services.clinic import Clinic
    from sijpro.services.context import FixedClock

    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    clock = FixedClock(args.today) if args.today else None
    passphrase = passphrase_source(args)
    username = authorise_before_init(args, Capability.IMPORT)
    Clinic.init(args.db, actor=actor(), clock=clock, passphrase=passphrase)
    with Clinic.open(args.db, actor=actor(), clock=clock, passphrase=passphrase) as opened:
        # a database without accounts is filled as the demo generator's own: nobody could sign in there yet
        clinic = opened.session(username) if username else opened.system_session(actor())
        if clinic.patients.by_mrn(demo_mrn(seed, 0)) is not None:
            raise UserError(f"the demo cohort of seed {seed} is already in {clinic.where}: choose another --seed")
        today = clinic.today
        batch = generate_demo_cohort(args.patients, seed, today=today, protocol=clinic.protocols.current(),
                                     progress=TerminalBar("generating"), site=args.site)
        summary = clinic.imports.load(batch, TerminalBar("loading"))
        where = clinic.where
    print(f"demo (seed {seed}, as of {today}): {summary.patients:,} patients, {summary.visits:,} visits "
          f"({summary.completed_visits:,} completed, {summary.missed_visits:,} missed, "
          f"{summary.cancelled_visits:,} cancelled), {summary.questionnaires:,} questionnaires, "
          f"{summary.answers:,} answers, {summary.complications:,} complications into {where}")
    if not username:
        print("no account yet: add the first administrator with 'sijpro users add NAME --role admin'")
    return 0
