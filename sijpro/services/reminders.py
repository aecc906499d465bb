"""The day's follow-up contact plan (``sijpro remind``): who gets an e-mail, a letter with a paper pack or a
nurse's phone call today, by the clinic's reminder ladder.

The visits and their states are the worklist's (``Schedule.worklist``, which asks ``sijpro.visit_state``);
the ladder is the current protocol's, so an administrator's edit applies from the next plan on; the rule
is ``sijpro.reminders.day_plan``. This module only gathers its inputs and names the people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass

from sqlalchemy import select

from sijpro.access import Capability, requires
from sijpro.contact import ContactDetails
from sijpro.records import PatientRecord, VisitRecord
from sijpro.reminders import ChasedVisit, PlannedStep, day_plan
from sijpro.services.contacts import contact_record
from sijpro.services.context import ServiceContext
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import Schedule
from sijpro.storage.bulk import chunks
from sijpro.storage.models import PatientContact

LOOKUP_CHUNK = 5000


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

    def of(self, channel: str) -> tuple[PlanEntry, ...]:
        return tuple(entry for entry in self.entries if entry.step.channel == channel)

    @property
    def counts(self) -> dict[str, int]:
        return {"email": len(self.of("email")), "post": len(self.of("post")), "phone": len(self.of("phone")),
                "skipped": len(self.skipped)}


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
        steps = day_plan(day, visits, protocol.ladder, contacts, self._made(), declined=self._declined())
        by_visit = {entry.visit.id: entry for entry in chased}
        entries: list[PlanEntry] = []
        for step in steps:
            found = by_visit[step.visit_id]
            entries.append(PlanEntry(step, found.patient, found.visit, found.state.code,
                                     contacts.get(step.patient_id, ContactDetails(step.patient_id))))
        order = {"email": 0, "post": 1, "phone": 2}

        def key(entry: PlanEntry) -> tuple[int, dt.date, int]:
            return order[entry.step.channel], entry.visit.window_start, entry.visit.id

        return ReminderPlan(day, tuple(sorted((e for e in entries if e.step.skipped is None), key=key)),
                            tuple(sorted((e for e in entries if e.step.skipped is not None), key=key)))

    def _contacts(self, patient_ids: Set[int]) -> dict[int, ContactDetails]:
        found: dict[int, ContactDetails] = {}
        with self.context.database.reading() as session:
            for chunk in chunks(sorted(patient_ids), LOOKUP_CHUNK):
                for row in session.scalars(select(PatientContact).where(PatientContact.id.in_(chunk))):
                    found[row.id] = contact_record(row)
        return found

    def _made(self) -> Mapping[int, Set[str]]:
        """Rungs already made, per visit id (none recorded yet by this release)."""
        return {}

    def _declined(self) -> Set[int]:
        return frozenset()
