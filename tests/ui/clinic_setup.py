"""A real clinic database for the kiosk's tests, scripts and benchmark: a nurse with a PIN and patients
whose 3-month questionnaires (27 questions) are due on the day given."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from unittest import mock

from argon2 import PasswordHasher
from dateutil.relativedelta import relativedelta

from sijpro.records import PatientDraft, ProcedureDraft
from sijpro.services import auth
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.trusted import trusted

NURSE_PIN = "2468"
NURSE_PASSWORD = "a long nurse password"
PATIENTS = (  # mrn, family, given, language, birth date
    ("K-001", "Dupont", "Hélène", "fr", dt.date(1950, 3, 2)),
    ("K-002", "Smith", "John", "en", dt.date(1944, 11, 23)),
    ("K-003", "Martin", "Paul", "en", dt.date(1958, 7, 1)),
)


@contextlib.contextmanager
def cheap_hashing() -> Iterator[None]:
    """argon2id at its lowest cost: a real hash takes a third of a second on a loaded test machine."""
    with mock.patch.object(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)):
        yield


def create_clinic(url: str, today: dt.date, extra_patients: int = 0) -> dict[str, int]:
    """Initialise ``url`` and fill it; returns patient ids by MRN. Everyone's 3-month visit is due today.

    ``extra_patients`` adds that many more (MRN X-0001...), for a benchmark that needs many runs.
    """
    extra = tuple((f"X-{n:04d}", f"Patient{n:04d}", "Alex", "en", dt.date(1955, 1, n))
                  for n in range(1, extra_patients + 1))
    clock = FixedClock(today)
    Clinic.init(url, clock=clock)
    ids = {}
    with trusted(url, "admin", clock=clock) as clinic, cheap_hashing():
        clinic.auth.add_user("nina", "Nina Nurse", "nurse", NURSE_PASSWORD)
        clinic.auth.set_pin("nina", NURSE_PIN)
        for mrn, family, given, language, born in (*PATIENTS, *extra):
            patient = clinic.patients.register(PatientDraft(mrn, family, given, birth_date=born, language=language))
            clinic.procedures.record(patient.id, ProcedureDraft(today - relativedelta(months=3), side="left"))
            ids[mrn] = patient.id
    return ids
