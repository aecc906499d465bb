"""The day's follow-up contact plan (``sijpro remind``): who gets an e-mail, a letter with a paper pack or a
nurse's phone call today, by the clinic's reminder ladder; and sending the plan's e-mails (``--send``).

The visits and their states are the worklist's (``Schedule.worklist``, which asks ``sijpro.visit_state``);
the ladder is the current protocol's, so an administrator's edit applies from the next plan on; the rule
is ``sijpro.reminders.day_plan``; the rungs already made are the ``contact_attempts`` rows.

Sending is at most once per rung: each e-mail is written down as ``sending`` (committed, audited) before
it is handed to the server and given its outcome after, so a run that dies in between never sends it
again, and the unique index keeps two runs at once from both taking it. A server that cannot be reached
stops the run with its reason: the e-mail being sent is recorded as failed, the others are not tried,
and all of them are in the next run's plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sijpro.access import Capability, requires
from sijpro.contact import ContactDetails
from sijpro.errors import UserError
from sijpro.mail import AtHome, Mailer, Reminder, ServerUnreachable, SmtpServer, reminder_message
from sijpro.problems import Problem
from sijpro.progress import Progress, no_progress
from sijpro.records import PatientRecord, VisitRecord
from sijpro.reminders import (
    CALL_OUTCOMES,
    MADE_OUTCOMES,
    UNDELIVERED_OUTCOMES,
    ChasedVisit,
    ContactAttemptRecord,
    PlannedStep,
    day_plan,
)
from sijpro.services.audit import Change, record
from sijpro.services.clinic_settings import Settings, web_url
from sijpro.services.contacts import claim_attempt, contact_record
from sijpro.services.context import ServiceContext
from sijpro.services.invitations import Invitations
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import Schedule
from sijpro.storage.bulk import chunks
from sijpro.storage.models import ContactAttempt, PatientContact, Visit

LOOKUP_CHUNK = 5000
NOTE_LENGTH = 500


def attempt_record(row: ContactAttempt) -> ContactAttemptRecord:
    return ContactAttemptRecord(row.id, row.patient_id, row.visit_id, row.step, row.channel, row.at, row.by,
                                row.outcome, row.detail, row.call_back_on)


@dataclass(frozen=True, slots=True)
class PlanEntry:
    step: PlannedStep
    patient: PatientRecord
    visit: VisitRecord
    state: str
    contact: ContactDetails

    @property
    def to(self) -> str:
        """Where the rung goes: the e-mail address, the postal address or the E.164 phone number."""
        return {"email": self.contact.email, "post": self.contact.address,
                "phone": self.contact.phone_e164}[self.step.channel]


@dataclass(frozen=True)
class ReminderPlan:
    day: dt.date
    entries: tuple[PlanEntry, ...]
    """Rungs to make today, by channel then window opening."""
    skipped: tuple[PlanEntry, ...]
    """Rungs whose day has come but that cannot or may not be made, each with its reason."""
    undelivered: tuple[tuple[PlanEntry, ContactAttemptRecord], ...] = ()
    """Visits chased today whose latest attempt was refused, failed, or never heard back from."""

    def of(self, channel: str) -> tuple[PlanEntry, ...]:
        return tuple(entry for entry in self.entries if entry.step.channel == channel)

    @property
    def counts(self) -> dict[str, int]:
        return {"email": len(self.of("email")), "post": len(self.of("post")), "phone": len(self.of("phone")),
                "skipped": len(self.skipped), "undelivered": len(self.undelivered)}


@dataclass(frozen=True)
class SendReport:
    sent: tuple[PlanEntry, ...]
    refused: tuple[tuple[PlanEntry, str], ...]
    """The server would not take the address (5xx): the rung is not tried again."""
    failed: tuple[tuple[PlanEntry, str], ...]
    """Refused for now (4xx) or cut off: tried again at the next run."""
    not_tried: tuple[PlanEntry, ...]
    """Left for the next run because the server could not be reached."""
    unreachable: str | None = None
    """Why the server could not be reached (None when it could)."""


class Reminders:
    def __init__(self, context: ServiceContext, schedule: Schedule, protocols: Protocols) -> None:
        self.context = context
        self.schedule = schedule
        self.protocols = protocols

    @requires(Capability.REMINDERS)
    def plan(self, day: dt.date | None = None) -> ReminderPlan:
        """The plan of ``day`` (default today)."""
        self.context.principal.require(Capability.CONTACTS)
        day = day or self.context.today()
        worklist = self.schedule.worklist(day)
        chased = [*worklist.due, *worklist.overdue]
        protocol = self.protocols.current()
        contacts = self._contacts({entry.patient.id for entry in chased})
        visits = [ChasedVisit(entry.visit.id, entry.patient.id, entry.visit.timepoint, entry.state.code,
                              entry.visit.window_start) for entry in chased]
        attempts = self._attempts({entry.patient.id for entry in chased})  # a 'declined' on any visit counts
        made: dict[int, set[str]] = {}
        declined: set[int] = set()
        not_before: dict[tuple[int, str], dt.date] = {}
        for attempt in attempts:
            if attempt.outcome in MADE_OUTCOMES:
                made.setdefault(attempt.visit_id, set()).add(attempt.step)
            if attempt.outcome == "declined":
                declined.add(attempt.patient_id)
            if attempt.call_back_on is not None:
                not_before[(attempt.visit_id, attempt.step)] = attempt.call_back_on  # the latest one stays
        steps = day_plan(day, visits, protocol.ladder, contacts, made, declined=declined, not_before=not_before)
        by_visit = {entry.visit.id: entry for entry in chased}

        def entry_of(step: PlannedStep) -> PlanEntry:
            found = by_visit[step.visit_id]
            return PlanEntry(step, found.patient, found.visit, found.state.code,
                             contacts.get(step.patient_id, ContactDetails(step.patient_id)))

        entries = [entry_of(step) for step in steps]
        latest: dict[int, ContactAttemptRecord] = {}
        for attempt in attempts:  # in id order: the last one per visit stays
            if attempt.visit_id in by_visit:
                latest[attempt.visit_id] = attempt
        undelivered = []
        for attempt in latest.values():
            if attempt.outcome in UNDELIVERED_OUTCOMES:
                chased_visit = by_visit[attempt.visit_id]
                step = PlannedStep(attempt.visit_id, attempt.patient_id, chased_visit.visit.timepoint, attempt.step,
                                   attempt.channel, 0, (day - chased_visit.visit.window_start).days)  # type: ignore[arg-type]  # recorded from a PlannedStep: a step's channel
                undelivered.append((entry_of(step), attempt))
        order = {"email": 0, "post": 1, "phone": 2}

        def key(entry: PlanEntry) -> tuple[int, dt.date, int]:
            return order[entry.step.channel], entry.visit.window_start, entry.visit.id

        return ReminderPlan(day, tuple(sorted((e for e in entries if e.step.skipped is None), key=key)),
                            tuple(sorted((e for e in entries if e.step.skipped is not None), key=key)),
                            tuple(sorted(undelivered, key=lambda pair: key(pair[0]))))

    @requires(Capability.REMINDERS)
    def send(self, server: SmtpServer, day: dt.date | None = None, progress: Progress = no_progress) -> SendReport:
        """Send the plan's e-mails of ``day`` through ``server``, each recorded and audited. When the clinic
        runs the web app (its web address is set), each carries its visit's invitation to answer at home: the
        one that still opens, else a new one, so every rung of a visit sends the same link."""
        site = web_url(self.context)  # a malformed address stops the run before anything is sent
        plan = self.plan(day)
        emails = plan.of("email")
        written = {attempt.visit_id for attempt in self._attempts({entry.patient.id for entry in emails})
                   if attempt.channel == "email" and attempt.outcome == "sent"}
        clinic = Settings(self.context).load().name
        sent: list[PlanEntry] = []
        refused: list[tuple[PlanEntry, str]] = []
        failed: list[tuple[PlanEntry, str]] = []
        unreachable: str | None = None
        done = 0
        with Mailer(server) as mailer:
            for done, entry in enumerate(emails, start=1):  # ``done`` says how far it got
                again = entry.visit.id in written  # "we wrote to you a week ago" only when it is so
                message = reminder_message(Reminder(
                    entry.contact.email, entry.patient.language, entry.patient.given_name,
                    entry.patient.family_name, clinic, again=again, at_home=self._at_home(entry, site)), server)
                attempt = self._claim(entry, str(message["Message-ID"]))
                if attempt is None:
                    continue  # another run took this rung a moment ago
                try:
                    outcome, detail = mailer.send(message)
                except ServerUnreachable as error:
                    unreachable = str(error)
                    self._finish(attempt, "failed", unreachable)
                    failed.append((entry, unreachable))
                    break
                self._finish(attempt, outcome, detail)
                if outcome == "sent":
                    sent.append(entry)
                else:
                    (refused if outcome == "refused" else failed).append((entry, detail))
                progress(done, len(emails))
            else:
                done = len(emails)
        return SendReport(tuple(sent), tuple(refused), tuple(failed), tuple(emails[done:]), unreachable)

    @requires(Capability.REMINDERS)
    def record_call(self, visit_id: int, step: str, outcome: str, *, call_back_on: dt.date | None = None,
                    note: str = "") -> ContactAttemptRecord:
        """The outcome of a phone call of the ladder: ``reached`` (the nurse then takes the answers by phone
        in paper entry), ``no_answer`` (on the plan again tomorrow), ``call_back`` (on the day the patient
        asked), ``declined`` (the ladder stops for this patient) or ``wrong_number``."""
        if outcome not in CALL_OUTCOMES:
            raise UserError(Problem("outcome", "not_one_of",
                                    {"value": repr(outcome), "allowed": ", ".join(CALL_OUTCOMES)}))
        today = self.context.today()
        if outcome == "call_back":
            if call_back_on is None or call_back_on <= today:
                raise UserError(Problem("call_back_on", "call_back_day"))
        elif outcome == "no_answer":
            call_back_on = today + dt.timedelta(days=1)
        else:
            call_back_on = None
        if len(note) > NOTE_LENGTH:
            raise UserError(Problem("note", "at_most", {"limit": str(NOTE_LENGTH)}))
        with self.context.database.writing() as session:
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise UserError(f"no visit with id {visit_id}")
            ladder = self.protocols.current().ladder(visit.timepoint)
            if not any(rung.code == step and rung.channel == "phone" for rung in ladder):
                raise UserError(Problem("step", "not_a_call_step", {"step": repr(step), "timepoint": visit.timepoint}))
            values = {"patient_id": visit.patient_id, "visit_id": visit_id, "step": step, "channel": "phone",
                      "at": self.context.now(), "by": self.context.actor, "outcome": outcome,
                      "detail": note.strip(), "message_id": "", "call_back_on": call_back_on}
            row = ContactAttempt(**values)
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise UserError(Problem("step", "call_recorded", {"step": step})) from None
            record(session, self.context, [Change("contact_attempt", row.id, new=values)])
            return attempt_record(row)

    @requires(Capability.REMINDERS)
    def attempts_of(self, patient_id: int) -> list[ContactAttemptRecord]:
        """Every contact made or tried for a patient, oldest first (their timeline shows them)."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(ContactAttempt).where(ContactAttempt.patient_id == patient_id)
                                   .order_by(ContactAttempt.id)).all()
            return [attempt_record(row) for row in rows]

    def _at_home(self, entry: PlanEntry, site: str | None) -> AtHome | None:
        """The visit's invitation for the e-mail (``Invitations.for_reminder``), or None."""
        if site is None:
            return None
        issued = Invitations(self.context).for_reminder(entry.patient.id, entry.visit.id, entry.visit.timepoint)
        return None if issued is None else AtHome(issued.link, site, issued.printed_code, issued.valid_until)

    def _claim(self, entry: PlanEntry, message_id: str) -> int | None:
        """Write the attempt down as ``sending`` (committed, audited); None when the rung is already taken."""
        values = {"patient_id": entry.patient.id, "visit_id": entry.visit.id, "step": entry.step.step,
                  "channel": entry.step.channel, "at": self.context.now(), "by": self.context.actor,
                  "outcome": "sending", "detail": "", "message_id": message_id}
        return claim_attempt(self.context, values, entry.contact.email)

    def _finish(self, attempt_id: int, outcome: str, detail: str) -> None:
        with self.context.database.writing() as session:
            row = session.get(ContactAttempt, attempt_id)
            assert row is not None
            before = row.outcome
            row.outcome, row.detail = outcome, detail[:500]
            session.flush()
            record(session, self.context, [Change("contact_attempt", attempt_id, "outcome", before, outcome,
                                                  detail[:500] or None)])

    def _contacts(self, patient_ids: Set[int]) -> dict[int, ContactDetails]:
        found: dict[int, ContactDetails] = {}
        with self.context.database.reading() as session:
            for chunk in chunks(sorted(patient_ids), LOOKUP_CHUNK):
                for row in session.scalars(select(PatientContact).where(PatientContact.id.in_(chunk))):
                    found[row.id] = contact_record(row)
        return found

    def _attempts(self, patient_ids: Set[int]) -> list[ContactAttemptRecord]:
        """Every contact attempt of these patients, in the order they were made."""
        found: list[ContactAttemptRecord] = []
        with self.context.database.reading() as session:
            for chunk in chunks(sorted(patient_ids), LOOKUP_CHUNK):
                query = select(ContactAttempt).where(ContactAttempt.patient_id.in_(chunk))
                found += [attempt_record(row) for row in session.scalars(query)]
        return sorted(found, key=lambda attempt: attempt.id)

