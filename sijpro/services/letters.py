"""Letters with paper packs (``sijpro remind --letters DIR``), and finding a returned pack's visit by its code.

``write`` makes the day's letter rungs of the reminder plan: one PDF per patient (cover letter and the
paper questionnaires of the visit still to be answered) and one batch PDF of all of them for the post
room, in the order of the patients' names; every letter is recorded as a contact (channel ``post``,
outcome ``sent``) through the same contact log and audit as the e-mails, once per rung: the partial
unique index of ``contact_attempts`` refuses a second one. The day's letters are remembered by their
reference (``message_id`` = ``<code>/<day>``), so running it again on the same day records nothing new
and writes the day's letters again, identical, with any new ones beside them in the batch: the files
are never lost and no letter is counted twice. Files are staged and moved in whole (0600, folder 0700).

``lookup`` reads a code typed or scanned at the desk (``sijpro.visit_codes``) and names the visit it was
printed for, refusing with the reason (``CodeRefused.reason``) a code mistyped, unknown, or of a visit
cancelled or already answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from sijpro.access import Capability, requires
from sijpro.errors import UserError
from sijpro.exchange.output import export_directory
from sijpro.mrn import file_safe
from sijpro.progress import Progress, no_progress
from sijpro.records import PatientRecord, VisitRecord
from sijpro.services.clinic_settings import Settings, web_url
from sijpro.services.contacts import claim_attempt
from sijpro.services.context import ServiceContext
from sijpro.services.invitations import Invitations
from sijpro.services.reminders import PlanEntry, Reminders
from sijpro.services.scheduling import FINISHED_RESPONSE
from sijpro.storage.convert import patient_record, visit_record
from sijpro.storage.models import ContactAttempt, Patient, PatientContact, Response, Visit
from sijpro.visit_codes import BadCode, parsed, shown, visit_code

if TYPE_CHECKING:
    from sijpro.reports.paper_pack import HomeCode

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Letter:
    patient: PatientRecord
    visit: VisitRecord
    step: str
    code: str
    address: str
    instruments: tuple[str, ...]
    file: str
    new: bool
    """Recorded by this run (False: recorded earlier the same day, written again)."""


@dataclass(frozen=True)
class LettersReport:
    day: dt.date
    letters: tuple[Letter, ...]
    folder: Path
    batch: str | None
    """The post room's file name (None when there is no letter that day)."""

    @property
    def new(self) -> tuple[Letter, ...]:
        return tuple(letter for letter in self.letters if letter.new)

    @property
    def again(self) -> tuple[Letter, ...]:
        return tuple(letter for letter in self.letters if not letter.new)


class CodeRefused(UserError):
    """A code at the desk that opens no visit: ``reason`` is one of empty, characters, length, check,
    unknown, cancelled, completed (the screens word it)."""

    def __init__(self, reason: str, message: str, timepoint: str = "") -> None:
        self.reason = reason
        self.timepoint = timepoint
        super().__init__(f"field 'code': {message}")


@dataclass(frozen=True)
class CodedVisit:
    """The visit a pack's code names, with the questionnaires still to be typed in."""

    code: str
    patient: PatientRecord
    visit: VisitRecord
    instruments: tuple[str, ...]


def file_stem(patient: PatientRecord, timepoint: str) -> str:
    """``<MRN>-<timepoint>``, safe for every file system; an MRN that had to change for it (``A/1``) also
    gets ``~<patient id>``, a character no MRN has, so two patients' letters never share a file and the
    name stays the same on every run of the day."""
    stem = file_safe(patient.mrn)
    if stem != patient.mrn:
        stem = f"{stem or 'patient'}~{patient.id}"
    return f"{stem}-{timepoint}"


class Letters:
    def __init__(self, context: ServiceContext, reminders: Reminders) -> None:
        self.context = context
        self.reminders = reminders

    def _code(self, visit_id: int) -> str:
        return visit_code(self.context.database.audit_key, visit_id)

    @requires(Capability.REMINDERS)
    def write(self, folder: Path, day: dt.date | None = None, progress: Progress = no_progress) -> LettersReport:
        """The day's letters and the batch file into ``folder`` (created if needed), each letter recorded."""
        from sijpro.reports.paper_pack import Batch, ClinicLetterhead, PackRecipient, pack_pdf

        self.context.principal.require(Capability.CONTACTS)
        site = web_url(self.context)  # a malformed address stops the run before anything is written
        day = day or self.context.today()
        plan = self.reminders.plan(day)
        letters = [*self._planned(plan.of("post")), *self._written_on(day)]
        letters.sort(key=lambda letter: (letter.patient.family_name.casefold(), letter.patient.given_name.casefold(),
                                         letter.patient.mrn, letter.visit.id))
        settings = Settings(self.context).load()
        clinic = ClinicLetterhead(settings.name, settings.address, settings.phone)
        batch_name = f"letters-{day.isoformat()}.pdf" if letters else None
        kept: list[Letter] = []
        with export_directory(Path(folder)) as staged:
            batch = Batch(clinic, day)
            total = len(letters)
            progress(0, total)
            for done, letter in enumerate(letters, start=1):
                if letter.new and not self._record(letter, day):
                    continue  # another run took this rung a moment ago: its letter is that run's
                recipient = PackRecipient(letter.code, letter.patient.language if letter.patient.language in
                                          LANGUAGES else "en", letter.patient.given_name, letter.patient.family_name,
                                          letter.patient.sex, letter.address, letter.instruments,
                                          self._at_home(letter, site))
                staged.path(letter.file).write_bytes(pack_pdf(recipient, clinic, day))
                batch.add(recipient)
                kept.append(letter)
                progress(done, total)
            if batch_name is not None:
                staged.path(batch_name).write_bytes(batch.pdf())
        return LettersReport(day, tuple(kept), Path(folder), batch_name if kept else None)

    def _at_home(self, letter: Letter, site: str | None) -> HomeCode | None:
        """The visit's invitation for the cover letter, the same as its e-mails' (``for_reminder``)."""
        from sijpro.reports.paper_pack import HomeCode

        if site is None:
            return None
        issued = Invitations(self.context).for_reminder(letter.patient.id, letter.visit.id, letter.visit.timepoint)
        return None if issued is None else HomeCode(site, issued.printed_code, issued.valid_until)

    def _planned(self, entries: tuple[PlanEntry, ...]) -> list[Letter]:
        pending = self._pending({entry.visit.id for entry in entries})
        return [Letter(entry.patient, entry.visit, entry.step.step, self._code(entry.visit.id), entry.contact.address,
                       pending.get(entry.visit.id, entry.visit.instruments),
                       f"{file_stem(entry.patient, entry.visit.timepoint)}.pdf", True)
                for entry in entries]

    def _written_on(self, day: dt.date) -> list[Letter]:
        """The letters recorded earlier for ``day``: written again, never recorded again."""
        suffix = f"/{day.isoformat()}"
        with self.context.database.reading() as session:
            rows = session.execute(
                select(ContactAttempt, Visit, Patient, PatientContact.address)
                .join(Visit, Visit.id == ContactAttempt.visit_id).join(Patient, Patient.id == ContactAttempt.patient_id)
                .outerjoin(PatientContact, PatientContact.id == ContactAttempt.patient_id)
                .where(ContactAttempt.channel == "post", ContactAttempt.outcome == "sent",
                       ContactAttempt.message_id.endswith(suffix))).all()
            found = [(attempt.step, visit_record(visit), patient_record(patient), address or "")
                     for attempt, visit, patient, address in rows]
        pending = self._pending({visit.id for _, visit, _, _ in found})
        return [Letter(patient, visit, step, self._code(visit.id), address, pending.get(visit.id, visit.instruments),
                       f"{file_stem(patient, visit.timepoint)}.pdf", False)
                for step, visit, patient, address in found]

    def _pending(self, visit_ids: set[int]) -> dict[int, tuple[str, ...]]:
        """Each visit's questionnaires not yet answered (some may have been answered at the clinic)."""
        if not visit_ids:
            return {}
        with self.context.database.reading() as session:
            rows = session.scalars(select(Visit).where(Visit.id.in_(visit_ids)))
            visits = {row.id: visit_record(row) for row in rows}
            done = set(tuple(row) for row in session.execute(select(Response.visit_id, Response.instrument).where(
                Response.visit_id.in_(visit_ids), Response.status.in_(FINISHED_RESPONSE))).all())
        return {visit_id: tuple(code for code in visit.instruments if (visit_id, code) not in done)
                for visit_id, visit in visits.items()}

    def _record(self, letter: Letter, day: dt.date) -> bool:
        values = {"patient_id": letter.patient.id, "visit_id": letter.visit.id, "step": letter.step,
                  "channel": "post", "at": self.context.now(), "by": self.context.actor, "outcome": "sent",
                  "detail": "", "message_id": f"{letter.code}/{day.isoformat()}"}
        return claim_attempt(self.context, values, letter.address) is not None

    @requires(Capability.PAPER_ENTRY)
    def lookup(self, text: str) -> CodedVisit:
        """The visit whose pack carries ``text`` (typed or scanned), or CodeRefused saying why not."""
        try:
            code = parsed(text)
        except BadCode as problem:
            raise CodeRefused(problem.reason, str(problem)) from None
        with self.context.database.reading() as session:
            lettered = session.scalars(select(ContactAttempt.visit_id).where(
                ContactAttempt.channel == "post", ContactAttempt.message_id.startswith(code + "/"))).first()
            if lettered is None:
                raise CodeRefused("unknown", f"no letter was sent with the code {shown(code)}")
            visit = session.get_one(Visit, lettered)
            if self._code(visit.id) != code:
                raise CodeRefused("unknown", f"no letter was sent with the code {shown(code)}")
            record_ = visit_record(visit)
            patient = patient_record(session.get_one(Patient, visit.patient_id))
        if record_.status == "cancelled":
            raise CodeRefused("cancelled", f"the {record_.timepoint} visit of this code was cancelled",
                              record_.timepoint)
        instruments = self._pending({visit.id})[visit.id]
        if record_.status == "completed" or not instruments:
            raise CodeRefused("completed", f"the {record_.timepoint} questionnaires of this code were already "
                              "entered", record_.timepoint)
        return CodedVisit(code, patient, record_, instruments)
