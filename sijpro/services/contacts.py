"""Patients' contact details and consent: read and recorded by the roles the capability table allows,
every change audited field by field, the row fingerprinted like the patient's own (``verify`` sees a
direct edit).

The details are checked by ``sijpro.contact`` with the clinic's country (``ClinicSettings.country``) for
numbers written the national way; the E.164 form is stored beside the number as typed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijpro.access import Capability, requires
from sijpro.contact import ContactDetails, ContactDraft, contact_details, contact_problems, normalised_contact
from sijpro.errors import InputErrors, UserError
from sijpro.services.audit import Change, field_changes, record, refuse_stale
from sijpro.services.checks import required_reason
from sijpro.services.context import ServiceContext
from sijpro.storage.models import ContactAttempt, Meta, Patient, PatientContact

COUNTRY_KEY = "clinic.country"
"""The meta row of ``ClinicSettings.country`` (read here inside the writing transaction)."""
AUDITED = ("phone", "phone_e164", "email", "address", "channel", "consent")


def clinic_country(session: Session) -> str:
    row = session.get(Meta, COUNTRY_KEY)
    return row.value if row is not None else ""


def contact_record(row: PatientContact) -> ContactDetails:
    return ContactDetails(row.id, row.phone, row.phone_e164, row.email, row.address, row.channel, row.consent,
                          row.row_version)


def checked_contact(session: Session, patient_id: int, draft: ContactDraft) -> ContactDetails:
    """The details to store, or InputErrors naming each field at fault."""
    region = clinic_country(session)
    problems = contact_problems(draft, region)
    if problems:
        raise InputErrors(problems)
    return contact_details(patient_id, normalised_contact(draft), region)


def _audited(details: ContactDetails) -> dict[str, Any]:
    return {name: getattr(details, name) for name in AUDITED}


def write_contact(session: Session, patient_id: int, details: ContactDetails, reason: str | None) -> list[Change]:
    """Insert or update the patient's row; the audit changes to record (none when nothing changed)."""
    row = session.get(PatientContact, patient_id)
    if row is None:
        if details.draft().empty:
            return []
        session.add(PatientContact(id=patient_id, **_audited(details)))
        return [Change("contact", patient_id, new=_audited(details))]
    before = contact_record(row)
    for name, value in _audited(details).items():
        setattr(row, name, value)
    return field_changes("contact", patient_id, _audited(before), _audited(details), reason)


class Contacts:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.CONTACTS)
    def get(self, patient_id: int) -> ContactDetails:
        """The patient's details (all empty, version 0, when none were ever recorded)."""
        with self.context.database.reading() as session:
            if session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            row = session.get(PatientContact, patient_id)
            return ContactDetails(patient_id) if row is None else contact_record(row)

    @requires(Capability.CONTACTS)
    def of_patients(self, patient_ids: list[int]) -> dict[int, ContactDetails]:
        """Details of many patients at once (the reminder plan), by patient id; absent ids have none."""
        found: dict[int, ContactDetails] = {}
        with self.context.database.reading() as session:
            for row in session.scalars(select(PatientContact).where(PatientContact.id.in_(patient_ids))):
                found[row.id] = contact_record(row)
        return found

    @requires(Capability.EDIT_CONTACTS)
    def save(self, patient_id: int, draft: ContactDraft, *, expected_version: int, reason: str) -> ContactDetails:
        """Record or change the details; a change to details already recorded needs a reason, and an edit
        from a stale copy is refused as a conflict."""
        with self.context.database.writing() as session:
            if session.get(Patient, patient_id) is None:
                raise UserError(f"no patient with id {patient_id}")
            row = session.get(PatientContact, patient_id)
            current = 0 if row is None else row.row_version
            refuse_stale(session, "contact", patient_id, current, expected_version)
            details = checked_contact(session, patient_id, draft)
            if row is not None and _audited(contact_record(row)) != _audited(details):
                reason = required_reason(reason, "change contact details")
            changes = write_contact(session, patient_id, details, reason or None)
            if changes:
                record(session, self.context, changes)
            saved = session.get(PatientContact, patient_id)
            return ContactDetails(patient_id) if saved is None else contact_record(saved)


def claim_attempt(context: ServiceContext, values: dict[str, Any], to: str) -> int | None:
    """Write one follow-up contact down (committed and audited, with the address it went ``to``) and give
    its id; None when that rung of that visit is already recorded (the unique index on the attempts):
    so an e-mail or a letter is recorded exactly once however often the day's run is repeated."""
    try:
        with context.database.writing() as session:
            row = ContactAttempt(**values)
            session.add(row)
            session.flush()
            record(session, context, [Change("contact_attempt", row.id, new={**values, "to": to})])
            return row.id
    except IntegrityError:
        return None
