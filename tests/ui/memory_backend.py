"""An in-memory clinic for screen tests that need no database (the flow's navigation rules)."""

from __future__ import annotations

import datetime as dt

from sijpro.instruments import get_instrument
from sijpro.records import PatientRecord, ResponseRecord, UserRecord
from tests.ui.clinic_setup import NURSE_PIN
from ui.kiosk.backend import DuePatient, Unfinished
from ui.kiosk.flow import Planned


class MemoryBackend:
    def __init__(self, instruments: tuple[str, ...] = ("nrs", "odi", "sf12")) -> None:
        self.patients = {
            1: PatientRecord(id=1, mrn="0001", family_name="Dupont", given_name="Hélène", language="fr",
                             birth_date=dt.date(1950, 3, 2)),
            2: PatientRecord(id=2, mrn="0002", family_name="Smith", given_name="John", language="en"),
        }
        self.instruments = instruments
        self.responses: dict[int, ResponseRecord] = {}
        self.saves: list[tuple[int, str, int | None]] = []
        self.completed: list[int] = []
        self.fail_saves = False

    device = "memory tablet"

    def claim(self, visit_ids, *, take_over: bool = False) -> None:
        self.claimed = list(visit_ids)

    def release(self, visit_ids) -> None:
        self.claimed = []

    called_at: str | None = None

    def call_nurse(self) -> None:
        self.called_at = "10:00"

    def nurse_called_at(self) -> str | None:
        return self.called_at

    def answer_call(self) -> None:
        self.called_at = None

    def unlock(self, username: str | None, secret: str) -> UserRecord | None:
        if secret == NURSE_PIN:
            return UserRecord(id=1, username="nurse", full_name="Nina Nurse", role="nurse", has_pin=True)
        return None

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        return [Planned(visit_id=patient_id * 10, instrument=code) for code in self.instruments]

    def hand_over(self, patient_id: int, day: dt.date) -> list[Planned]:
        return self.plan(patient_id, day)

    def due_patients(self, day: dt.date) -> list[DuePatient]:
        when = ({"en": "3 months", "fr": "3 mois"},)
        return [DuePatient(p, tuple(self.plan(p.id, day)), when, p.id == 2) for p in self.patients.values()]

    def unfinished(self) -> list[Unfinished]:
        return []

    def patient(self, patient_id: int) -> PatientRecord:
        return self.patients[patient_id]

    def remember_language(self, patient_id: int, language: str) -> None:
        patient = self.patients[patient_id]
        self.patients[patient_id] = PatientRecord(**{**patient.__dict__, "language": language})

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        return next((r for r in self.responses.values() if (r.visit_id, r.instrument) == (visit_id, instrument)), None)

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord:
        for record in self.responses.values():
            if record.visit_id == visit_id and record.instrument == instrument:
                return record
        record = ResponseRecord(id=len(self.responses) + 1, visit_id=visit_id, instrument=instrument, mode="kiosk",
                                language=language, status="in-progress", started_at=dt.datetime(2024, 1, 1),
                                completed_at=None, answers={})
        self.responses[record.id] = record
        return record

    def waiting_answers(self) -> int:
        return 0

    def set_display(self, response_ids, text_size: int, contrast: str) -> None:
        self.display = (list(response_ids), text_size, contrast)

    def save_answer(self, response_id: int, item: str, value: int | None, language: str = "en") -> None:
        if self.fail_saves:
            raise OSError("disk unplugged")
        get_instrument(self.responses[response_id].instrument).item(item)
        self.responses[response_id].answers[item] = value
        self.saves.append((response_id, item, value))

    def complete_all(self, response_ids) -> list[ResponseRecord]:
        self.completed += response_ids
        return [self.responses[response_id] for response_id in response_ids]
