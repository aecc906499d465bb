"""``sijpro due [--date YYYY-MM-DD] [--json]``: the worklist of a day."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.services.scheduling import MISSED_DAYS, OVERDUE_DAYS, UPCOMING_DAYS, Worklist, WorklistEntry

SECTIONS = ("due", "overdue", "upcoming", "missed")


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "due", help="who is due, overdue, upcoming or missed on a day",
        description="The follow-up worklist: visits due (inside their window), overdue (window closed "
        "less than --overdue-days ago, still worth collecting), upcoming (window opens within "
        "--upcoming-days) and recently missed.",
    )
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--overdue-days", type=days, default=OVERDUE_DAYS, metavar="N",
                        help=f"default {OVERDUE_DAYS}")
    parser.add_argument("--upcoming-days", type=days, default=UPCOMING_DAYS, metavar="N",
                        help=f"default {UPCOMING_DAYS}")
    parser.add_argument("--missed-days", type=days, default=MISSED_DAYS, metavar="N",
                        help=f"how far back missed visits are listed (default {MISSED_DAYS})")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with signed_in(args, Capability.WORKLIST) as clinic:
        worklist = clinic.schedule.worklist(args.date or clinic.today, overdue_days=args.overdue_days,
                                            upcoming_days=args.upcoming_days, missed_days=args.missed_days)
    if args.json:
        print(json.dumps(worklist_json(worklist), indent=2, ensure_ascii=False))
    else:
        print(worklist_text(worklist))
    return 0


def entry_json(entry: WorklistEntry) -> dict[str, Any]:
    visit, patient = entry.visit, entry.patient
    return {
        "mrn": patient.mrn, "patient_id": patient.id, "name": patient.display_name,
        "visit_id": visit.id, "timepoint": visit.timepoint, "status": visit.status, "state": entry.state.code,
        "due_date": visit.due_date.isoformat(), "window_start": visit.window_start.isoformat(),
        "window_end": visit.window_end.isoformat(), "pending": list(entry.pending),
        "in_progress": entry.in_progress, "days_late": entry.days_late,
    }


def worklist_json(worklist: Worklist) -> dict[str, Any]:
    return {"date": worklist.day.isoformat(), "counts": worklist.counts,
            **{name: [entry_json(entry) for entry in getattr(worklist, name)] for name in SECTIONS}}


def worklist_text(worklist: Worklist) -> str:
    counts = ", ".join(f"{count} {name}" for name, count in worklist.counts.items())
    lines = [f"Worklist for {worklist.day.isoformat()}: {counts}"]
    for name in SECTIONS:
        entries = getattr(worklist, name)
        if not entries:
            continue
        lines += ["", name.upper()]
        for entry in entries:
            late = f"  {entry.days_late} days late" if entry.days_late else ""
            lines.append(f"  {entry.patient.mrn:<14} {entry.patient.display_name[:28]:<28} "
                         f"{entry.visit.timepoint:<9} due {entry.visit.due_date.isoformat()} "
                         f"(window {entry.visit.window_start.isoformat()} to {entry.visit.window_end.isoformat()})"
                         f"  {', '.join(entry.pending) or '-'}{late}")
    return "\n".join(lines)
