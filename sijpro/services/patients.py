"""Patients: register (with duplicate detection), find, and edit with an optimistic version check."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, desc, select
from sqlalchemy.orm import Session

from sijpro.access import AccessDenied, Capability, requires
from sijpro.contact import ContactDraft, contact_problems
from sijpro.errors import InputErrors, UserError
from sijpro.folding import fold
from sijpro.mrn import mrn_key, storable
from sijpro.problems import Problem
from sijpro.records import PatientDraft, PatientRecord
from sijpro.services.audit import Change, field_changes, record, refuse_stale
from sijpro.services.checks import edit_reason, patient_problems
from sijpro.services.contacts import checked_contact, clinic_country, write_contact
from sijpro.services.context import ServiceContext
from sijpro.storage.bulk import chunks
from sijpro.storage.convert import PATIENT_FIELDS, patient_columns, patient_record
from sijpro.storage.models import Patient

LOOKUP_CHUNK = 5000
"""MRNs per IN (...) query: well under SQLite's and PostgreSQL's limits on bound parameters."""
SIMILAR_NAME_RATIO = 0.8
"""difflib ratio over folded 'family given' names above which two patients born the same day may be one."""


class DuplicateWarning(UserError):
    """Someone born the same day with a similar name exists; register again with confirm_duplicate=True."""

    def __init__(self, candidates: list[PatientRecord]) -> None:
        self.candidates = candidates
        listed = "; ".join(f"{c.display_name} (MRN {c.mrn})" for c in candidates)
        super().__init__(f"possible duplicate: born the same day with a similar name: {listed}. "
                         "Check it is not the same person, then confirm to register anyway")


def normalised(draft: PatientDraft) -> PatientDraft:
    """Surrounding spaces removed, interventions as a frozenset: what a form or a file meant."""
    return dataclasses.replace(
        draft, mrn=draft.mrn.strip(), family_name=draft.family_name.strip(), given_name=draft.given_name.strip(),
        prior_interventions=None if draft.prior_interventions is None else frozenset(draft.prior_interventions),
    )


def similar_names(a: PatientRecord | PatientDraft, b: PatientRecord | PatientDraft) -> bool:
    first, second = fold(f"{a.family_name} {a.given_name}"), fold(f"{b.family_name} {b.given_name}")
    swapped = fold(f"{b.given_name} {b.family_name}")
    ratio = max(difflib.SequenceMatcher(None, first, second).ratio(),
                difflib.SequenceMatcher(None, first, swapped).ratio())
    return ratio >= SIMILAR_NAME_RATIO


class Patients:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.REGISTER)
    def register(self, draft: PatientDraft, *, confirm_duplicate: bool = False,
                 contact: ContactDraft | None = None) -> PatientRecord:
        """Register a patient, with their contact details when given (one transaction, audited)."""
        if contact is not None and not contact.empty:
            self.context.principal.require(Capability.EDIT_CONTACTS)
        draft = normalised(draft)
        problems = patient_problems(dataclasses.asdict(draft), self.context.today())
        if contact is not None and not contact.empty:
            with self.context.database.reading() as session:
                problems += contact_problems(contact, clinic_country(session))
        if problems:
            raise InputErrors(problems)
        with self.context.database.writing() as session:
            taken = _holder_of(session, draft.mrn)
            if taken is not None:
                raise UserError(_taken(taken, draft.mrn, "mrn_taken"))
            if not confirm_duplicate and draft.birth_date is not None:
                same_day = session.scalars(select(Patient).where(Patient.birth_date == draft.birth_date)).all()
                candidates = [patient_record(row) for row in same_day]
                similar = [candidate for candidate in candidates if similar_names(candidate, draft)]
                if similar:
                    raise DuplicateWarning(similar)
            details = None if contact is None or contact.empty else checked_contact(session, 0, contact)
            row = Patient(**patient_columns(draft), created_at=self.context.now())
            session.add(row)
            session.flush()
            created = patient_record(row)
            changes = [Change("patient", row.id, new=_audited(created))]
            if details is not None:
                changes += write_contact(session, row.id, dataclasses.replace(details, patient_id=row.id), None)
            record(session, self.context, changes)
        return created

    @requires(Capability.PATIENTS, Capability.ANSWER)
    def get(self, patient_id: int) -> PatientRecord:
        """A kiosk reads only the patient it was handed over for (their name on the welcome screen)."""
        self.context.principal.require_patient(patient_id)
        with self.context.database.reading() as session:
            return patient_record(_load(session, patient_id))

    @requires(Capability.PATIENTS)
    def by_mrn(self, mrn: str) -> PatientRecord | None:
        """The patient with this MRN, compared as DESIGN.md says: trimmed, case ignored."""
        if not storable(mrn):
            return None  # no MRN holds such a character: refused on the way in
        with self.context.database.reading() as session:
            row = session.scalar(select(Patient).where(Patient.mrn_key == mrn_key(mrn)))
            return None if row is None else patient_record(row)

    @requires(Capability.PATIENTS)
    def registered(self, mrns: Iterable[str]) -> frozenset[str]:
        """The MRNs, as registered, of the patients ``mrns`` name (case and spaces ignored): one query per
        few thousand, for import checks."""
        found: set[str] = set()
        with self.context.database.reading() as session:
            for chunk in chunks(sorted({mrn_key(mrn) for mrn in mrns if storable(mrn)}), LOOKUP_CHUNK):
                found.update(session.scalars(select(Patient.mrn).where(Patient.mrn_key.in_(chunk))))
        return frozenset(found)

    @requires(Capability.PATIENTS)
    def search(self, text: str, limit: int = 50) -> list[PatientRecord]:
        """By MRN, names (any part, accents and case ignored) or an ISO birth date."""
        text = text.strip()
        if not text or not storable(text):
            return []  # nothing stored holds a NUL (a PostgreSQL text cannot)
        query = select(Patient)
        try:
            query = query.where(Patient.birth_date == dt.date.fromisoformat(text))
        except ValueError:
            tokens = fold(text).split()
            query = query.where(and_(*(Patient.search_key.like(f"%{_escape(t)}%", escape="\\") for t in tokens)))
        exact_mrn = case((Patient.mrn_key == mrn_key(text), 1), else_=0)
        query = query.order_by(desc(exact_mrn), Patient.family_name, Patient.given_name, Patient.id).limit(limit)
        with self.context.database.reading() as session:
            found = [patient_record(row) for row in session.scalars(query)]
        key = mrn_key(text)
        # alphabetical as people read it (BÉLANGER before BRUNET), which byte order in SQL is not
        return sorted(found, key=lambda p: (mrn_key(p.mrn) != key, fold(p.family_name), fold(p.given_name), p.id))

    @requires(Capability.EDIT_PATIENT, Capability.ANSWER)
    def update(self, patient_id: int, changes: dict[str, Any], *, expected_version: int,
               reason: str, contact: ContactDraft | None = None) -> PatientRecord:
        """Change some fields; refused with a ConflictError if the patient changed since ``expected_version``.

        ``contact``: the patient's contact details as the form now shows them, changed with the same
        reason in the same transaction (only what differs is written and audited).

        A kiosk may change one thing of its own patient's record: the language they chose to answer in.
        """
        principal = self.context.principal
        if not principal.can(Capability.EDIT_PATIENT):
            principal.require_patient(patient_id)
            if set(changes) - {"language"}:
                raise AccessDenied("a kiosk may change only the patient's language")
        if contact is not None:
            principal.require(Capability.EDIT_CONTACTS)
        reason = edit_reason("patient", changes, PATIENT_FIELDS, reason)
        with self.context.database.writing() as session:
            row = _load(session, patient_id)
            refuse_stale(session, "patient", row.id, row.row_version, expected_version)
            before = patient_record(row)
            after = normalised(dataclasses.replace(_draft_of(before), **changes))
            problems = patient_problems(dataclasses.asdict(after), self.context.today())
            if contact is not None:
                problems += contact_problems(contact, clinic_country(session))
            if problems:
                raise InputErrors(problems)
            contact_changes = ([] if contact is None
                               else write_contact(session, row.id, checked_contact(session, row.id, contact), reason))
            taken = _holder_of(session, after.mrn)
            if taken is not None and taken.id != row.id:
                raise UserError(_taken(taken, after.mrn, "mrn_taken_other"))
            for name, value in patient_columns(after).items():
                setattr(row, name, value)
            session.flush()
            updated = patient_record(row)
            record(session, self.context, field_changes(
                "patient", row.id, _audited(before), _audited(updated), reason) + contact_changes)
        return updated


def _holder_of(session: Session, mrn: str) -> Patient | None:
    """The patient whose MRN is this one once trimmed and case-folded, if any."""
    return session.scalar(select(Patient).where(Patient.mrn_key == mrn_key(mrn))) if storable(mrn) else None


def _taken(holder: Patient, mrn: str, code: str) -> Problem:
    """The MRN field's refusal, saying how the registered MRN is written when it differs from the one typed."""
    if holder.mrn == mrn.strip():
        return Problem("mrn", code, {"mrn": mrn})
    return Problem("mrn", f"{code}_as", {"mrn": mrn, "held": holder.mrn})


def _audited(patient: PatientRecord) -> dict[str, Any]:
    return {name: getattr(patient, name) for name in PATIENT_FIELDS}


def _draft_of(patient: PatientRecord) -> PatientDraft:
    return PatientDraft(**_audited(patient))


def _escape(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _load(session: Session, patient_id: int) -> Patient:
    row = session.get(Patient, patient_id)
    if row is None:
        raise UserError(f"no patient with id {patient_id}")
    return row
