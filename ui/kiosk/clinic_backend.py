"""``KioskBackend`` over the clinic's services: the only module of the kiosk that knows ``Clinic``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sijpro.crashlog import record_crash
from sijpro.errors import UserError
from sijpro.instruments import get_instrument
from sijpro.records import PatientRecord, ResponseRecord, UserRecord
from sijpro.services.claims import device_name
from sijpro.services.clinic import Clinic
from sijpro.services.context import KIOSK_ACTOR, kiosk_actor
from ui.kiosk.backend import DuePatient, Unfinished
from ui.kiosk.flow import Planned

LANGUAGE_REASON = "language chosen by the patient on the kiosk"


class ClinicBackend:
    def __init__(self, clinic: Clinic, device: str | None = None) -> None:
        """``device`` names this tablet (default: ``$SIJPRO_DEVICE_NAME`` or the host name); the clinic's
        collection calls then write only to visits this tablet holds or nobody does."""
        self.clinic = clinic
        clinic.context.device = device or clinic.context.device or device_name()

    @property
    def device(self) -> str:
        return self.clinic.context.device or device_name()

    def _holders(self) -> dict[int, str]:
        """Visit id -> the other device answering it now."""
        return {claim.visit_id: claim.device for claim in self.clinic.claims.active() if claim.device != self.device}

    def unlock(self, username: str | None, secret: str) -> UserRecord | None:
        """A PIN alone, or a user name with a PIN or a password.

        A refusal propagates as the service's UserError, so the nurse also sees a lock-out after too many
        attempts. From a successful unlock on, the audit trail names the kiosk and that nurse, who chooses
        the patient the tablet goes to.
        """
        self.clinic.act_as(KIOSK_ACTOR)
        auth = self.clinic.auth
        attempts = []
        if secret.isdigit():
            attempts.append(lambda: auth.check_pin(username, secret))
        if username:
            attempts.append(lambda: auth.authenticate(username, secret))
        refusal: UserError | None = None
        for attempt in attempts:
            try:
                user = attempt()
            except UserError as error:
                refusal = refusal or error
            else:
                self.clinic.act_as(kiosk_actor(user.username))
                return user
        if refusal is not None:
            raise refusal
        return None

    def due_patients(self, day: dt.date) -> list[DuePatient]:
        """Everyone with questionnaires to answer today, most urgent first (overdue, then due)."""
        worklist = self.clinic.schedule.worklist(day)
        grouped: dict[int, list] = defaultdict(list)
        patients: dict[int, PatientRecord] = {}
        for entry in (*worklist.overdue, *worklist.due):
            if entry.pending:
                grouped[entry.patient.id].append(entry)
                patients[entry.patient.id] = entry.patient
        protocol = self.clinic.protocols.current()
        labels = {timepoint.code: dict(timepoint.label) for timepoint in protocol.timepoints}
        holders = self._holders()
        rows = []
        lateness: dict[int, int] = {}
        for patient_id, entries in grouped.items():
            entries.sort(key=lambda entry: entry.visit.due_date)
            planned = tuple(Planned(entry.visit.id, code) for entry in entries for code in entry.pending)
            timepoints = tuple(labels.get(entry.visit.timepoint, {"en": entry.visit.timepoint})
                               for entry in entries)
            overdue = any(entry.days_late > 0 for entry in entries)
            held_by = next((holders[entry.visit.id] for entry in entries if entry.visit.id in holders), None)
            rows.append(DuePatient(patients[patient_id], planned, timepoints, overdue, held_by))
            lateness[patient_id] = max(entry.days_late for entry in entries)
        # most urgent first: the longest overdue, then the other overdue, then those due, by name
        rows.sort(key=lambda row: (-lateness[row.patient.id], row.patient.family_name.casefold(),
                                   row.patient.given_name.casefold()))
        return rows

    def unfinished(self) -> list[Unfinished]:
        """Patients with a kiosk questionnaire left in progress, with how far they got."""
        answered: dict[int, int] = defaultdict(int)
        held: dict[int, str] = {}
        holders = self._holders()
        for response in self.clinic.collection.in_progress():
            if response.mode != "kiosk":
                continue
            visit = self.clinic.schedule.visit(response.visit_id)
            answered[visit.patient_id] += len(response.answers)
            if visit.id in holders:
                held[visit.patient_id] = holders[visit.id]
        today = self.clinic.today
        runs = []
        for patient_id, count in answered.items():
            planned = self.plan(patient_id, today)
            if not planned:
                continue
            total = sum(len(get_instrument(p.instrument).items) for p in planned)
            runs.append(Unfinished(self.clinic.patients.get(patient_id), count, total, held.get(patient_id)))
        return runs

    def patient(self, patient_id: int) -> PatientRecord:
        return self.clinic.patients.get(patient_id)

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        return [Planned(visit.id, instrument) for visit, instrument in self.clinic.collection.pending(patient_id, day)]

    def remember_language(self, patient_id: int, language: str) -> None:
        patient = self.clinic.patients.get(patient_id)
        if patient.language == language:
            return
        try:
            self.clinic.patients.update(patient_id, {"language": language}, expected_version=patient.row_version,
                                        reason=LANGUAGE_REASON)
        except UserError as error:  # edited at the desk meanwhile: the next run asks again, no harm done
            record_crash(error)

    def claim(self, visit_ids: Sequence[int], *, take_over: bool = False) -> None:
        self.clinic.claims.claim(visit_ids, self.device, take_over=take_over)

    def release(self, visit_ids: Sequence[int]) -> None:
        self.clinic.claims.release(visit_ids, self.device)

    def waiting_answers(self) -> int:
        return 0  # every answer is written at once (``offline_backend`` keeps them when it cannot be)

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        for response in self.clinic.collection.in_progress():
            if response.visit_id == visit_id and response.instrument == instrument:
                return response
        return None

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord:
        return self.clinic.collection.open(visit_id, instrument, mode="kiosk", language=language)

    def save_answer(self, response_id: int, item: str, value: int | None) -> None:
        self.clinic.collection.save_answer(response_id, item, value)

    def complete_all(self, response_ids: Sequence[int]) -> list[ResponseRecord]:
        return self.clinic.collection.complete_all(response_ids)
