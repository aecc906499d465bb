"""Keyed fingerprints of the audited rows, so ``verify`` can tell the rows the app wrote from rows
changed behind its back.

Every write transaction ends by recording, in the audit chain, the fingerprint of each row it touched
(HMAC-SHA-256 under the clinic key of the row's stored values, truncated to 128 bits); a deleted row is
recorded as ``None``. ``verify`` replays those records and compares them with a fingerprint of every
row now in the database: a row that differs, that no record names, or that is gone, was changed
outside SIJ-PRO. Without the key nobody can compute the fingerprint of an edited row.

What is fingerprinted: patients, their contact details and contacts made, procedures, complications, visits
(status, dates, score summary), questionnaire responses, their answers and their scores (one fingerprint
each for a response's answers and for its scores), user accounts (role, password and PIN hashes, lock-out
counters), invitations to answer at home (digests of their link, code and pass, tries, lock and
revocation: security data, so a row edited to unlock a link or to plant a known token is seen) and
protocol versions, the settings rows of ``meta`` and every device's PIN lock-out
(``unlock_throttles``). Not fingerprinted: the audit trail itself (its chain does that), ``meta``'s release
notes (written by every ``init``, they mean nothing clinical), a tablet's claim on a visit (it expires by
itself and is re-claimed at every answer), the at-home door's rate counters (``door_throttles``: they
reset themselves every few minutes) and the ids of delivered journal entries (bookkeeping of the
delivery, not clinical data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, Final

from sqlalchemy import JSON, Connection, Table, select

from sijpro.storage.bulk import chunks
from sijpro.storage.models import (
    Answer,
    Complication,
    ContactAttempt,
    Invitation,
    Meta,
    Patient,
    PatientContact,
    Procedure,
    ProtocolVersion,
    Response,
    Score,
    UnlockThrottle,
    User,
    Visit,
)

ROW_TABLES: Final[dict[str, Table]] = {
    "patient": Patient.__table__, "procedure": Procedure.__table__, "visit": Visit.__table__,
    "response": Response.__table__, "user": User.__table__, "protocol": ProtocolVersion.__table__,
    "complication": Complication.__table__, "contact": PatientContact.__table__,
    "contact_attempt": ContactAttempt.__table__, "invitation": Invitation.__table__,
}
"""Audit entity name -> its table (one row per id)."""
PARTS: Final[dict[str, Table]] = {"answers": Answer.__table__, "scores": Score.__table__}
"""A response's child rows, fingerprinted as one set per response."""
META_KEY: Final = "settings"
STREAMED: Final = {"yield_per": 5000}
"""Options of one streamed read (per statement: set on the connection, they would make it stream every
later statement too, and PostgreSQL's server-side cursors refuse the executemany of the seal that follows)."""
THROTTLES_KEY: Final = "throttles"
SEALED_META_PREFIXES: Final = ("backup.", "clinic.", "pin_alone_")
DIGEST_CHARS: Final = 32
STATE_ENTITY: Final = "state"
"""The audit entity of the events that carry fingerprints."""


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def digest(key: bytes, values: object) -> str:
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def rows_digest(key: bytes, rows: Sequence[tuple[object, ...]]) -> str:
    """The keyed fingerprint of rows given as tuples of their stored values in table order (one row, or a
    response's answers or scores in key order). ``repr`` of strings, numbers, booleans, dates and None
    is exact and unambiguous, and the same whichever engine returned them."""
    return hmac.new(key, repr(rows).encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def _json_positions(table: Table) -> tuple[int, ...]:
    return tuple(index for index, column in enumerate(table.columns) if isinstance(column.type, JSON))


JSON_POSITIONS: Final = {entity: _json_positions(table) for entity, table in ROW_TABLES.items()}
"""Columns holding JSON (a visit's score summary, a protocol's definition): fingerprinted as canonical text."""


def row_values(entity: str, row: Sequence[object]) -> tuple[object, ...]:
    values = tuple(row)
    positions = JSON_POSITIONS[entity]
    if not positions:
        return values
    return tuple(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                 if index in positions and value is not None else value for index, value in enumerate(values))


def _part_order(table: Table) -> list[Any]:
    """A response's child rows in key order (response, then item or score name), in every query."""
    return list(table.primary_key.columns)


def state_key(entity: str, entity_id: int | str) -> str:
    return f"{entity}:{entity_id}"


def closure(connection: Connection, touched: dict[str, set[int]]) -> dict[str, set[int]]:
    """Rows written alongside the ones an audit event names: a response's visit (its score summary),
    a procedure's visits (created or moved with it)."""
    result = {entity: set(ids) for entity, ids in touched.items()}
    visits = result.setdefault("visit", set())
    for chunk in chunks(sorted(result.get("response", ())), 500):
        visits.update(connection.execute(select(Response.visit_id).where(Response.id.in_(chunk))).scalars())
    for chunk in chunks(sorted(result.get("procedure", ())), 500):
        visits.update(connection.execute(select(Visit.id).where(Visit.procedure_id.in_(chunk))).scalars())
    return result


def states_of(connection: Connection, key: bytes, touched: dict[str, set[int]]) -> dict[str, str | None]:
    """The fingerprint of each touched row as stored now (None: the row is gone), and of the settings."""
    states: dict[str, str | None] = {}
    for entity, ids in closure(connection, touched).items():
        table = ROW_TABLES.get(entity)
        if table is None or not ids:
            continue
        for chunk in chunks(sorted(ids), 500):
            found = {row.id: row for row in connection.execute(select(table).where(table.c.id.in_(chunk)))}
            for entity_id in chunk:
                row = found.get(entity_id)
                states[state_key(entity, entity_id)] = (None if row is None
                                                        else rows_digest(key, [row_values(entity, row)]))
            if entity == "response":
                for part, part_table in PARTS.items():
                    grouped: dict[int, list[Any]] = defaultdict(list)
                    for row in connection.execute(select(part_table).where(part_table.c.response_id.in_(chunk))
                                                  .order_by(*_part_order(part_table))):
                        grouped[row.response_id].append(tuple(row))
                    for entity_id in chunk:
                        states[state_key(part, entity_id)] = (
                            None if found.get(entity_id) is None else rows_digest(key, grouped.get(entity_id, [])))
    states[META_KEY] = settings_state(connection, key)
    states[THROTTLES_KEY] = throttles_state(connection, key)
    return states


def settings_state(connection: Connection, key: bytes) -> str:
    rows = connection.execute(select(Meta.key, Meta.value)).all()
    return digest(key, sorted((k, v) for k, v in rows if k.startswith(SEALED_META_PREFIXES)))


def throttles_state(connection: Connection, key: bytes) -> str:
    """Every device's PIN lock-out (``unlock_throttles``): a small table, fingerprinted whole."""
    table = UnlockThrottle.__table__
    return digest(key, sorted(([row.device, row.failures, row.not_before]
                               for row in connection.execute(select(table))), key=lambda row: row[0]))


def response_groups(connection: Connection, table: Table) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """The rows (tuples, in the table's column order) of a response's child table, one list per response,
    in key order (streamed)."""
    position = list(table.columns).index(table.c.response_id)
    rows = connection.execute(select(table).order_by(*_part_order(table)), execution_options=STREAMED)
    current: int | None = None
    group: list[Any] = []
    for row in rows:
        if row[position] != current:
            if current is not None:
                yield current, group
            current, group = row[position], []
        group.append(tuple(row))
    if current is not None:
        yield current, group


def all_states(connection: Connection, key: bytes) -> Iterator[tuple[str, str]]:
    """Every fingerprinted row of the database as it is now, streamed one table at a time."""
    for entity, table in ROW_TABLES.items():
        position = list(table.columns).index(table.c.id)
        for row in connection.execute(select(table).order_by(table.c.id), execution_options=STREAMED):
            yield state_key(entity, row[position]), rows_digest(key, [row_values(entity, row)])
    responses = set(connection.execute(select(Response.id)).scalars())
    for part, part_table in PARTS.items():
        seen: set[int] = set()
        for response_id, rows in response_groups(connection, part_table):
            seen.add(response_id)  # child rows of a missing response too: the foreign key check names them
            yield state_key(part, response_id), rows_digest(key, rows)
        for response_id in sorted(responses - seen):
            yield state_key(part, response_id), rows_digest(key, [])
    yield META_KEY, settings_state(connection, key)
    yield THROTTLES_KEY, throttles_state(connection, key)
