"""Loading an ImportBatch (import files, the demo cohort): all of it in one transaction, or nothing.

Everything is checked first and every problem listed at once; then patients, index procedures, their
visits and the questionnaires (scored on load) go in as multi-row inserts with reserved ids, and the audit
trail gets one event per created patient, procedure and questionnaire. A visit is completed once every
one of its questionnaires is in (``sijpro.visit_state.is_finished``), in the same transaction; one with
some of them is still collected by its dates. Whether an unfinished visit is due, overdue or missed is
never stored: ``sijpro.visit_state`` works it out from the dates on any day (the summary counts the new
visits missed on the day of the import).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args

from sqlalchemy import Connection, bindparam, func, select, update

from sijpro.access import Capability, requires
from sijpro.contact import ContactDetails, contact_details, contact_problems
from sijpro.errors import InputErrors
from sijpro.instruments import get_instrument
from sijpro.mrn import mrn_key
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol
from sijpro.records import ImportBatch, PatientDraft, ProcedureDraft, QuestionnaireDraft, ResponseMode
from sijpro.scoring import score_answers
from sijpro.services.audit import AuditWriter, Change
from sijpro.services.checks import patient_problems, procedure_problems
from sijpro.services.collection import answer_problem, audited_scores, merged_outcome, score_rows
from sijpro.services.contacts import AUDITED as CONTACT_AUDITED
from sijpro.services.contacts import COUNTRY_KEY
from sijpro.services.context import ServiceContext
from sijpro.services.import_complications import check_complications, insert_complications
from sijpro.services.patients import normalised
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import FINISHED_RESPONSE, audited_visits, is_past_collecting, plan_visits
from sijpro.services.study import data_lock, mark_study
from sijpro.storage.bulk import chunks, insert_rows, paused_garbage_collection, reserve_ids
from sijpro.storage.convert import patient_columns, procedure_columns, split_codes
from sijpro.storage.models import Answer, Meta, Patient, PatientContact, Procedure, Response, Score, Visit
from sijpro.visit_state import BASELINE, is_finished

VISITS = Visit.__table__
QUESTIONNAIRE_CHUNK = 2000
LOOKUP_CHUNK = 5000


@dataclass(frozen=True)
class ImportSummary:
    patients: int = 0
    procedures: int = 0
    visits: int = 0
    questionnaires: int = 0
    answers: int = 0
    completed_visits: int = 0
    missed_visits: int = 0
    cancelled_visits: int = 0
    audit_events: int = 0
    complications: int = 0


@dataclass
class _Slot:
    """A visit a questionnaire can land in: planned for a new patient, or already in the database."""

    visit_id: int
    patient_id: int
    timepoint: str
    protocol_id: int
    instruments: tuple[str, ...]
    window_end: dt.date
    status: str
    completed_on: dt.date | None
    window_start: dt.date = dt.date.min
    due_date: dt.date = dt.date.min
    """A baseline's due date is the index surgery day."""
    taken: set[str] = field(default_factory=set)
    """Instruments already answered (in the database) or claimed by an earlier line of the batch."""
    is_new: bool = False
    outcome: dict[str, Any] | None = None
    """The visit's score summary (``Visit.outcome``), with the batch's questionnaires merged in."""


@cache
def _accepted(instrument_id: str) -> dict[str, frozenset[int]]:
    return {item.code: frozenset(item.accepted_values()) for item in get_instrument(instrument_id).items}


def _country(connection: Connection) -> str:
    """The clinic's country for national phone numbers (``ClinicSettings.country``)."""
    return connection.execute(select(Meta.value).where(Meta.key == COUNTRY_KEY)).scalar() or ""


def _audited_contact(details: ContactDetails) -> dict[str, Any]:
    return {name: getattr(details, name) for name in CONTACT_AUDITED}


def _noon(day: dt.date) -> dt.datetime:
    """When an imported questionnaire is said to have been answered: only its day is known."""
    return dt.datetime.combine(day, dt.time(12, 0))


def _date_problems(draft: QuestionnaireDraft, slot: _Slot) -> list[str]:
    """A baseline is never collected after the index surgery, and a follow-up answered before its window
    opens belongs to no timepoint (DESIGN.md "Visit state"): both are bad input, unlike a late follow-up,
    which is kept and flagged."""
    if draft.timepoint == BASELINE and draft.completed_on > slot.due_date:
        return [f"completed_on {draft.completed_on} is after the index surgery ({slot.due_date}): a baseline is "
                "never collected after surgery"]
    if draft.timepoint != BASELINE and draft.completed_on < slot.window_start:
        return [f"completed_on {draft.completed_on} is before the {draft.timepoint} window opens "
                f"({slot.window_start})"]
    return []


class Imports:
    def __init__(self, context: ServiceContext, protocols: Protocols) -> None:
        self.context = context
        self.protocols = protocols

    @requires(Capability.IMPORT)
    def load(self, batch: ImportBatch, progress: Progress = no_progress) -> ImportSummary:
        # A big batch is a million small objects alive at once, none in a cycle: left on, the cycle
        # collector rescans them all again and again and takes a third of the load's time.
        with paused_garbage_collection(), self.context.database.connection(write=True) as connection:
            return _Load(self, connection, batch, progress).run()


class _Load:
    def __init__(self, owner: Imports, connection: Connection, batch: ImportBatch, progress: Progress) -> None:
        self.connection, self.batch, self.progress = connection, batch, progress
        self.protocols = owner.protocols
        self.today = batch.as_of or owner.context.today()
        """The day the batch describes: today, or a study database's data lock."""
        self.missed_on_import = 0
        """New visits missed on ``today`` (for the summary; the state itself is never stored)."""
        self.now, self.actor = owner.context.now(), owner.context.actor
        self.audit = AuditWriter(connection, self.actor, self.now, owner.context.database.audit_key)
        self.problems: list[str] = []
        self.slots: dict[tuple[str, str], _Slot] = {}
        self.known_mrns: set[str] = set()
        self.scored: set[tuple[str, str]] = set()
        self.patient_ids: dict[str, int] = {}
        """MRN key -> id of each patient the batch registers."""
        self.total = len(batch.patients) + len(batch.questionnaires)
        self.done = 0

    def run(self) -> ImportSummary:
        self.audit.lock_head()  # queue behind other writers now, not after minutes of work
        self.protocol_id, self.protocol = self.protocols.current_in(self.connection)
        lock = self._check_database_kind()
        drafts = self._check_patients()
        self._load_existing_visits()
        planned = self._plan_new_visits(drafts)
        completed_on = self._check_questionnaires()
        cancelled = self._check_cancellations()
        self.problems += check_complications(self.connection, self.batch, {
            mrn: procedure.surgery_date for mrn, (_, procedure) in drafts.items()}, self.today)
        if self.problems:
            raise InputErrors(self.problems)
        statuses = self._settle_statuses(completed_on, cancelled)
        self._insert_patients(drafts, planned, statuses)
        questionnaires, answers = self._insert_questionnaires()
        self._write_outcomes()
        self._update_existing_visits(statuses)
        complications = insert_complications(self.connection, self.audit, self.batch, self.patient_ids, self.now)
        if self.batch.study and lock is None:
            mark_study(self.connection, self.today)
        self.audit.seal()
        counts: defaultdict[str, int] = defaultdict(int)
        for status in statuses.values():
            counts[status[0]] += 1
        return ImportSummary(
            patients=len(drafts), procedures=len(drafts), visits=sum(len(v) for v in planned.values()),
            questionnaires=questionnaires, answers=answers, completed_visits=counts["completed"],
            missed_visits=self.missed_on_import, cancelled_visits=counts["cancelled"], audit_events=self.audit.count,
            complications=complications,
        )

    # --- checking ------------------------------------------------------------------------------------

    def _check_database_kind(self) -> dt.date | None:
        """De-identified exports go into a study database, identified patients into a clinic's: never
        both in one. Returns the study database's data lock (None for a clinic's database)."""
        lock = data_lock(self.connection)
        if self.batch.study and lock is None and self.batch.patients:
            identified = self.connection.scalar(select(func.count()).select_from(Patient))
            if identified:
                self.problems.append(
                    f"this database holds {identified:,} identified patient{'s' * (identified != 1)}: de-identified "
                    "exports are pooled in a study database of their own (sijpro --db STUDY init, then import there)")
        elif not self.batch.study and lock is not None and self.batch.patients:
            self.problems.append(f"this is a study database pooling de-identified exports (data lock {lock}): "
                                 "identified patients cannot be imported into it")
        return lock

    def _check_patients(self) -> dict[str, tuple[PatientDraft, ProcedureDraft]]:
        drafts: dict[str, tuple[PatientDraft, ProcedureDraft]] = {}
        keys: dict[str, str] = {}
        """MRN key -> the MRN as written: two MRNs differing only by case are one patient's."""
        for number, (raw, procedure) in enumerate(self.batch.patients, start=1):
            patient = normalised(raw)
            where = f"patient {patient.mrn}" if patient.mrn else f"patient #{number}"
            problems = patient_problems(dataclasses.asdict(patient), self.today)
            problems += procedure_problems(procedure_columns(procedure))
            self.problems += [f"{where}: {problem}" for problem in problems]
            if mrn_key(patient.mrn) in keys:
                self.problems.append(f"{where}: listed twice")
            keys[mrn_key(patient.mrn)] = patient.mrn
            drafts[patient.mrn] = (patient, procedure)
        for chunk in chunks(keys, LOOKUP_CHUNK):
            for registered, key in self.connection.execute(
                    select(Patient.mrn, Patient.mrn_key).where(Patient.mrn_key.in_(chunk))).all():
                assert key is not None  # matched by the IN above
                written = "" if registered == keys[key] else f" (as {registered})"
                self.problems.append(f"patient {keys[key]}: MRN already registered{written}")
        country = _country(self.connection)
        for mrn, contact in self.batch.contacts:
            if mrn.strip() not in drafts:
                self.problems.append(f"patient {mrn}: contact details for a patient this import does not register")
            self.problems += [f"patient {mrn}: {problem}" for problem in contact_problems(contact, country)]
        return drafts

    def _load_existing_visits(self) -> None:
        new = {patient.mrn.strip() for patient, _ in self.batch.patients}
        wanted = {q.mrn for q in self.batch.questionnaires} | {mrn for mrn, _ in self.batch.cancelled_visits}
        for chunk in chunks(wanted - new, LOOKUP_CHUNK):
            visits = (select(Patient.mrn, Visit.__table__).join(Visit, Visit.patient_id == Patient.id)
                      .where(Patient.mrn.in_(chunk)))
            for row in self.connection.execute(visits):
                self.known_mrns.add(row.mrn)
                self.slots[(row.mrn, row.timepoint)] = _Slot(
                    row.id, row.patient_id, row.timepoint, row.protocol_id, split_codes(row.instruments, ","),
                    row.window_end, row.status, row.completed_on, row.window_start, row.due_date,
                    outcome=row.outcome)
            responses = (select(Patient.mrn, Visit.timepoint, Response.instrument)
                         .join(Visit, Visit.patient_id == Patient.id).join(Response, Response.visit_id == Visit.id)
                         .where(Patient.mrn.in_(chunk), Response.status.in_(FINISHED_RESPONSE)))
            for mrn, timepoint, instrument in self.connection.execute(responses):
                self.slots[(mrn, timepoint)].taken.add(instrument)

    def _plan_new_visits(
        self, drafts: dict[str, tuple[PatientDraft, ProcedureDraft]],
    ) -> dict[str, list[dict[str, Any]]]:
        planned = {mrn: plan_visits(self.protocol, procedure.surgery_date)
                   for mrn, (_, procedure) in drafts.items() if isinstance(procedure.surgery_date, dt.date)}
        visit_ids = iter(reserve_ids(self.connection, Visit.__table__, sum(len(v) for v in planned.values())))
        for mrn, visits in planned.items():
            self.known_mrns.add(mrn)
            for visit in visits:
                visit["id"] = next(visit_ids)
                self.slots[(mrn, visit["timepoint"])] = _Slot(
                    visit["id"], 0, visit["timepoint"], self.protocol_id, split_codes(visit["instruments"], ","),
                    visit["window_end"], visit["status"], None, visit["window_start"], visit["due_date"],
                    is_new=True)
        return planned

    def _check_questionnaires(self) -> dict[tuple[str, str], dt.date]:
        """Problems of every questionnaire; returns the last completion date of each (mrn, timepoint)."""
        last: dict[tuple[str, str], dt.date] = {}
        for draft in self.batch.questionnaires:
            where = f"questionnaire {draft.mrn} {draft.timepoint} {draft.instrument}"
            where = f"{draft.source}, {where}" if draft.source else where
            slot = self.slots.get((draft.mrn, draft.timepoint))
            problems = self._questionnaire_problems(draft, slot)
            if problems:
                self.problems += [f"{where}: {problem}" for problem in problems]
                continue
            assert slot is not None
            slot.taken.add(draft.instrument)
            key = (draft.mrn, draft.timepoint)
            last[key] = max(last.get(key, draft.completed_on), draft.completed_on)
        return last

    def _questionnaire_problems(self, draft: QuestionnaireDraft, slot: _Slot | None) -> list[str]:
        if slot is None:
            known = draft.mrn in self.known_mrns
            return [f"no timepoint '{draft.timepoint}' for this patient" if known else "no patient with this MRN"]
        if slot.status == "cancelled":
            return [f"the {draft.timepoint} visit of this patient was cancelled"]
        if draft.instrument not in slot.instruments:
            return [f"{draft.instrument} is not collected at {draft.timepoint} "
                    f"(collected: {', '.join(slot.instruments)})"]
        if draft.instrument in slot.taken:
            return ["this questionnaire is already recorded (in the database or earlier in the import)"]
        problems = []
        if draft.mode not in get_args(ResponseMode):
            problems.append(f"mode {draft.mode!r} is not one of {', '.join(get_args(ResponseMode))}")
        instrument = get_instrument(draft.instrument)
        if draft.language not in instrument.languages:
            problems.append(f"language {draft.language!r} is not available for {draft.instrument}")
        if not isinstance(draft.completed_on, dt.date) or draft.completed_on > self.today:
            problems.append(f"completed_on {draft.completed_on!r} is not a date up to today")
        else:
            problems += _date_problems(draft, slot)
        accepted = _accepted(draft.instrument)
        for item, value in draft.answers.items():
            if type(value) is int and value in accepted.get(item, ()):
                continue
            problem = answer_problem(instrument, item, value, draft.mode)
            if problem:
                problems.append(problem)
        return problems + instrument.contradictions(draft.answers)

    def _check_cancellations(self) -> set[tuple[str, str]]:
        cancelled = set()
        for mrn, timepoint in self.batch.cancelled_visits:
            slot = self.slots.get((mrn, timepoint))
            if slot is None:
                self.problems.append(f"cancelled visit {mrn} {timepoint}: no such visit")
            elif slot.taken or slot.status == "completed":
                self.problems.append(f"cancelled visit {mrn} {timepoint}: it has questionnaires")
            else:
                cancelled.add((mrn, timepoint))
        return cancelled

    # --- writing -------------------------------------------------------------------------------------

    def _settle_statuses(self, completed_on: dict[tuple[str, str], dt.date],
                         cancelled: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, dt.date | None]]:
        """(status, completed_on) of every visit the import creates or changes."""
        statuses: dict[tuple[str, str], tuple[str, dt.date | None]] = {}
        for key, slot in self.slots.items():
            state = self.batch.visit_states.get(key) if slot.is_new else None
            if state in ("missed", "pending", "not_yet_due"):  # anchored so that the dates give the centre's state
                statuses[key] = ("scheduled", None)
                self.missed_on_import += state == "missed"
            elif key in completed_on and is_finished(slot.instruments, slot.taken):
                last = max(filter(None, (slot.completed_on, completed_on[key])))
                statuses[key] = ("completed", last)
            elif key in cancelled:
                statuses[key] = ("cancelled", None)
            elif slot.is_new:
                if is_past_collecting(slot.window_end, self.today):
                    self.missed_on_import += 1
                statuses[key] = ("scheduled", None)
        return statuses

    def _insert_patients(self, drafts: dict[str, tuple[PatientDraft, ProcedureDraft]],
                         planned: dict[str, list[dict[str, Any]]],
                         statuses: dict[tuple[str, str], tuple[str, dt.date | None]]) -> None:
        patient_ids = reserve_ids(self.connection, Patient.__table__, len(drafts))
        procedure_ids = reserve_ids(self.connection, Procedure.__table__, len(drafts))
        patients, procedures, visits, changes, contacts = [], [], [], [], []
        country = _country(self.connection)
        contact_of = {mrn.strip(): contact for mrn, contact in self.batch.contacts}
        for (mrn, (patient, procedure)), patient_id, procedure_id in zip(
                drafts.items(), patient_ids, procedure_ids, strict=True):
            patients.append({**patient_columns(patient), "id": patient_id, "created_at": self.now, "row_version": 1})
            self.patient_ids[mrn_key(mrn)] = patient_id
            procedures.append({**procedure_columns(procedure), "id": procedure_id, "patient_id": patient_id,
                               "is_index": True, "created_at": self.now, "row_version": 1})
            for visit in planned[mrn]:
                visit["status"], visit["completed_on"] = statuses[(mrn, visit["timepoint"])]
                visits.append({**visit, "patient_id": patient_id, "procedure_id": procedure_id,
                               "protocol_id": self.protocol_id, "row_version": 1})
                self.slots[(mrn, visit["timepoint"])].patient_id = patient_id
            changes.append(Change("patient", patient_id, new={
                name: getattr(patient, name) for name in PatientDraft.__dataclass_fields__}))
            changes.append(Change("procedure", procedure_id, new={
                **procedure_columns(procedure), "is_index": True, "visits": audited_visits(planned[mrn]),
                "protocol_version": self.protocol.version}))
            contact = contact_of.get(mrn)
            if contact is not None:
                details = _audited_contact(contact_details(patient_id, contact, country))
                contacts.append({**details, "id": patient_id, "row_version": 1})
                changes.append(Change("contact", patient_id, new=details))
            self._advance(1)
        insert_rows(self.connection, Patient.__table__, patients)
        insert_rows(self.connection, Procedure.__table__, procedures)
        insert_rows(self.connection, Visit.__table__, visits)
        insert_rows(self.connection, PatientContact.__table__, contacts)
        self.audit.append(changes)

    def _insert_questionnaires(self) -> tuple[int, int]:
        total_answers = 0
        drafts = self.batch.questionnaires
        response_ids = iter(reserve_ids(self.connection, Response.__table__, len(drafts)))
        for chunk in chunks(drafts, QUESTIONNAIRE_CHUNK):
            responses, answers, scores, changes = [], [], [], []
            for draft in chunk:
                slot = self.slots[(draft.mrn, draft.timepoint)]
                response_id = next(response_ids)
                at = _noon(draft.completed_on)
                responses.append({
                    "id": response_id, "visit_id": slot.visit_id, "instrument": draft.instrument, "mode": draft.mode,
                    "language": draft.language, "status": "complete", "started_at": at, "completed_at": at,
                    "entered_by": self.actor, "row_version": 1})
                answers += [{"response_id": response_id, "item": item, "value": value, "answered_at": at}
                            for item, value in draft.answers.items()]
                score_set = score_answers(draft.instrument, draft.answers, **self._options(slot, draft.instrument))
                scores += score_rows(response_id, score_set)
                slot.outcome = merged_outcome(slot.outcome, score_set)
                self.scored.add((draft.mrn, draft.timepoint))
                changes.append(Change("response", response_id, new={
                    "visit_id": slot.visit_id, "timepoint": draft.timepoint, "instrument": draft.instrument,
                    "mode": draft.mode, "language": draft.language, "completed_on": draft.completed_on,
                    "answers": dict(draft.answers), "scores": audited_scores(score_set)}))
            insert_rows(self.connection, Response.__table__, responses)
            insert_rows(self.connection, Answer.__table__, answers)
            insert_rows(self.connection, Score.__table__, scores)
            self.audit.append(changes)
            total_answers += len(answers)
            self._advance(len(chunk))
        return len(drafts), total_answers

    def _write_outcomes(self) -> None:
        """Store the score summary of every visit that received questionnaires."""
        rows = [{"visit": self.slots[key].visit_id, "summary": self.slots[key].outcome} for key in self.scored]
        statement = update(VISITS).where(VISITS.c.id == bindparam("visit")).values(outcome=bindparam("summary"))
        for chunk in chunks(rows, LOOKUP_CHUNK):
            self.connection.execute(statement, chunk)

    def _update_existing_visits(self, statuses: dict[tuple[str, str], tuple[str, dt.date | None]]) -> None:
        changes = []
        for key, (status, completed_on) in statuses.items():
            slot = self.slots[key]
            if slot.is_new or (status, completed_on) == (slot.status, slot.completed_on):
                continue
            self.connection.execute(update(Visit).where(Visit.id == slot.visit_id).values(
                status=status, completed_on=completed_on, row_version=Visit.row_version + 1))
            changes.append(Change("visit", slot.visit_id, "status", slot.status, status, "import"))
            if completed_on != slot.completed_on:
                changes.append(
                    Change("visit", slot.visit_id, "completed_on", slot.completed_on, completed_on, "import"))
        self.audit.append(changes)

    def _options(self, slot: _Slot, instrument: str) -> dict[str, int]:
        protocol: Protocol = self.protocol if slot.is_new else self.protocols.by_id(self.connection, slot.protocol_id)
        return protocol.scoring_options(instrument)

    def _advance(self, count: int) -> None:
        self.done += count
        self.progress(self.done, self.total)
