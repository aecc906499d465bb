"""Plain records that cross the core's boundary.

Services return these (never ORM rows); analysis, reports, exchange and the Qt layer consume them.
They are frozen so that a view cannot change clinical data behind the audit trail's back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from sijpro.contact import ContactDraft
from sijpro.problems import Problem

Sex = Literal["F", "M", "X"]
Side = Literal["left", "right", "bilateral"]
Approach = Literal["lateral", "posterior"]
VisitStatus = Literal["scheduled", "open", "completed", "missed", "cancelled"]
ResponseMode = Literal["kiosk", "paper", "import", "post", "phone", "web"]
"""``paper``: a form filled in at the clinic and typed in; ``post``: a mailed paper pack sent back; ``phone``:
read out to the patient by a nurse on a call; all three are typed in through paper entry; ``web``: answered
at home. ``import``: imported before files stated their mode (unknown). New modes go at the end: the
statistics files number the modes in this order."""
TYPED_MODES: tuple[str, ...] = ("paper", "post", "phone")
COLLECTION_MODES: tuple[ResponseMode, ...] = ("kiosk", "paper", "post", "phone", "web")
"""How a questionnaire was collected (DESIGN.md "Clinical record"): what a responses file may state."""
FILE_MODE_DEFAULT: ResponseMode = "paper"
"""The mode of a responses line whose file has no ``mode`` column or leaves it empty."""
ResponseStatus = Literal["in-progress", "complete", "amended"]
Role = Literal["nurse", "surgeon", "admin"]
ComplicationKind = Literal["wound_infection", "deep_infection", "implant_malposition", "nerve_injury", "haematoma",
                           "thromboembolism", "non_union", "other"]

SIDES: tuple[Side, ...] = get_args(Side)
COMPLICATION_KINDS: tuple[ComplicationKind, ...] = get_args(ComplicationKind)
"""The complications the SIJ fusion literature reports (INSITE, iMIA, LOIS), in the order reports list
them; their words are the reports' ``complication.KIND`` (``sijpro.reports.texts``)."""

PRIOR_INTERVENTIONS = ("SCS", "ISS", "IDDS", "MILD", "RFA", "INJ")
NO_INTERVENTION = "none"
"""How files and the database write a patient known to have had none of them (an empty set); an empty
cell, or None, means nobody knows (DESIGN.md, import files)."""


SITE_LENGTH = 32
_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def site_problem(code: str) -> Problem | None:
    """Why ``code`` cannot be a centre code (letters, digits, '-', '_', '.', starting with a letter or
    digit, at most 32 characters), or None when it can; empty means no site."""
    if not code:
        return None
    if len(code) > SITE_LENGTH:
        return Problem("site", "site_length", {"limit": str(SITE_LENGTH)})
    if not _SITE.fullmatch(code):
        return Problem("site", "site_code", {"value": repr(code)})
    return None


def interventions_text(codes: Iterable[str] | None) -> str:
    """Prior interventions as files and the database write them: the codes in their fixed order joined by
    ';', ``none`` when known to be none, empty when not known."""
    if codes is None:
        return ""
    given = set(codes)
    ordered = [code for code in PRIOR_INTERVENTIONS if code in given] + sorted(given - set(PRIOR_INTERVENTIONS))
    return ";".join(ordered) or NO_INTERVENTION  # a stray code (a direct edit) is kept, never turned into 'none'


def interventions_from_text(text: str) -> frozenset[str] | None:
    """The inverse of ``interventions_text`` (any order, any case of ``none``)."""
    text = text.strip()
    if not text:
        return None
    if text.lower() == NO_INTERVENTION:
        return frozenset()
    return frozenset(code for code in text.split(";") if code)
"""Codes of DESIGN.md: spinal cord stimulator, interspinous spacer, intrathecal drug delivery,
minimally invasive lumbar decompression, radiofrequency ablation, injections."""


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    language: str = "en"
    bmi: float | None = None
    fbss: bool | None = None
    prior_lumbar_surgeries: int | None = None
    prior_lumbosacral_fusion: bool | None = None
    prior_interventions: frozenset[str] | None = None
    """None: not known; an empty set: known to be none."""
    site: str = ""
    """The centre's code (``site_problem`` says which are valid); empty in a clinic that keeps none."""
    row_version: int = 1
    """Optimistic-lock counter: an edit made from an older version is refused as a conflict."""

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


@dataclass(frozen=True, slots=True)
class ProcedureRecord:
    id: int
    patient_id: int
    surgery_date: dt.date
    side: Side | None = None
    approach: Approach | None = None
    device: str | None = None
    surgeon: str | None = None
    second_side_date: dt.date | None = None
    """Date of the staged second side of a bilateral fusion, when it was done on another day."""
    is_index: bool = True
    row_version: int = 1
    withdrawn_reason: str | None = None
    """Why it was withdrawn as recorded by mistake; None while it stands."""


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    patient_id: int
    timepoint: str
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    status: VisitStatus
    instruments: tuple[str, ...]
    completed_on: dt.date | None = None

    @property
    def late(self) -> bool:
        """Completed (or still open) after its window closed: allowed, and flagged."""
        return self.completed_on is not None and self.completed_on > self.window_end


@dataclass(frozen=True, slots=True)
class ScoreValue:
    instrument: str
    name: str
    value: float | None
    version: str

    @property
    def key(self) -> str:
        """``"<instrument>.<score>"``, the key used by the cohort JSON (e.g. ``odi.odi``)."""
        return f"{self.instrument}.{self.name}"


@dataclass(frozen=True)
class ResponseRecord:
    id: int
    visit_id: int
    instrument: str
    mode: ResponseMode
    language: str
    status: ResponseStatus
    started_at: dt.datetime
    completed_at: dt.datetime | None
    answers: dict[str, int | None] = field(default_factory=dict)
    scores: tuple[ScoreValue, ...] = ()
    answer_languages: dict[str, str] = field(default_factory=dict)
    """The language each answer was given in (items whose question was shown in that language)."""
    text_size: int | None = None
    """The kiosk text size step it was read at; None off the kiosk."""
    contrast: str | None = None


@dataclass(frozen=True, slots=True)
class TimepointOutcome:
    """What one patient gave at one timepoint: scores keyed ``"<instrument>.<score>"``."""

    timepoint: str
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date
    status: VisitStatus
    completed_on: dt.date | None
    scores: dict[str, float | None] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    """Instrument id -> scoring version used, for report footers."""
    contacts: tuple[str, ...] = ()
    """The channel (``email``, ``post``, ``phone``) of each follow-up contact made or tried for this visit,
    oldest first: what the completeness table counts per answered and per lost visit."""

    @property
    def late(self) -> bool:
        return self.completed_on is not None and self.completed_on > self.window_end


@dataclass(frozen=True, slots=True)
class PatientOutcomes:
    """One patient's whole course: what the trajectory PDF and the cohort summary are made of."""

    patient: PatientRecord
    index_procedure: ProcedureRecord | None
    timepoints: tuple[TimepointOutcome, ...]
    protocol_name: str = ""
    protocol_version: int = 0
    complications: tuple[ComplicationRecord, ...] = ()
    """The complications and reoperations that stand (not withdrawn), by date."""

    def at(self, timepoint: str) -> TimepointOutcome | None:
        for outcome in self.timepoints:
            if outcome.timepoint == timepoint:
                return outcome
        return None

    def last_follow_up(self) -> TimepointOutcome | None:
        """The latest completed follow-up (not baseline): the 'last' column of the cohort tables."""
        completed = [(t.completed_on, t) for t in self.timepoints
                     if t.timepoint != "baseline" and t.completed_on is not None]
        return max(completed, key=lambda pair: pair[0])[1] if completed else None


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool = True
    has_pin: bool = False


# --- drafts: what a form, an import file or the demo generator hands to a service --------------------


def draft_changes(record: object, draft: DataclassInstance) -> dict[str, object]:
    """The fields of ``draft`` (a draft dataclass) whose value differs from the same field of ``record``.

    An edit form sends only these: a field the user left alone is neither written nor audited, and an
    edit that changed nothing makes no call at all.
    """
    return {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft)
            if getattr(record, f.name) != getattr(draft, f.name)}


@dataclass(frozen=True)
class PatientDraft:
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date | None = None
    sex: Sex | None = None
    language: str = "en"
    bmi: float | None = None
    fbss: bool | None = None
    prior_lumbar_surgeries: int | None = None
    prior_lumbosacral_fusion: bool | None = None
    prior_interventions: frozenset[str] | None = None
    """None: not known; an empty set: known to be none."""
    site: str = ""


@dataclass(frozen=True)
class ProcedureDraft:
    surgery_date: dt.date
    side: Side | None = None
    approach: Approach | None = None
    device: str | None = None
    surgeon: str | None = None
    second_side_date: dt.date | None = None


MAX_NOTES = 500
"""The longest notes of a complication."""


@dataclass(frozen=True)
class ComplicationDraft:
    """A complication or reoperation after surgery, as a nurse or surgeon records it."""

    occurred_on: dt.date
    kind: ComplicationKind
    side: Side | None = None
    revision: bool = False
    """A reoperation (revision, removal or repositioning of the implant) was needed for it."""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ComplicationRecord:
    id: int
    patient_id: int
    occurred_on: dt.date
    kind: ComplicationKind
    side: Side | None
    revision: bool
    notes: str
    row_version: int = 1
    withdrawn_reason: str | None = None
    """Why it was withdrawn as recorded by mistake; None while it stands."""


@dataclass(frozen=True)
class QuestionnaireDraft:
    """One completed questionnaire from a file or the demo generator, scored when loaded."""

    mrn: str
    timepoint: str
    instrument: str
    answers: dict[str, int | None]
    completed_on: dt.date
    mode: ResponseMode = "import"
    language: str = "en"
    source: str = field(default="", compare=False)
    """Where it was read (``file, line N``), so a problem found while loading names the line to fix."""


@dataclass(frozen=True)
class ImportBatch:
    """Everything loaded in one transaction: all of it, or nothing."""

    patients: tuple[tuple[PatientDraft, ProcedureDraft], ...] = ()
    questionnaires: tuple[QuestionnaireDraft, ...] = ()
    cancelled_visits: tuple[tuple[str, str], ...] = ()
    """(mrn, timepoint) pairs the clinic cancelled (the demo, and a de-identified export's visit states)."""
    contacts: tuple[tuple[str, ContactDraft], ...] = ()
    """(mrn, contact details) of the batch's new patients whose file line gave any."""
    visit_states: dict[tuple[str, str], str] = field(default_factory=dict)
    """(mrn, timepoint) -> the visit's state on the day of a de-identified export (``answered``, ``missed``,
    ``pending``, ``not_yet_due``), kept as it was at the centre instead of worked out again."""
    study: bool = False
    """De-identified exports pooled in a study database (``sijpro.exchange.import_study``)."""
    as_of: dt.date | None = None
    """The day the batch describes, when it is not today: a study database's data lock."""
    complications: tuple[tuple[str, ComplicationDraft, str], ...] = ()
    """(mrn, complication, where it was read): complications and reoperations from a complications file."""


@dataclass(frozen=True)
class AuditEventRecord:
    """One link of the audit trail; ``old`` and ``new`` are the recorded values (None when absent)."""

    id: int
    at: dt.datetime
    """Naive UTC."""
    actor: str
    entity: str
    entity_id: int | None
    field: str | None
    old: object
    new: object
    reason: str | None
