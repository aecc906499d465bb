"""A small clinic for the reminder tests: patients whose m3 window opened a known number of days before
the day, with contact details (one French, one without consent)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sijpro.contact import ContactDraft
from sijpro.protocol import default_protocol
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from sijpro.services.context import FixedClock
from tests.factories import operated_patient
from tests.trusted import trusted

DAY = dt.date(2024, 6, 3)
NURSE, NURSE_PASSWORD = "nina", "nurse password 1"
PATIENTS = (("R-0", 0, "en"), ("R-8", 8, "fr"), ("R-15", 15, "en"), ("R-22", 22, "en"), ("R-NO", 15, "en"))
"""MRN, days since its m3 window opened on DAY, language."""


def surgery_for(opened_days: int) -> dt.date:
    """A surgery date whose m3 window opens ``opened_days`` before DAY."""
    m3 = default_protocol().timepoint("m3")
    surgery = DAY - dt.timedelta(days=opened_days)
    while m3.window(surgery)[0] > DAY - dt.timedelta(days=opened_days):
        surgery -= dt.timedelta(days=1)
    assert m3.window(surgery)[0] == DAY - dt.timedelta(days=opened_days)
    return surgery


def reminder_clinic(path: Path) -> Path:
    """The clinic at ``path``, with the nurse's account."""
    Clinic.init(str(path), clock=FixedClock(DAY))
    with trusted(str(path), "set-up", clock=FixedClock(DAY)) as clinic:
        for mrn, opened_days, language in PATIENTS:
            patient = operated_patient(clinic, mrn, surgery=surgery_for(opened_days), family_name=f"Patient {mrn}",
                                       given_name="Jo", language=language)
            email = f"{mrn.lower()}@example.org"
            draft = (ContactDraft("+33 6 12 34 56 78", email, "1 rue X\n69003 Lyon", "", True)
                     if mrn != "R-NO" else ContactDraft(email="no@example.org"))
            clinic.contacts.save(patient.id, draft, expected_version=0, reason="")
        clinic.auth.add_user(NURSE, "Nina", "nurse", NURSE_PASSWORD)
    return path


def lettering_clinic(path: Path) -> Path:
    """The reminder clinic with the letterhead its letters are printed with (name, address, phone)."""
    reminder_clinic(path)
    with trusted(str(path), "set-up") as clinic:
        clinic.settings.save(ClinicSettings(name="Centre du Rachis", address="3 quai Claude Bernard\n69007 Lyon",
                                            phone="04 72 00 00 00"))
    return path
