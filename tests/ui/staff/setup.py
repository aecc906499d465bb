"""A real clinic for the staff desktop's tests and screenshots: one account per role and patients in
every worklist section (three due today, one overdue, one upcoming, one missed) plus one without surgery."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from sijpro.records import PatientDraft, ProcedureDraft
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import FixedClock
from tests.trusted import trusted
from tests.ui.clinic_setup import NURSE_PASSWORD, cheap_hashing, create_clinic

TODAY = dt.date(2024, 6, 3)
CLINIC_NAME = "Clinique du Parc"
PASSWORD = "a long staff password 1"
PASSWORDS = {"nina": NURSE_PASSWORD, "sam": PASSWORD, "ada": PASSWORD}
"""nina (nurse) comes from the kiosk's clinic; sam is a surgeon, ada the administrator."""
THREE_MONTHS = relativedelta(months=3)
EXTRA = (  # mrn, family, given, birth date, surgery date (None: not operated yet)
    ("S-OVER", "Overdue", "Olga", dt.date(1951, 5, 6), TODAY - THREE_MONTHS - dt.timedelta(days=35)),
    ("S-SOON", "Upcoming", "Ugo", dt.date(1962, 9, 9), TODAY - THREE_MONTHS + dt.timedelta(days=20)),
    ("S-GONE", "Missed", "Max", dt.date(1949, 1, 30), TODAY - THREE_MONTHS - dt.timedelta(days=73)),
    ("S-NEW", "Newcomer", "Nora", dt.date(1970, 2, 14), None),
)


def create_staff_clinic(url: str) -> dict[str, int]:
    """Initialise ``url`` with the staff test clinic; returns patient ids by MRN."""
    ids = create_clinic(url, TODAY)
    clock = FixedClock(TODAY)
    with trusted(url, "admin", clock=clock) as clinic, cheap_hashing():
        clinic.auth.add_user("sam", "Sam Surgeon", "surgeon", PASSWORD)
        clinic.auth.add_user("ada", "Ada Admin", "admin", PASSWORD)
        clinic.settings.save(ClinicSettings(name=CLINIC_NAME))
        for mrn, family, given, born, surgery in EXTRA:
            patient = clinic.patients.register(PatientDraft(mrn, family, given, birth_date=born, language="en"))
            if surgery is not None:
                clinic.procedures.record(patient.id, ProcedureDraft(surgery, side="right", approach="lateral"))
            ids[mrn] = patient.id
    return ids
