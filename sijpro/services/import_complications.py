"""Complications and reoperations of an import: checked against the database, then inserted and audited.

Part of the import's one transaction (``sijpro.services.imports``): a complication names a patient of
the batch or one already registered, is dated on or after that patient's first standing surgery and not
in the future (``services.checks.complication_problems``, the rule the patient page uses too), and is not
one the patient already has standing (same day, kind and side). Each problem names the file and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from sijpro.mrn import mrn_key
from sijpro.records import ComplicationDraft, ImportBatch
from sijpro.services.audit import AuditWriter, Change
from sijpro.services.checks import complication_problems
from sijpro.storage.bulk import chunks, insert_rows, reserve_ids
from sijpro.storage.convert import COMPLICATION_FIELDS
from sijpro.storage.models import Complication, Patient, Procedure

LOOKUP_CHUNK = 5000


@dataclass(frozen=True)
class _Registered:
    patient_id: int
    surgery: dt.date | None
    standing: frozenset[tuple[dt.date, str, str | None]]


def check_complications(connection: Connection, batch: ImportBatch, new_surgeries: Mapping[str, dt.date],
                        today: dt.date) -> list[str]:
    """Every problem of the batch's complications; ``new_surgeries``: MRN -> index surgery of the batch's
    new patients."""
    wanted = {mrn_key(mrn) for mrn, _, _ in batch.complications} - {mrn_key(mrn) for mrn in new_surgeries}
    registered = _registered(connection, wanted)
    new = {mrn_key(mrn): surgery for mrn, surgery in new_surgeries.items()}
    problems = []
    for mrn, draft, where in batch.complications:
        key = mrn_key(mrn)
        known = registered.get(key)
        if key not in new and known is None:
            problems.append(f"{where}: complication of {mrn}: no patient with this MRN")
            continue
        surgery = new.get(key, known.surgery if known is not None else None)
        found = [str(problem) for problem in complication_problems(_values(draft), today, surgery)]
        if known is not None and (draft.occurred_on, draft.kind, draft.side) in known.standing:
            found.append("this complication is already recorded for the patient")
        problems += [f"{where}: complication of {mrn}: {problem}" for problem in found]
    return problems


def insert_complications(connection: Connection, audit: AuditWriter, batch: ImportBatch,
                         new_patients: Mapping[str, int], now: dt.datetime) -> int:
    """Insert the (checked) complications; ``new_patients``: MRN key -> id of the batch's new patients."""
    if not batch.complications:
        return 0
    registered = _registered(connection, {mrn_key(mrn) for mrn, _, _ in batch.complications} - set(new_patients))
    ids = reserve_ids(connection, Complication.__table__, len(batch.complications))
    rows, changes = [], []
    for (mrn, draft, _), complication_id in zip(batch.complications, ids, strict=True):
        key = mrn_key(mrn)
        patient_id = new_patients[key] if key in new_patients else registered[key].patient_id
        values = _values(draft)
        rows.append({**values, "id": complication_id, "patient_id": patient_id, "withdrawn_reason": None,
                     "created_at": now, "row_version": 1})
        changes.append(Change("complication", complication_id, new=values))
    insert_rows(connection, Complication.__table__, rows)
    audit.append(changes)
    return len(rows)


def _values(draft: ComplicationDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in COMPLICATION_FIELDS}


def _registered(connection: Connection, keys: set[str]) -> dict[str, _Registered]:
    """MRN key -> the registered patient's id, first standing surgery and standing complications."""
    found: dict[str, _Registered] = {}
    for chunk in chunks(sorted(keys), LOOKUP_CHUNK):
        first_surgery = (select(Procedure.patient_id, func.min(Procedure.surgery_date).label("surgery"))
                         .where(Procedure.withdrawn_reason.is_(None)).group_by(Procedure.patient_id).subquery())
        rows = connection.execute(
            select(Patient.id, Patient.mrn_key, first_surgery.c.surgery)
            .outerjoin(first_surgery, first_surgery.c.patient_id == Patient.id).where(Patient.mrn_key.in_(chunk)))
        patients = {row.id: (row.mrn_key, row.surgery) for row in rows}
        standing: dict[int, set[tuple[dt.date, str, str | None]]] = {patient_id: set() for patient_id in patients}
        for row in connection.execute(select(Complication.patient_id, Complication.occurred_on, Complication.kind,
                                             Complication.side).where(Complication.patient_id.in_(patients),
                                                                      Complication.withdrawn_reason.is_(None))):
            standing[row.patient_id].add((row.occurred_on, row.kind, row.side))
        for patient_id, (key, surgery) in patients.items():
            found[key] = _Registered(patient_id, surgery, frozenset(standing[patient_id]))
    return found
