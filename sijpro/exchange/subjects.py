"""What every export is written from: one ``Subject`` per patient, identified or de-identified.

Exporters never look at a ``PatientRecord`` themselves: they get subjects, so the decision of what
leaves the clinic is taken once, here, by a pure function. An identified subject carries an
``Identity`` (MRN, names, birth date, surgery date) and calendar dates; a de-identified one carries
none of them: a study ID, the age at the index surgery and days from the index surgery instead.

Study IDs (``S0001``...) are numbered in the order of a keyed hash (HMAC-SHA-256) of the MRNs under
a random key drawn for each export and never stored. So the IDs are the same in every file of one
export (they can be joined), different in the next export, and cannot be derived from an MRN (nor
from the MRN order) without the key. A caller that needs IDs stable across exports passes its own
secret key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sijpro.analysis.completeness import COLUMN
from sijpro.contact import ContactDraft
from sijpro.protocol import Protocol
from sijpro.records import (
    PRIOR_INTERVENTIONS,
    Approach,
    ComplicationRecord,
    PatientRecord,
    ProcedureRecord,
    ResponseRecord,
    ResponseStatus,
    ScoreValue,
    Sex,
    Side,
    VisitRecord,
)
from sijpro.visit_state import StateCode, course_states

AGE_TOP_CODE = 90
"""De-identified ages at or above this are reported as this value (HIPAA Safe Harbor: 90 or older)."""

EXPORTED_STATUSES: frozenset[ResponseStatus] = frozenset({"complete", "amended"})
"""Questionnaires still in progress on the tablet are not exported."""


# --- input: what the services hand over -------------------------------------------------------------

@dataclass(frozen=True)
class AnsweredQuestionnaire:
    timepoint: str
    response: ResponseRecord


@dataclass(frozen=True)
class PatientCourse:
    """One patient with the index surgery and every questionnaire, as read from the database."""

    patient: PatientRecord
    index_procedure: ProcedureRecord | None
    questionnaires: tuple[AnsweredQuestionnaire, ...] = ()
    visits: tuple[VisitRecord, ...] = ()
    """The patient's scheduled visits, for the exports with one row per patient and timepoint."""
    complications: tuple[ComplicationRecord, ...] = ()
    """The complications and reoperations that stand (withdrawn ones are not exported), by date."""
    contact: ContactDraft = field(default_factory=ContactDraft)
    """Contact details and consent (identified exports only; never in a de-identified one)."""


# --- output: what exporters write from --------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date | None
    surgery_date: dt.date | None
    contact: ContactDraft = field(default_factory=ContactDraft)


@dataclass(frozen=True)
class SubjectQuestionnaire:
    timepoint: str
    instrument: str
    answers: dict[str, int | None]
    scores: tuple[ScoreValue, ...]
    status: ResponseStatus
    mode: str
    language: str
    completed_at: dt.datetime | None
    """Timezone-aware; None when de-identified."""
    day: int | None
    """Days from the index surgery to completion (negative before surgery); None without a surgery."""

    @property
    def completed_on(self) -> dt.date | None:
        """The day of completion on this computer's calendar."""
        return None if self.completed_at is None else local_day(self.completed_at)

    def score(self, name: str) -> float | None:
        for value in self.scores:
            if value.name == name:
                return value.value
        return None


@dataclass(frozen=True)
class SubjectVisit:
    """One scheduled timepoint of a subject, with its state on the day of the export."""

    timepoint: str
    state: StateCode
    days_late: int
    due_date: dt.date | None
    """None when de-identified."""
    due_day: int | None
    """Days from the index surgery to the due date."""
    completed_on: dt.date | None
    """None when de-identified, or not completed."""
    completed_day: int | None


@dataclass(frozen=True)
class SubjectComplication:
    """A complication or reoperation; de-identified, with days from the index surgery and no notes (free
    text may name someone)."""

    occurred_on: dt.date | None
    """None when de-identified."""
    day: int | None
    """Days from the index surgery."""
    kind: str
    side: Side | None
    revision: bool
    notes: str | None
    """None when de-identified."""


@dataclass(frozen=True)
class Subject:
    subject_id: str
    """The MRN when identified, the study ID when de-identified."""
    record_number: str
    """A record ID that is no one's identifier: the patient's number in this clinic's database when
    identified (stable from one export to the next, so a REDCap re-import updates the same records), the
    study ID when de-identified (a database number could be linked back to the clinic's records)."""
    identity: Identity | None
    age_at_surgery: int | None
    sex: Sex | None
    language: str
    bmi: float | None
    fbss: bool | None
    prior_lumbar_surgeries: int | None
    prior_lumbosacral_fusion: bool | None
    prior_interventions: tuple[str, ...] | None
    """In the order of PRIOR_INTERVENTIONS; () when known to be none, None when not known."""
    side: Side | None
    approach: Approach | None
    questionnaires: tuple[SubjectQuestionnaire, ...]
    visits: tuple[SubjectVisit, ...] = ()
    site: str = ""
    complications: tuple[SubjectComplication, ...] = ()

    @property
    def identified(self) -> bool:
        return self.identity is not None


@dataclass(frozen=True)
class ExportSet:
    """Everything one export writes: the subjects, the protocol they follow, and when."""

    protocol: Protocol
    subjects: tuple[Subject, ...]
    identified: bool
    exported_at: dt.datetime


def visit_columns(subject: Subject) -> list[tuple[str, str]]:
    """(timepoint, state) of each scheduled visit on the day of the export, in the words of the completeness
    table (answered, missed, pending, not_yet_due) or cancelled."""
    return [(visit.timepoint, COLUMN[visit.state] or "cancelled") for visit in subject.visits]


def prepare_export(
    courses: Iterable[PatientCourse], protocol: Protocol, exported_at: dt.datetime, *,
    deidentify: bool = False, key: bytes | None = None,
) -> ExportSet:
    chosen = subjects(courses, protocol, deidentify=deidentify, key=key, today=local_day(exported_at))
    return ExportSet(protocol, chosen, not deidentify, exported_at)


def instrument_order(protocol: Protocol) -> tuple[str, ...]:
    """Instruments in the order the protocol first asks for them (nrs, odi, sf12, ...)."""
    order: list[str] = []
    for timepoint in protocol.timepoints:
        order.extend(code for code in timepoint.instruments if code not in order)
    return tuple(order)


def subjects(
    courses: Iterable[PatientCourse], protocol: Protocol, *, deidentify: bool = False, key: bytes | None = None,
    today: dt.date | None = None,
) -> tuple[Subject, ...]:
    """The subjects of an export, in a fixed order: MRN order, or study-ID order when de-identified.

    ``key`` is the secret of the study-ID hash; None draws a fresh random one (the usual case). ``today``:
    the day visit states are given for (the day of the export).
    """
    courses = list(courses)
    day = today or dt.date.today()
    if not deidentify:
        made = [_subject(course, protocol, course.patient.mrn, identified=True, today=day) for course in courses]
        return tuple(sorted(made, key=lambda subject: subject.subject_id))
    ids = study_ids((course.patient.mrn for course in courses), key if key is not None else secrets.token_bytes(32))
    made = [_subject(course, protocol, ids[course.patient.mrn], identified=False, today=day) for course in courses]
    return tuple(sorted(made, key=lambda subject: subject.subject_id))


def study_ids(mrns: Iterable[str], key: bytes) -> dict[str, str]:
    """MRN -> study ID, numbered in keyed-hash order; as many digits as needed, at least four."""
    unique = sorted(set(mrns), key=lambda mrn: hmac.new(key, mrn.encode("utf-8"), hashlib.sha256).digest())
    width = max(4, len(str(len(unique))))
    return {mrn: f"S{number:0{width}d}" for number, mrn in enumerate(unique, start=1)}


def aware(moment: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC (see sijpro.storage.models)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def local_day(moment: dt.datetime) -> dt.date:
    return aware(moment).astimezone().date()


def age_at(birth_date: dt.date | None, day: dt.date | None, *, top_code: bool) -> int | None:
    if birth_date is None or day is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    age = day.year - birth_date.year - before_birthday
    return min(age, AGE_TOP_CODE) if top_code else age


def _visits(visits: Sequence[VisitRecord], protocol: Protocol, surgery: dt.date | None, today: dt.date, *,
            identified: bool) -> tuple[SubjectVisit, ...]:
    """The scheduled visits in protocol order, each with its state by the one visit-state function."""
    order = {code: index for index, code in enumerate(protocol.codes)}
    ordered = sorted(visits, key=lambda visit: (order.get(visit.timepoint, len(order)), visit.due_date))

    def days(day: dt.date | None) -> int | None:
        return None if day is None or surgery is None else (day - surgery).days

    return tuple(
        SubjectVisit(
            timepoint=visit.timepoint, state=state.code, days_late=state.days_late,
            due_date=visit.due_date if identified else None, due_day=days(visit.due_date),
            completed_on=visit.completed_on if identified else None, completed_day=days(visit.completed_on),
        )
        for visit, state in zip(ordered, course_states(ordered, today), strict=True)
    )


def _subject(course: PatientCourse, protocol: Protocol, subject_id: str, *, identified: bool,
             today: dt.date) -> Subject:
    patient, procedure = course.patient, course.index_procedure
    surgery = procedure.surgery_date if procedure else None
    identity = Identity(
        mrn=patient.mrn, family_name=patient.family_name, given_name=patient.given_name,
        birth_date=patient.birth_date, surgery_date=surgery, contact=course.contact,
    ) if identified else None
    return Subject(
        subject_id=subject_id,
        record_number=str(patient.id) if identified else subject_id,
        identity=identity,
        age_at_surgery=age_at(patient.birth_date, surgery, top_code=not identified),
        sex=patient.sex,
        language=patient.language,
        bmi=patient.bmi,
        fbss=patient.fbss,
        prior_lumbar_surgeries=patient.prior_lumbar_surgeries,
        prior_lumbosacral_fusion=patient.prior_lumbosacral_fusion,
        prior_interventions=None if patient.prior_interventions is None else
        tuple(code for code in PRIOR_INTERVENTIONS if code in patient.prior_interventions),
        side=procedure.side if procedure else None,
        approach=procedure.approach if procedure else None,
        questionnaires=_questionnaires(course.questionnaires, protocol, surgery, identified=identified),
        visits=_visits(course.visits, protocol, surgery, today, identified=identified),
        site=patient.site,
        complications=tuple(
            SubjectComplication(
                occurred_on=c.occurred_on if identified else None,
                day=None if surgery is None else (c.occurred_on - surgery).days, kind=c.kind, side=c.side,
                revision=c.revision, notes=c.notes if identified else None)
            for c in course.complications),
    )


def _questionnaires(
    answered: Sequence[AnsweredQuestionnaire], protocol: Protocol, surgery: dt.date | None, *, identified: bool
) -> tuple[SubjectQuestionnaire, ...]:
    """Exported questionnaires in protocol order; of two for the same slot, the later completion wins."""
    timepoints = {code: index for index, code in enumerate(protocol.codes)}
    instruments = {code: index for index, code in enumerate(instrument_order(protocol))}
    latest: dict[tuple[str, str], AnsweredQuestionnaire] = {}
    for item in answered:
        response = item.response
        if response.status not in EXPORTED_STATUSES or response.completed_at is None:
            continue
        slot = (item.timepoint, response.instrument)
        kept = latest.get(slot)
        if kept is None or (kept.response.completed_at, kept.response.id) < (response.completed_at, response.id):
            latest[slot] = item
    ordered = sorted(latest.values(), key=lambda item: (
        timepoints.get(item.timepoint, len(timepoints)), item.timepoint,
        instruments.get(item.response.instrument, len(instruments)), item.response.instrument,
    ))
    made = []
    for item in ordered:
        response = item.response
        assert response.completed_at is not None  # filtered above
        completed_at = aware(response.completed_at)
        made.append(SubjectQuestionnaire(
            timepoint=item.timepoint,
            instrument=response.instrument,
            answers=dict(response.answers),
            scores=tuple(response.scores),
            status=response.status,
            mode=response.mode,
            language=response.language,
            completed_at=completed_at if identified else None,
            day=None if surgery is None else (local_day(completed_at) - surgery).days,
        ))
    return tuple(made)
