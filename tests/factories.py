"""Small builders for drafts used across the storage and service tests."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sijpro.records import PatientDraft, PatientRecord, ProcedureDraft, QuestionnaireDraft, ResponseRecord
from sijpro.services.clinic import Clinic
from sijpro.storage import clinic_key

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


def copy_clinic_file(template: Path, target: Path) -> Path:
    """The template at another place, with the witness lines the app wrote for it there (a clinic built once
    per test module, then one copy per test)."""
    shutil.copyfile(template, target)
    with sqlite3.connect(target) as raw:
        clinic = raw.execute("SELECT value FROM meta WHERE key = 'clinic_id'").fetchone()[0]
    for line in clinic_key.witness_path(str(template)).read_text().splitlines():
        item = json.loads(line)
        clinic_key.witness(str(target), clinic, item["id"], item["hash"], item["kind"])
    return target
