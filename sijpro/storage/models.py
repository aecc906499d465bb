"""The database schema as SQLAlchemy typed mappings.

These classes never leave ``sijpro.storage`` and ``sijpro.services``: services convert rows to the
records of ``sijpro.records`` (see ``sijpro.storage.convert``). The first migration creates exactly this
schema; a test compares the migrated database with this metadata so the two cannot drift apart.

Times are naive UTC (``timestamp without time zone`` on PostgreSQL, ISO text on SQLite), so an audit
event hashes to the same digest on both engines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Named constraints, so later migrations (batch mode on SQLite) can refer to them."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    __table__: ClassVar[Table]
    """Every model here is mapped to one declared table (SQLAlchemy types it as any FROM clause)."""


class Meta(Base):
    """Facts about the database itself (when and by which release it was created)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(String(64), unique=True)
    mrn_key: Mapped[str | None] = mapped_column(String(128))
    """``sijpro.mrn.mrn_key(mrn)``: unique, so no two patients' MRNs differ only by case or spaces."""
    family_name: Mapped[str] = mapped_column(String(200), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    language: Mapped[str] = mapped_column(String(8), default="en")
    bmi: Mapped[float | None] = mapped_column(Float)
    fbss: Mapped[bool | None] = mapped_column(Boolean)
    prior_lumbar_surgeries: Mapped[int | None] = mapped_column(Integer)
    prior_lumbosacral_fusion: Mapped[bool | None] = mapped_column(Boolean)
    prior_interventions: Mapped[str] = mapped_column(String(100), default="")
    """Codes of ``records.PRIOR_INTERVENTIONS`` joined by ';' in sorted order."""
    site: Mapped[str] = mapped_column(String(32), default="", server_default="", index=True)
    """The centre's code (multicentre studies pool several clinics); empty when the clinic keeps none."""
    search_key: Mapped[str] = mapped_column(String(500), default="")
    """MRN and names folded to lower case without accents, so search needs no per-row function."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012
    __table_args__ = (Index("uq_patients_mrn_key", "mrn_key", unique=True),)


class PatientContact(Base):
    """A patient's contact details and consent (``sijpro.contact``): identified data kept apart from the
    patient's row, so the records a kiosk or a de-identified export reads never carry them. ``id`` is the
    patient's id (one row per patient at most)."""

    __tablename__ = "patient_contacts"
    id: Mapped[int] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_e164: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str] = mapped_column(String(8), default="")
    consent: Mapped[bool | None] = mapped_column(Boolean)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


MADE_CONDITION = "outcome IN ('sending', 'sent', 'refused', 'reached', 'declined', 'wrong_number')"
"""The outcomes after which a rung of a visit is made (``sijpro.reminders.MADE_OUTCOMES``): once only."""


class ContactAttempt(Base):
    """One follow-up contact made or tried (``sijpro.services.reminders``): when, how, by whom, its outcome.

    An e-mail is written here as ``sending`` before it goes to the server and then given its outcome, so
    a run that dies in between never sends it again; the partial unique index lets one rung of one visit
    be made once (a ``failed`` attempt leaves it free to be tried again)."""

    __tablename__ = "contact_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    """The server's words for a refusal or a failure (never the message's text)."""
    message_id: Mapped[str] = mapped_column(String(200), default="")
    call_back_on: Mapped[dt.date | None] = mapped_column(Date)
    """A call not answered, or to be made again on a day the patient asked: not on the plan before it."""
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012
    __table_args__ = (
        Index("uq_contact_attempts_made", "visit_id", "step", unique=True,
              sqlite_where=text(MADE_CONDITION), postgresql_where=text(MADE_CONDITION)),
    )


class Procedure(Base):
    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    surgery_date: Mapped[dt.date] = mapped_column(Date)
    side: Mapped[str | None] = mapped_column(String(12))
    approach: Mapped[str | None] = mapped_column(String(12))
    device: Mapped[str | None] = mapped_column(String(200))
    surgeon: Mapped[str | None] = mapped_column(String(200))
    second_side_date: Mapped[dt.date | None] = mapped_column(Date)
    is_index: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))
    """Why a procedure recorded by mistake was withdrawn (None: it stands). A withdrawn one is never the
    index surgery; the row stays, so the record shows what was entered and why it no longer counts."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012
    __table_args__ = (
        Index("uq_procedures_one_index", "patient_id", unique=True,
              sqlite_where=text("is_index = 1"), postgresql_where=text("is_index")),
    )


class Complication(Base):
    """A complication or reoperation after surgery (``sijpro.services.complications``)."""

    __tablename__ = "complications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    """One of ``records.COMPLICATION_KINDS``."""
    side: Mapped[str | None] = mapped_column(String(12))
    revision: Mapped[bool] = mapped_column(Boolean, default=False)
    """A reoperation was needed for it."""
    notes: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))
    """Why a complication recorded by mistake was withdrawn (None: it stands); the row stays."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class ProtocolVersion(Base):
    __tablename__ = "protocols"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``Protocol.to_mapping()``: the same shape as the YAML file."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class Visit(Base):
    """One timepoint of one patient: when it is due, its window, and how far collection got."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"), index=True)
    timepoint: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    """Position of the timepoint in its protocol, for ordering without loading the protocol."""
    due_date: Mapped[dt.date] = mapped_column(Date)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    instruments: Mapped[str] = mapped_column(String(200))
    """Instrument ids of the timepoint joined by ',', in protocol order (a copy: protocols change)."""
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """``{"scores": {"nrs.lumbar": 7.0, ...}, "versions": {"nrs": "nrs-1", ...}}`` of the visit's finished
    questionnaires: a copy of the ``scores`` rows (which stay the record), rewritten in the same transaction
    whenever they change, so a whole-cohort summary reads one row per visit instead of one per score.
    ``verify`` checks that the copy and the record agree."""
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("patient_id", "timepoint"),
        Index("ix_visits_window_status", "window_end", "window_start", "status"),
    )


class Response(Base):
    """One questionnaire (instrument) answered at one visit."""

    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    instrument: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    entered_by: Mapped[str] = mapped_column(String(100))
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    text_size: Mapped[int | None] = mapped_column(Integer)
    """The text size step the patient read the kiosk at (0 normal, 1 large, 2 largest); None off the kiosk."""
    contrast: Mapped[str | None] = mapped_column(String(16))
    """The kiosk theme it was read in ("standard" or "high"); None off the kiosk."""

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("visit_id", "instrument"),)


class VisitClaim(Base):
    """Which device a visit is being answered on (DESIGN rule 11): one row per visit at most.

    A tablet writes its row when a visit is handed over to it and deletes it when the patient finishes
    or the tablet locks; a tablet that died leaves a row that stops counting at ``expires_at``. The
    primary key makes two simultaneous claims of one visit impossible on every engine.
    """

    __tablename__ = "visit_claims"
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), primary_key=True)
    device: Mapped[str] = mapped_column(String(100))
    claimed_by: Mapped[str] = mapped_column(String(100))
    """The audit actor that handed the visit over ("kiosk (nina)")."""
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    """Moved on at every answer saved from the device; past it, another device may claim the visit."""


class Invitation(Base):
    """A one-time invitation to answer one visit at home (``sijpro.services.invitations``).

    No secret is kept in clear: ``token_hash`` of the link's token, ``code_hash`` of the short
    code for letters, ``pass_hash`` of the pass the patient's browser holds once the birth date was
    confirmed (one pass at a time: a second device that confirms replaces it, ``pass_seq`` counts them).
    Security data, so fingerprinted for ``verify`` like the user accounts (``sijpro.storage.row_states``).
    """

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    """Random; the link's token and the code are derived from it under the clinic key (kept outside the
    database), so the reminder ladder can send the same link again while the table alone gives none."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    """The last day the link opens: the visit's window end plus its overdue grace (``sijpro.visit_state``)."""
    failed_tries: Mapped[int] = mapped_column(Integer, default=0)
    """Wrong birth dates typed since the last right one; at ``MAX_TRIES`` the link locks."""
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """When a birth date was last confirmed (the link was used)."""
    pass_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pass_seq: Mapped[int] = mapped_column(Integer, default=0)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: dict[str, Any] = {"version_id_col": row_version}  # noqa: RUF012


class DoorThrottle(Base):
    """Tries at the at-home door counted per address or per link in a fixed window, shared by every
    worker process of ``sijpro serve``. Keys are digests (never an address or a secret in clear). Not
    fingerprinted: a counter that resets itself every few minutes, like a tablet's claim."""

    __tablename__ = "door_throttles"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


class UnlockThrottle(Base):
    """Consecutive wrong PINs typed alone on one device, and when that device may try again.

    Per device, so a patient tapping digits on one tablet slows that tablet only, never the others.
    """

    __tablename__ = "unlock_throttles"
    device: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Delivery(Base):
    """A journal entry a tablet delivered (``sijpro.services.deliveries``): its id is applied once."""

    __tablename__ = "deliveries"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    delivered_at: Mapped[dt.datetime] = mapped_column(DateTime)


class NurseCall(Base):
    """A patient at a tablet asked for a nurse: one open call per device, removed when a nurse answers.

    It names the device only, never the patient: the staff desk shows it where others may see it.
    """

    __tablename__ = "nurse_calls"
    device: Mapped[str] = mapped_column(String(100), primary_key=True)
    called_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Answer(Base):
    __tablename__ = "answers"
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    item: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)
    """None: the item was explicitly skipped (only where allowed)."""
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    language: Mapped[str | None] = mapped_column(String(8))
    """The language the question was shown in when this answer was given (None: answers older than that)."""


class Score(Base):
    __tablename__ = "scores"
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    version: Mapped[str] = mapped_column(String(40))
    """``SCORING_VERSION`` of the rules that computed the value."""


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(12))
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEvent(Base):
    """One link of the hash chain. Rows are only ever inserted (triggers refuse the rest)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    """Sequence number in the chain, assigned under the chain-head lock."""
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    """Old and new values as canonical JSON text, so None and 'None' stay apart."""
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)


class AuditHead(Base):
    """The single row naming the chain's last event: writers lock it to append one at a time."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
