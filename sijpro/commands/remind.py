"""``sijpro remind [--date YYYY-MM-DD] [--letters DIR] [--send] [--json]``: the day's follow-up contact plan by
the reminder ladder; with ``--letters`` its letters with paper packs written as PDFs into DIR (one per
patient and the day's batch for the post room), with ``--send`` its e-mails sent through
``$SIJPRO_SMTP_URL``; every contact recorded. ``--letters`` run again the same day records nothing new and
writes the day's letters again (``sijpro.services.letters``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from sijpro.access import Capability
from sijpro.commands.clinic_access import signed_in
from sijpro.commands.due import iso_date
from sijpro.commands.outputs import add_output
from sijpro.errors import UserError
from sijpro.mail import SMTP_URL_VARIABLE, SmtpServer
from sijpro.progress import TerminalBar
from sijpro.services.letters import LettersReport
from sijpro.services.reminders import PlanEntry, ReminderPlan, SendReport
from sijpro.visit_codes import shown as shown_code

CHANNEL_TITLES = (("email", "E-MAIL"), ("post", "LETTER WITH PAPER PACK"), ("phone", "PHONE CALL"))
SKIP_WORDS = {
    "no_consent": "consent to be contacted not recorded", "declined": "declined to be contacted",
    "no_email": "no e-mail address", "no_address": "no postal address", "no_phone": "no phone number",
    "prefers_other": "prefers another channel",
}
UNDELIVERED_WORDS = {"refused": "refused by the server", "failed": "failed (tried again at the next run)",
                     "sending": "handed to the server, no answer heard back (not sent again)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "remind", help="the day's follow-up contact plan (e-mails, letters, phone calls)",
        description="Who gets an e-mail, a letter with a paper pack or a phone call today, by the clinic's "
        "reminder ladder (the protocol's 'reminders'), for every visit due or overdue; rungs that cannot "
        "be made are listed with the reason.",
    )
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the day (default: today)")
    parser.add_argument("--send", action="store_true",
                        help=f"send the plan's e-mails through the SMTP server of ${SMTP_URL_VARIABLE} "
                        "(e.g. smtp://127.0.0.1:2525, smtp+starttls://user:password@host, smtps://host)")
    add_output(parser, "--letters", folder=True, metavar="DIR",
               help="write the day's letters with paper packs into DIR (created if needed): one PDF per patient "
               "and letters-YYYY-MM-DD.pdf with all of them for the post room; each letter is recorded once "
               "(run again the same day, it writes the same letters again and records nothing new)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    server = None
    if args.send:
        url = os.environ.get(SMTP_URL_VARIABLE, "").strip()
        if not url:
            raise UserError(f"set {SMTP_URL_VARIABLE} to the clinic's SMTP server (e.g. smtp://127.0.0.1:2525) "
                            "to send the e-mails; nothing was sent")
        server = SmtpServer.from_url(url)
    with signed_in(args, Capability.REMINDERS) as clinic:
        day = args.date or clinic.today
        letters = None
        if args.letters is not None:
            letters = clinic.letters.write(args.letters, day, progress=TerminalBar("letters"))
        report = clinic.reminders.send(server, day) if server is not None else None
        plan = clinic.reminders.plan(day)
    if args.json:
        shown = plan_json(plan) | ({"send": report_json(report, server)} if report and server else {})
        if letters is not None:
            shown |= {"letters": letters_json(letters)}
        print(json.dumps(shown, indent=2, ensure_ascii=False))
    else:
        print((letters_text(letters) + "\n\n" if letters is not None else "")
              + (report_text(report, server) + "\n\n" if report and server else "") + plan_text(plan))
    if report is None:
        return 0
    if report.unreachable:
        print(f"sijpro remind: {report.unreachable}; {len(report.not_tried) + len(report.failed)} e-mail(s) "
              "were not sent and will be tried again at the next run", file=sys.stderr)
        return 1
    if report.refused or report.failed:
        print(f"sijpro remind: {len(report.refused)} address(es) refused and {len(report.failed)} e-mail(s) "
              "failed: see the list above", file=sys.stderr)
        return 1
    return 0


def letters_json(report: LettersReport) -> dict[str, Any]:
    return {"folder": str(report.folder), "batch": report.batch,
            "written": [{"mrn": letter.patient.mrn, "visit_id": letter.visit.id, "timepoint": letter.visit.timepoint,
                         "step": letter.step, "code": shown_code(letter.code), "file": letter.file,
                         "new": letter.new} for letter in report.letters]}


def letters_text(report: LettersReport) -> str:
    lines = [f"Letters for {report.day.isoformat()}: {len(report.new)} new letter(s) recorded, "
             f"{len(report.again)} already recorded that day written again, in {report.folder}"
             + (f" (post room: {report.batch})" if report.batch else "")]
    lines += [f"  {letter.patient.mrn:<14} {letter.patient.display_name[:28]:<28} {letter.visit.timepoint:<9} "
              f"{shown_code(letter.code)}  {letter.file}" + ("" if letter.new else "  (again)")
              for letter in report.letters]
    return "\n".join(lines)


def report_json(report: SendReport, server: SmtpServer) -> dict[str, Any]:
    return {
        "server": server.where, "sent": [entry_json(entry) for entry in report.sent],
        "refused": [entry_json(entry) | {"detail": detail} for entry, detail in report.refused],
        "failed": [entry_json(entry) | {"detail": detail} for entry, detail in report.failed],
        "not_tried": [entry_json(entry) for entry in report.not_tried], "unreachable": report.unreachable,
    }


def report_text(report: SendReport, server: SmtpServer) -> str:
    lines = [f"Sent {len(report.sent)} e-mail(s) through {server.where}; {len(report.refused)} refused, "
             f"{len(report.failed)} failed, {len(report.not_tried)} not tried"]
    lines += [_line(entry, f"{entry.to}  REFUSED: {detail}") for entry, detail in report.refused]
    lines += [_line(entry, f"{entry.to}  FAILED: {detail}") for entry, detail in report.failed]
    return "\n".join(lines)


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
            "skipped": [entry_json(entry) for entry in plan.skipped],
            "undelivered": [entry_json(entry) | {"outcome": attempt.outcome, "detail": attempt.detail,
                                                 "at": attempt.at.isoformat(timespec="seconds"), "by": attempt.by}
                            for entry, attempt in plan.undelivered]}


def plan_text(plan: ReminderPlan) -> str:
    counts = plan.counts
    lines = [f"Contact plan for {plan.day.isoformat()}: {counts['email']} e-mail(s), {counts['post']} letter(s), "
             f"{counts['phone']} call(s), {counts['skipped']} skipped"
             + (f", {counts['undelivered']} not delivered" if counts["undelivered"] else "")]
    for channel, title in CHANNEL_TITLES:
        entries = plan.of(channel)
        if entries:
            lines += ["", title]
            lines += [_line(entry, entry.to.replace("\n", ", ")) for entry in entries]
    if plan.undelivered:
        lines += ["", "NOT DELIVERED"]
        lines += [_line(entry, f"{entry.to}  {UNDELIVERED_WORDS[attempt.outcome]} {attempt.at:%Y-%m-%d %H:%M}"
                        + (f": {attempt.detail}" if attempt.detail else ""))
                  for entry, attempt in plan.undelivered]
    if plan.skipped:
        lines += ["", "SKIPPED"]
        lines += [_line(entry, SKIP_WORDS.get(entry.step.skipped or "", entry.step.skipped or ""))
                  for entry in plan.skipped]
    return "\n".join(lines)


def _line(entry: PlanEntry, detail: str) -> str:
    return (f"  {entry.patient.mrn:<14} {entry.patient.display_name[:28]:<28} {entry.visit.timepoint:<9} "
            f"{entry.step.step:<10} day {entry.step.days_open:>3} of window  {detail}")
