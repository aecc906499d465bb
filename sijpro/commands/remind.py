"""``sijpro remind [--date YYYY-MM-DD] [--json]``: the day's follow-up contact plan by the reminder ladder."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.commands.due import iso_date
from sijpro.services.reminders import PlanEntry, ReminderPlan

CHANNEL_TITLES = (("email", "E-MAIL"), ("post", "LETTER WITH PAPER PACK"), ("phone", "PHONE CALL"))
SKIP_WORDS = {
    "no_consent": "consent to be contacted not recorded", "declined": "declined to be contacted",
    "no_email": "no e-mail address", "no_address": "no postal address", "no_phone": "no phone number",
    "prefers_other": "prefers another channel",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remind", help="the day's follow-up contact plan (e-mails, letters, phone calls)",
        description="Who gets an e-mail, a letter with a paper pack or a phone call today, by the clinic's "
        "reminder ladder (the protocol's 'reminders'), for every visit due or overdue; rungs that cannot "
        "be made are listed with the reason.",
    )
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with signed_in(args, Capability.REMINDERS) as clinic:
        plan = clinic.reminders.plan(args.date or clinic.today)
    print(json.dumps(plan_json(plan), indent=2, ensure_ascii=False) if args.json else plan_text(plan))
    return 0


def entry_json(entry: PlanEntry) -> dict[str, Any]:
    step, patient, visit = entry.step, entry.patient, entry.visit
    return {
        "mrn": patient.mrn, "patient_id": patient.id, "name": patient.display_name, "language": patient.language,
        "visit_id": visit.id, "timepoint": visit.timepoint, "state": entry.state,
        "window_start": visit.window_start.isoformat(), "window_end": visit.window_end.isoformat(),
        "step": step.step, "channel": step.channel, "step_day": step.day, "days_open": step.days_open,
        "to": entry.to, "skipped": step.skipped,
    }


def plan_json(plan: ReminderPlan) -> dict[str, Any]:
    return {"date": plan.day.isoformat(), "counts": plan.counts,
            **{channel: [entry_json(entry) for entry in plan.of(channel)] for channel, _ in CHANNEL_TITLES},
            "skipped": [entry_json(entry) for entry in plan.skipped]}


def plan_text(plan: ReminderPlan) -> str:
    counts = plan.counts
    lines = [f"Contact plan for {plan.day.isoformat()}: {counts['email']} e-mail(s), {counts['post']} letter(s), "
             f"{counts['phone']} call(s), {counts['skipped']} skipped"]
    for channel, title in CHANNEL_TITLES:
        entries = plan.of(channel)
        if entries:
            lines += ["", title]
            lines += [_line(entry, entry.to.replace("\n", ", ")) for entry in entries]
    if plan.skipped:
        lines += ["", "SKIPPED"]
        lines += [_line(entry, SKIP_WORDS.get(entry.step.skipped or "", entry.step.skipped or ""))
                  for entry in plan.skipped]
    return "\n".join(lines)


def _line(entry: PlanEntry, detail: str) -> str:
    return (f"  {entry.patient.mrn:<14} {entry.patient.display_name[:28]:<28} {entry.visit.timepoint:<9} "
            f"{entry.step.step:<10} day {entry.step.days_open:>3} of window  {detail}")
