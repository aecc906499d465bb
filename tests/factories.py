"""Small builders for drafts used across the storage and service tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sijpro.records import PatientDraft, PatientRecord, ProcedureDraft, QuestionnaireDraft, ResponseRecord
from sijpro.services.clinic import Clinic

ODI_ANSWERS = {f"odi{n}": 2 for n in range(1, 11)}
SF12_ANSWERS = {"GH1": 3, "PF02": 2, "PF04": 2, "RP2": 1, "RP3": 2, "RE2": 2, "RE3": 2, "BP2": 3, "MH3": 3,
                "VT2": 3, "MH4": 4, "SF2": 3}
ANSWERS: dict[str, dict[str, int | None]] = {
    "nrs": {"lumbar": 7, "radicular": 4},
    "odi": ODI_ANSWERS,
    "sf12": SF12_ANSWERS,
    "satisfaction": {"overall": 2, "would_repeat": 1},
    "relief": {"percent": 60},
}


def patient_draft(mrn: str = "MRN001", **fields: Any) -> PatientDraft:
    values: dict[str, Any] = {"family_name": "Martin", "given_name": "Claire", "birth_date": dt.date(1961, 4, 12),
                              "sex": "F", "language": "en"}
    values.update(fields)
    return PatientDraft(mrn=mrn, **values)


def operated_patient(clinic: Clinic, mrn: str = "MRN001", surgery: dt.date = dt.date(2024, 1, 15),
                     **fields: Any) -> PatientRecord:
    patient = clinic.patients.register(patient_draft(mrn, **fields), confirm_duplicate=True)
    clinic.procedures.record(patient.id, ProcedureDraft(surgery, side="left", approach="lateral"))
    return patient


def questionnaire(mrn: str, timepoint: str, instrument: str, completed_on: dt.date,
                  **overrides: int | None) -> QuestionnaireDraft:
    return QuestionnaireDraft(mrn=mrn, timepoint=timepoint, instrument=instrument,
                              answers={**ANSWERS[instrument], **overrides}, completed_on=completed_on)


def answer_all(clinic: Clinic, visit_id: int, instruments: tuple[str, ...],
               mode: str = "kiosk") -> list[ResponseRecord]:
    """Fill in and complete every listed questionnaire of a visit with the standard answers."""
    completed = []
    for instrument in instruments:
        response = clinic.collection.open(visit_id, instrument, mode=mode)  # type: ignore[arg-type]
        for item, value in ANSWERS[instrument].items():
            clinic.collection.save_answer(response.id, item, value)
        completed.append(clinic.collection.complete(response.id))
    return completed
