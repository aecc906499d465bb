"""What ``verify`` finds changed behind the app's back: the rows against the audit trail, the scores
against the answers, the chain against the clinic key and the witness.

- The clinic key: the database records a fingerprint of the key its trail is sealed with; another key
  (or none) is said as such, not as tampering.
- The witness: every committed write, backup and restore appended the chain head to a file outside the
  database; the trail must still hold each witnessed event with the same hash, so cutting its end (with
  ``audit_head`` moved back) or recomputing it is found.
- The rows: the ``state`` events of the trail are replayed, giving the keyed fingerprint each audited row
  had when the app last wrote it; every row of the database is fingerprinted again and compared. A row
  that differs, a row no event knows, and a row gone without a recorded removal are each named.
- The scores: every finished questionnaire is scored again from its answers, under its visit's protocol.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from typing import Final

from sqlalchemy import Connection, select

from sijpro.errors import UserError
from sijpro.scoring import score_answers
from sijpro.services.protocols import Protocols
from sijpro.services.scheduling import FINISHED_RESPONSE
from sijpro.storage import clinic_key
from sijpro.storage.database import CLINIC_ID_KEY, KEY_CHECK_KEY, Database
from sijpro.storage.models import Answer, AuditEvent, Meta, Response, Score, Visit
from sijpro.storage.row_states import (
    META_KEY,
    PARTS,
    ROW_TABLES,
    STATE_ENTITY,
    THROTTLES_KEY,
    all_states,
    response_groups,
)

MAX_LISTED: Final = 20
_ANSWER_COLUMNS, _SCORE_COLUMNS = list(Answer.__table__.c.keys()), list(Score.__table__.c.keys())
ITEM, ANSWER = _ANSWER_COLUMNS.index("item"), _ANSWER_COLUMNS.index("value")
NAME, SCORE, VERSION = (_SCORE_COLUMNS.index(name) for name in ("name", "value", "version"))
TABLE_OF: Final = {**{entity: table.name for entity, table in ROW_TABLES.items()},
                   **{part: table.name for part, table in PARTS.items()}}


def key_faults(connection: Connection, database: Database) -> list[str]:
    """The clinic key is there and is the one the trail was sealed with; else nothing more can be checked."""
    recorded = connection.execute(select(Meta.value).where(Meta.key == KEY_CHECK_KEY)).scalar()
    try:
        key = database.audit_key
    except UserError as error:
        return [str(error)]
    if recorded is None:
        return ["the audit trail is not sealed with a clinic key (no key fingerprint in the database): it was "
                "made by an older release or the fingerprint was removed"]
    if recorded != clinic_key.key_check(key):
        return [f"the clinic key {clinic_key.key_path()} is not the key this database's audit trail was sealed "
                "with: use the clinic's own key file"]
    return []


def _moment(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)  # unreadable: counted, never excused


def witness_faults(connection: Connection, database: Database) -> list[str]:
    """Every chain head witnessed since the last restore must still be in the trail, unchanged."""
    if not database.witnessed:
        return []
    clinic = connection.execute(select(Meta.value).where(Meta.key == CLINIC_ID_KEY)).scalar()
    if clinic is None:
        return ["the database has lost its clinic identity (meta row 'clinic_id'), so its witness cannot be read"]
    seen = clinic_key.witnessed(database.where, clinic)
    mark = connection.execute(select(Meta.value).where(Meta.key == clinic_key.RESTORE_MARK_KEY)).scalar()
    since = clinic_key.restored_at(database.audit_key, clinic, mark)
    if since is not None:  # restored (maybe from another workstation): what this witness saw before is history
        seen = [entry for entry in seen if _moment(entry.at) >= since]
    if not seen:
        return []
    wanted = {entry.last_id for entry in seen}
    stored = dict(connection.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(wanted))).all())
    last = max(stored, default=0)
    for entry in sorted(seen, key=lambda item: -item.last_id):
        found = stored.get(entry.last_id)
        if found is None:
            return [f"the audit trail ends before event {entry.last_id}, which its witness "
                    f"({clinic_key.witness_path(database.where)}) saw at {entry.at} ({entry.kind}): events were "
                    f"removed from its end (last stored witnessed event: {last or 'none'})"]
        if found != entry.last_hash:
            return [f"audit event {entry.last_id} is not the one its witness saw at {entry.at}: the trail was "
                    "rewritten from there"]
    return []


def _label(name: str) -> tuple[str, str]:
    """'patient 3 (row 3 of table patients)', and the entity kind."""
    if name == META_KEY:
        return "the settings rows (table meta)", "meta"
    if name == THROTTLES_KEY:
        return "the PIN lock-outs of the devices (table unlock_throttles)", "unlock_throttles"
    entity, _, entity_id = name.partition(":")
    if entity in PARTS:
        return f"the {entity} of response {entity_id} (rows of table {TABLE_OF[entity]} with response_id " \
               f"{entity_id})", entity
    return f"{entity} {entity_id} (row {entity_id} of table {TABLE_OF.get(entity, entity)})", entity


def recorded_states(connection: Connection) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The fingerprints the trail holds, in chain order (a later event overrides an earlier one)."""
    rows = connection.execute(
        select(AuditEvent.id, AuditEvent.new).where(AuditEvent.entity == STATE_ENTITY).order_by(AuditEvent.id),
        execution_options={"yield_per": 1000})
    for event_id, new in rows:
        try:
            states = json.loads(new or "{}")
        except ValueError:
            continue  # the chain check names the altered event
        if isinstance(states, dict):
            yield event_id, states


def row_faults(connection: Connection, key: bytes) -> list[str]:
    """Rows that differ from, are unknown to, or are missing from the trail's last recorded state."""
    recorded: dict[str, tuple[str | None, int]] = {}
    for event_id, states in recorded_states(connection):
        for name, state in states.items():
            recorded[name] = (state, event_id)
    faults: list[str] = []
    for name, state in all_states(connection, key):
        known = recorded.pop(name, None)
        if known is None:
            if name not in (META_KEY, THROTTLES_KEY):
                faults.append(f"{_label(name)[0]}: added outside SIJ-PRO (no audit event records it)")
        elif known[0] is None:
            faults.append(f"{_label(name)[0]}: put back outside SIJ-PRO (the audit trail recorded its removal in "
                          f"audit event {known[1]})")
        elif known[0] != state:
            faults.append(f"{_label(name)[0]}: changed outside SIJ-PRO (not as the audit trail last recorded it, "
                          f"in audit event {known[1]})")
    order = {entity: index for index, entity in enumerate((*ROW_TABLES, *PARTS))}
    gone = sorted(((name, event_id) for name, (state, event_id) in recorded.items() if state is not None),
                  key=lambda item: (order.get(item[0].partition(":")[0], 99), item[0]))
    faults += [f"{_label(name)[0]}: deleted outside SIJ-PRO (the audit trail never recorded its removal; last "
               f"recorded in audit event {event_id})" for name, event_id in gone]
    return _capped(faults)


def rescore_faults(connection: Connection, protocols: Protocols) -> list[str]:
    """Finished questionnaires whose stored scores are not what their answers score to (streamed)."""
    answers = response_groups(connection, Answer.__table__)
    scores = response_groups(connection, Score.__table__)
    next_answers, next_scores = next(answers, None), next(scores, None)
    faults = []
    for response_id, instrument, protocol_id, status in connection.execute(
            select(Response.id, Response.instrument, Visit.protocol_id, Response.status)
            .join(Visit, Visit.id == Response.visit_id).order_by(Response.id)):
        given: dict[str, int | None] = {}
        while next_answers is not None and next_answers[0] <= response_id:
            if next_answers[0] == response_id:
                given = {row[ITEM]: row[ANSWER] for row in next_answers[1]}
            next_answers = next(answers, None)
        have: dict[str, tuple[float | None, str]] = {}
        while next_scores is not None and next_scores[0] <= response_id:
            if next_scores[0] == response_id:
                have = {row[NAME]: (row[SCORE], row[VERSION]) for row in next_scores[1]}
            next_scores = next(scores, None)
        if status not in FINISHED_RESPONSE:
            continue
        where = f"response {response_id} ({instrument}, row {response_id} of table responses)"
        try:
            options = protocols.by_id(connection, protocol_id).scoring_options(instrument)
            expected = score_answers(instrument, given, **options)
        except (UserError, ValueError, KeyError, TypeError) as error:
            faults.append(f"{where}: its answers cannot be scored ({error})")
            continue
        if {version for _, version in have.values()} - {expected.version}:
            continue  # scored by an earlier release's rules: re-scoring is a deliberate act, not a check
        if set(have) != set(expected.values) or any(
                not _same(have[name][0], value) for name, value in expected.values.items()):
            faults.append(f"{where}: its stored scores are not what its answers score to")
    return _capped(faults)


def _same(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is right
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)


def _capped(faults: list[str]) -> list[str]:
    if len(faults) > MAX_LISTED:
        return [*faults[:MAX_LISTED], f"... and {len(faults) - MAX_LISTED} more"]
    return faults
