"""Write an ``ImportBatch`` as the two import files of DESIGN.md, which ``import`` reads back.

Useful to hand a trainee realistic example files (from the demo cohort) and to prove that the writer
and the reader agree. The patients file carries only the columns of the import format, so a procedure's
device, surgeon and staged second side are not written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sijpro.contact import ContactDraft
from sijpro.exchange.csv_files import SafeWriter, format_number
from sijpro.exchange.import_csv import PATIENT_COLUMNS, PATIENT_OPTIONAL, RESPONSE_COLUMNS
from sijpro.records import ImportBatch, PatientDraft, ProcedureDraft, interventions_text

COLUMNS = (*PATIENT_COLUMNS, *PATIENT_OPTIONAL)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def patient_cells(patient: PatientDraft, procedure: ProcedureDraft, contact: ContactDraft | None = None,
                  cancelled: tuple[str, ...] = ()) -> list[str]:
    values: dict[str, object] = {
        "mrn": patient.mrn, "family_name": patient.family_name, "given_name": patient.given_name,
        "birth_date": patient.birth_date, "sex": patient.sex, "language": patient.language, "bmi": patient.bmi,
        "fbss": patient.fbss, "prior_lumbar_surgeries": patient.prior_lumbar_surgeries,
        "prior_lumbosacral_fusion": patient.prior_lumbosacral_fusion,
        "prior_interventions": interventions_text(patient.prior_interventions),
        "surgery_date": procedure.surgery_date, "side": procedure.side, "approach": procedure.approach,
        "site": patient.site,
    }
    contact = contact or ContactDraft()
    values |= {"phone": contact.phone, "email": contact.email, "address": contact.address,
               "contact_channel": contact.channel, "consent": contact.consent,
               "cancelled_visits": ";".join(cancelled)}
    return [_cell(values[column]) for column in COLUMNS]


def write_batch_csv(batch: ImportBatch, patients_path: Path, responses_path: Path) -> None:
    """UTF-8, comma-separated, one line per patient and one per item answer."""
    with patients_path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeWriter(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        contacts = dict(batch.contacts)
        cancelled: dict[str, tuple[str, ...]] = {}
        for mrn, timepoint in batch.cancelled_visits:
            cancelled[mrn] = (*cancelled.get(mrn, ()), timepoint)
        writer.writerows(patient_cells(patient, procedure, contacts.get(patient.mrn), cancelled.get(patient.mrn, ()))
                         for patient, procedure in batch.patients)
    with responses_path.open("w", encoding="utf-8", newline="") as handle:
        writer = SafeWriter(handle, lineterminator="\n")
        writer.writerow(RESPONSE_COLUMNS)
        for questionnaire in batch.questionnaires:
            for item, value in questionnaire.answers.items():
                writer.writerow([
                    questionnaire.mrn, questionnaire.timepoint, questionnaire.instrument, item, _cell(value),
                    questionnaire.completed_on.isoformat(),
                ])
