"""The audit trail: who changed what, when, from what to what, and why; hash-chained under the clinic key.

Each event's hash is HMAC-SHA-256, under the clinic key kept outside the database
(``sijpro.storage.clinic_key``), of the canonical JSON of all its fields and the previous event's hash,
so changing, removing or reordering any stored event breaks the chain from that event on, and nobody
without the key can compute a replacement chain. Every transaction's events end with a ``state`` event
holding the keyed fingerprints of the rows it wrote (``sijpro.storage.row_states``): ``verify`` compares
them with the rows, which shows what was changed behind the app's back. Appends take a
lock on the single chain-head row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write lock does the
same), so concurrent writers extend one chain instead of forking it. No code path updates or deletes an
event, and database triggers refuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from sijpro.access import Capability, requires
from sijpro.errors import ConflictError
from sijpro.records import AuditEventRecord
from sijpro.services.context import ServiceContext
from sijpro.storage.database import AUDITED
from sijpro.storage.models import AuditEvent, AuditHead
from sijpro.storage.row_states import ROW_TABLES, STATE_ENTITY, all_states, states_of

GENESIS_HASH: Final = "0" * 64
HEAD_ROW: Final = 1
INSERT_CHUNK: Final = 5000
STATES_PER_EVENT: Final = 1000


class _Nothing:
    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Final = _Nothing()
"""No value at all (stored as NULL), as opposed to a value that is None (stored as JSON null)."""


@dataclass(frozen=True)
class Change:
    """One thing to record: a created entity (``new`` only), an edited field, or a removal (``old`` only)."""

    entity: str
    entity_id: int | None
    field: str | None = None
    old: Any = NOTHING
    new: Any = NOTHING
    reason: str | None = None


@dataclass(frozen=True)
class VerifyReport:
    events_checked: int
    first_broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot record a {type(value).__name__} in the audit trail")


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def encode(value: object) -> str | None:
    return None if value is NOTHING else canonical_json(value)


def event_hash(fields: dict[str, Any], prev_hash: str, key: bytes) -> str:
    """The keyed digest of one event: every stored field, and the hash before it."""
    payload = {**fields, "at": fields["at"].isoformat(timespec="microseconds"), "prev_hash": prev_hash}
    return hmac.new(key, canonical_json(payload).encode("utf-8"), hashlib.sha256).hexdigest()


HASHED_FIELDS: Final = ("id", "at", "actor", "entity", "entity_id", "field", "old", "new", "reason")


class AuditWriter:
    """Appends the events of one transaction; the chain head is locked at the first append.

    ``seal`` ends the transaction's events with the fingerprints of every row they name (and of the rows
    ``touch`` adds), read back as stored.
    """

    def __init__(self, connection: Connection, actor: str, at: dt.datetime, key: bytes) -> None:
        self.connection = connection
        self.actor = actor
        self.at = at
        self.key = key
        self._head: tuple[int, str] | None = None
        self.count = 0
        """Events appended, not counting the fingerprints that seal them."""
        self.touched: dict[str, set[int]] = {}

    def touch(self, entity: str, ids: Iterable[int]) -> None:
        self.touched.setdefault(entity, set()).update(ids)

    def seal(self, *, everything: bool = False) -> None:
        """Append the fingerprints of the rows written; call it after the last write of the transaction.

        ``everything``: of every row (after a schema upgrade, whose migrations may rewrite rows)."""
        states = dict(all_states(self.connection, self.key)) if everything else \
            states_of(self.connection, self.key, self.touched)
        self.touched = {}
        names = sorted(states)
        parts = (names[start:start + STATES_PER_EVENT] for start in range(0, len(names), STATES_PER_EVENT))
        self.append(Change(STATE_ENTITY, None, new={name: states[name] for name in part}) for part in parts)

    def lock_head(self) -> None:
        if self._head is None:
            row = self.connection.execute(
                select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == HEAD_ROW).with_for_update()
            ).one()
            self._head = (row.last_id, row.last_hash)

    def append(self, changes: Iterable[Change]) -> None:
        self.lock_head()
        assert self._head is not None
        last_id, last_hash = self._head
        rows: list[dict[str, Any]] = []
        for change in changes:
            if change.entity in ROW_TABLES and change.entity_id is not None:
                self.touched.setdefault(change.entity, set()).add(change.entity_id)
            last_id += 1
            fields = {
                "id": last_id, "at": self.at, "actor": self.actor, "entity": change.entity,
                "entity_id": change.entity_id, "field": change.field, "old": encode(change.old),
                "new": encode(change.new), "reason": change.reason,
            }
            digest = event_hash(fields, last_hash, self.key)
            rows.append({**fields, "prev_hash": last_hash, "hash": digest})
            last_hash = digest
            if len(rows) >= INSERT_CHUNK:
                self._insert(rows)
                rows = []
        if rows:
            self._insert(rows)
        self._head = (last_id, last_hash)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        self.connection.execute(insert(AuditEvent), rows)
        self.connection.info[AUDITED] = True  # the head moves: witnessed when the transaction commits
        self.count += sum(row["entity"] != STATE_ENTITY for row in rows)
        self.connection.execute(
            update(AuditHead).where(AuditHead.id == HEAD_ROW).values(last_id=rows[-1]["id"], last_hash=rows[-1]["hash"])
        )


def record(session: Session, context: ServiceContext, changes: Iterable[Change]) -> None:
    """Append the changes of a service call and seal the rows they name; call it last in the transaction
    (it takes the chain lock, and fingerprints the rows as flushed)."""
    session.flush()
    writer = AuditWriter(session.connection(), context.actor, context.now(), context.database.audit_key)
    writer.append(changes)
    writer.seal()


def refuse_stale(session: Session, entity: str, entity_id: int, current: int, expected: int) -> None:
    """Refuse an edit made from a stale copy, naming who changed the record meanwhile."""
    if current == expected:
        return
    last = session.scalars(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    by = f" by {last.actor} at {last.at:%Y-%m-%d %H:%M} UTC" if last is not None else ""
    raise ConflictError(f"this {entity} was changed{by} after you opened it (your copy is version {expected}, "
                        f"the saved one {current}); nothing was saved. Reload it, check that change, and make "
                        "yours again")


def field_changes(entity: str, entity_id: int, before: dict[str, Any], after: dict[str, Any],
                  reason: str | None) -> list[Change]:
    """One event per field whose value differs."""
    return [Change(entity, entity_id, name, before[name], after[name], reason)
            for name in after if before.get(name) != after[name]]


class AuditTrail:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.AUDIT)
    def events(self, *, entity: str | None = None, entity_id: int | None = None, actor: str | None = None,
               since: dt.datetime | None = None, until: dt.datetime | None = None,
               limit: int | None = None, newest_first: bool = False) -> list[AuditEventRecord]:
        """Events in chain order (``newest_first``: the reverse, so ``limit`` keeps the latest); times are
        naive UTC (as stored). The row fingerprints that seal each transaction are left out unless
        ``entity`` asks for them: they say nothing a reader of the trail needs."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc() if newest_first else AuditEvent.id)
        if entity is not None:
            query = query.where(AuditEvent.entity == entity)
        else:
            query = query.where(AuditEvent.entity != STATE_ENTITY)
        if entity_id is not None:
            query = query.where(AuditEvent.entity_id == entity_id)
        if actor is not None:
            query = query.where(AuditEvent.actor == actor)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at < until)
        if limit is not None:
            query = query.limit(limit)
        with self.context.database.reading() as session:
            return [_event_record(row) for row in session.scalars(query)]

    @requires(Capability.AUDIT)
    def actors(self) -> list[str]:
        """Everyone who appears in the trail (users, and 'system' or 'cli:...' for unattended work)."""
        with self.context.database.reading() as session:
            return list(session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))

    @requires(Capability.AUDIT)
    def entities(self) -> list[str]:
        """The kinds of record the trail has events about ('patient', 'visit', 'user'...)."""
        with self.context.database.reading() as session:
            return list(session.scalars(select(AuditEvent.entity).distinct()
                                        .where(AuditEvent.entity != STATE_ENTITY).order_by(AuditEvent.entity)))

    @requires(Capability.VERIFY)
    def verify_chain(self) -> VerifyReport:
        """Recompute every hash in order; the first event that does not match is named."""
        with self.context.database.connection() as connection:
            return chain_report(connection, self.context.database.audit_key)


def chain_report(connection: Connection, key: bytes) -> VerifyReport:
    head = connection.execute(select(AuditHead.last_id, AuditHead.last_hash)).one_or_none()
    rows = connection.execute(
        select(*(AuditEvent.__table__.c[name] for name in (*HASHED_FIELDS, "prev_hash", "hash")))
        .order_by(AuditEvent.id), execution_options={"yield_per": 10_000})
    return check_chain(rows, head, key)


def check_chain(rows: Iterator[Any] | Iterable[Any], head: Any, key: bytes) -> VerifyReport:
    expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
    for row in rows:
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.id != expected_id:
            return VerifyReport(checked, row.id, f"audit event {expected_id} is missing (next found: {row.id})")
        if row.prev_hash != expected_prev:
            return VerifyReport(checked, row.id, f"audit event {row.id} does not follow event {row.id - 1}: "
                                "the chain was cut or reordered there")
        if event_hash(fields, row.prev_hash, key) != row.hash:
            return VerifyReport(checked, row.id, f"audit event {row.id} ({row.entity} {row.entity_id}, "
                                f"{row.at:%Y-%m-%d %H:%M:%S} UTC) was altered after it was written")
        expected_prev, expected_id, checked = row.hash, row.id + 1, checked + 1
    if head is None:
        return VerifyReport(checked, None, "the audit chain head is missing")
    if (head.last_id, head.last_hash) != (expected_id - 1, expected_prev):
        return VerifyReport(checked, expected_id, f"the audit chain head names event {head.last_id} but the "
                            f"trail ends at event {expected_id - 1}: events were removed from its end")
    return VerifyReport(checked)


def _event_record(row: AuditEvent) -> AuditEventRecord:
    return AuditEventRecord(
        id=row.id, at=row.at, actor=row.actor, entity=row.entity, entity_id=row.entity_id, field=row.field,
        old=None if row.old is None else json.loads(row.old), new=None if row.new is None else json.loads(row.new),
        reason=row.reason,
    )
