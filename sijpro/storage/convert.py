"""Explicit converters between rows and the records of ``sijpro.records``.

A converter accepts an ORM object or a Core result row with the same column names, so the set-based
queries of the cohort and the worklist and the one-row edits share one definition of each record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sijpro.folding import search_key
from sijpro.mrn import mrn_key
from sijpro.records import (
    ComplicationDraft,
    ComplicationRecord,
    PatientDraft,
    PatientRecord,
    ProcedureDraft,
    ProcedureRecord,
    ResponseRecord,
    ScoreValue,
    UserRecord,
    VisitRecord,
    interventions_from_text,
    interventions_text,
)

Row = Any
"""An ORM instance or a ``sqlalchemy.Row`` carrying the columns a converter reads."""

PATIENT_FIELDS = tuple(field for field in PatientDraft.__dataclass_fields__)
PROCEDURE_FIELDS = tuple(field for field in ProcedureDraft.__dataclass_fields__)
COMPLICATION_FIELDS = tuple(field for field in ComplicationDraft.__dataclass_fields__)
PATIENT_COLUMNS = ("id", "mrn", "family_name", "given_name", "birth_date", "sex", "language", "bmi", "fbss",
                   "prior_lumbar_surgeries", "prior_lumbosacral_fusion", "prior_interventions", "site",
                   "row_version")
"""The columns a PatientRecord is made of, in the order of its fields (rows can then be sliced)."""
VISIT_COLUMNS = ("id", "patient_id", "timepoint", "due_date", "window_start", "window_end", "status",
                 "instruments", "completed_on")
"""The columns a VisitRecord is made of, in the order of its fields."""
assert tuple(PatientRecord.__dataclass_fields__)[:len(PATIENT_COLUMNS)] == PATIENT_COLUMNS
assert tuple(VisitRecord.__dataclass_fields__)[:len(VISIT_COLUMNS)] == VISIT_COLUMNS


@lru_cache(maxsize=4096)
def split_codes(text: str, separator: str = ";") -> tuple[str, ...]:
    """Codes stored joined in one column; the few distinct values (instrument lists, intervention
    combinations) repeat on thousands of rows, so each is split once."""
    return tuple(code for code in text.split(separator) if code)


@lru_cache(maxsize=4096)
def _interventions(text: str) -> frozenset[str] | None:
    """Stored text -> codes; the few distinct combinations repeat on thousands of rows."""
    return interventions_from_text(text)


def patient_columns(draft: PatientDraft | Mapping[str, Any]) -> dict[str, Any]:
    """Column values of a patient from a draft or from a mapping of draft fields."""
    values = dict(draft) if isinstance(draft, Mapping) else {name: getattr(draft, name) for name in PATIENT_FIELDS}
    values["prior_interventions"] = interventions_text(values.get("prior_interventions"))
    values["search_key"] = search_key(values["mrn"], values["family_name"], values["given_name"])
    values["mrn_key"] = mrn_key(values["mrn"])
    return values


def procedure_columns(draft: ProcedureDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in PROCEDURE_FIELDS}


def patient_record(row: Row) -> PatientRecord:
    return patient_from_values([getattr(row, name) for name in PATIENT_COLUMNS])


def patient_from_values(values: Sequence[Any]) -> PatientRecord:
    """A patient from the values of ``PATIENT_COLUMNS`` in that order (a slice of a wider row)."""
    fields = dict(zip(PATIENT_COLUMNS, values, strict=True))
    fields["prior_interventions"] = _interventions(fields["prior_interventions"])
    fields["site"] = fields["site"] or ""
    return PatientRecord(**fields)


def procedure_record(row: Row) -> ProcedureRecord:
    return ProcedureRecord(
        id=row.id, patient_id=row.patient_id, surgery_date=row.surgery_date, side=row.side,
        approach=row.approach, device=row.device, surgeon=row.surgeon, second_side_date=row.second_side_date,
        is_index=row.is_index, row_version=row.row_version, withdrawn_reason=row.withdrawn_reason,
    )


def complication_record(row: Row) -> ComplicationRecord:
    return ComplicationRecord(
        id=row.id, patient_id=row.patient_id, occurred_on=row.occurred_on, kind=row.kind, side=row.side,
        revision=row.revision, notes=row.notes or "", row_version=row.row_version,
        withdrawn_reason=row.withdrawn_reason,
    )


def visit_record(row: Row) -> VisitRecord:
    return visit_from_values([getattr(row, name) for name in VISIT_COLUMNS])


def visit_from_values(values: Sequence[Any]) -> VisitRecord:
    """A visit from the values of ``VISIT_COLUMNS`` in that order (a slice of a wider row)."""
    fields = dict(zip(VISIT_COLUMNS, values, strict=True))
    fields["instruments"] = split_codes(fields["instruments"], ",")
    return VisitRecord(**fields)


def response_record(row: Row, answers: Mapping[str, int | None], scores: Iterable[Row] = (),
                    languages: Mapping[str, str] | None = None) -> ResponseRecord:
    return ResponseRecord(
        id=row.id, visit_id=row.visit_id, instrument=row.instrument, mode=row.mode, language=row.language,
        status=row.status, started_at=row.started_at, completed_at=row.completed_at, answers=dict(answers),
        scores=tuple(ScoreValue(row.instrument, score.name, score.value, score.version) for score in scores),
        answer_languages=dict(languages or {}), text_size=getattr(row, "text_size", None),
        contrast=getattr(row, "contrast", None),
    )


def user_record(row: Row) -> UserRecord:
    return UserRecord(
        id=row.id, username=row.username, full_name=row.full_name, role=row.role, active=row.active,
        has_pin=row.pin_hash is not None,
    )
