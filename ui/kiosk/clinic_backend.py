"""``KioskBackend`` over the clinic's services: the only module of the kiosk that knows ``Clinic``.

The kiosk holds three sessions in turn, never one whose actor is changed: nobody's while locked (it may
only unlock), the nurse's once unlocked (she picks the patient from the worklist), and, once the visit is
claimed for this tablet, a kiosk session for that patient's visit, which may answer its questionnaires and
nothing else. The audit trail names what the patient answers "kiosk (nurse)".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sijpro.access import AccessDenied
from sijpro.errors import UserError
from sijpro.instruments import get_instrument
from sijpro.logs import record_crash
from sijpro.records import PatientRecord, ResponseRecord, UserRecord
from sijpro.services.claims import device_name
from sijpro.services.clinic import Clinic
from sijpro.services.session import Session
from ui.kiosk.backend import DuePatient, Unfinished
from ui.kiosk.flow import Planned

LANGUAGE_REASON = "language chosen by the patient on the kiosk"


class ClinicBackend:
    def __init__(self, clinic: Clinic, device: str | None = None, *, nurse: Session | None = None) -> None:
        """``device`` names this tablet (default: ``$SIJPRO_DEVICE_NAME`` or the host name); the kiosk session
        writes only to visits this tablet holds or nobody does. ``nurse``: the staff desk's signed-in
        session, when the desk hands the tablet over itself (``attend``)."""
        self.clinic = clinic
        self.nurse = nurse
        self.visit: Session | None = None
        self._device = device or device_name()
        self._handing: tuple[int, dt.date] | None = None
        """The patient and day of the last ``hand_over``, which ``claim`` completes."""

    @property
    def device(self) -> str:
        return self._device

    @property
    def actor(self) -> str:
        """Who the tablet's answers are given by: the kiosk session's actor ("kiosk (nina)")."""
        return self._collecting().actor

    def attend(self, nurse: Session | None) -> None:
        """The desk's signed-in nurse hands the tablet over herself; None: nurses unlock it with a PIN."""
        self.nurse, self.visit, self._handing = nurse, None, None

    def end_visit(self) -> None:
        """The patient's run is over (its visits given back, or about to be by the tablet's journal)."""
        self.visit = None

    def _staff(self) -> Session:
        if self.nurse is None:
            raise AccessDenied("the kiosk is locked: a nurse unlocks it first")
        return self.nurse

    def _collecting(self) -> Session:
        if self.visit is None:
            raise AccessDenied("the kiosk was not handed over to a patient")
        return self.visit

    def _holders(self) -> dict[int, str]:
        """Visit id -> the other device answering it now."""
        return {claim.visit_id: claim.device for claim in self._staff().claims.active() if claim.device != self.device}

    def unlock(self, username: str | None, secret: str) -> UserRecord | None:
        """A PIN alone, or a user name with a PIN or a password.

        A refusal propagates as the service's UserError, so the nurse also sees a lock-out after too many
        attempts. From a successful unlock on, the kiosk acts as that nurse, who chooses the patient.
        """
        self.nurse, self.visit = None, None
        attempts = []
        if secret.isdigit():
            attempts.append(lambda: self.clinic.unlock(username, secret, device=self.device))
        if username:
            attempts.append(lambda: self.clinic.sign_in(username, secret))
        refusal: UserError | None = None
        for attempt in attempts:
            try:
                self.nurse = attempt()
            except UserError as error:
                refusal = refusal or error
            else:
                return self.nurse.user
        if refusal is not None:
            raise refusal
        return None

    def due_patients(self, day: dt.date) -> list[DuePatient]:
        """Everyone with questionnaires to answer today, most urgent first (overdue, then due)."""
        nurse = self._staff()
        worklist = nurse.schedule.worklist(day)
        grouped: dict[int, list] = defaultdict(list)
        patients: dict[int, PatientRecord] = {}
        for entry in (*worklist.overdue, *worklist.due):
            if entry.pending:
                grouped[entry.patient.id].append(entry)
                patients[entry.patient.id] = entry.patient
        protocol = nurse.protocols.current()
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
        nurse = self._staff()
        answered: dict[int, int] = defaultdict(int)
        held: dict[int, str] = {}
        holders = self._holders()
        for response in nurse.collection.in_progress():
            if response.mode != "kiosk":
                continue
            visit = nurse.schedule.visit(response.visit_id)
            answered[visit.patient_id] += len(response.answers)
            if visit.id in holders:
                held[visit.patient_id] = holders[visit.id]
        today = nurse.today
        runs = []
        for patient_id, count in answered.items():
            planned = self.plan(patient_id, today)
            if not planned:
                continue
            total = sum(len(get_instrument(p.instrument).asked_items) for p in planned)
            runs.append(Unfinished(nurse.patients.get(patient_id), count, total, held.get(patient_id)))
        return runs

    def patient(self, patient_id: int) -> PatientRecord:
        return (self.visit or self._staff()).patients.get(patient_id)

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        session = self.visit or self._staff()
        return [Planned(visit.id, instrument) for visit, instrument in session.collection.pending(patient_id, day)]

    def hand_over(self, patient_id: int, day: dt.date) -> list[Planned]:
        planned = self.plan(patient_id, day)
        self._handing = (patient_id, day) if planned else None
        return planned

    def claim(self, visit_ids: Sequence[int], *, take_over: bool = False) -> None:
        """Hand the tablet over and claim the visits for it: the kiosk session for the patient's visit
        replaces the nurse's, and the next patient needs a nurse to unlock the tablet again. Refused
        (``VisitClaimed``) when another tablet holds the visit: the nurse stays, and may take it over."""
        nurse = self._staff()
        if self._handing is None:
            raise AccessDenied("choose the patient the tablet goes to first")
        patient_id, day = self._handing
        tablet = nurse.hand_over(patient_id, day, device=self.device)
        tablet.claims.claim(visit_ids, self.device, take_over=take_over)
        self.visit, self.nurse, self._handing = tablet, None, None

    def release(self, visit_ids: Sequence[int]) -> None:
        """The patient finished or the tablet locked: the visits go back, and the kiosk session ends."""
        session = self.visit
        self.end_visit()
        if session is not None:
            session.claims.release(visit_ids, self.device)

    def remember_language(self, patient_id: int, language: str) -> None:
        session = self._collecting()
        patient = session.patients.get(patient_id)
        if patient.language == language:
            return
        try:
            session.patients.update(patient_id, {"language": language}, expected_version=patient.row_version,
                                    reason=LANGUAGE_REASON)
        except UserError as error:  # edited at the desk meanwhile: the next run asks again, no harm done
            record_crash(error)

    def waiting_answers(self) -> int:
        return 0  # every answer is written at once (``offline_backend`` keeps them when it cannot be)

    def call_nurse(self) -> None:
        self.clinic.calls.call(self.device)

    def nurse_called_at(self) -> str | None:
        return next((call.local_time for call in self.clinic.calls.pending() if call.device == self.device), None)

    def answer_call(self) -> None:
        self.clinic.calls.answer(self.device)

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        for response in self._collecting().collection.in_progress():
            if response.visit_id == visit_id and response.instrument == instrument:
                return response
        return None

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord:
        return self._collecting().collection.open(visit_id, instrument, mode="kiosk", language=language)

    def save_answer(self, response_id: int, item: str, value: int | None, language: str) -> None:
        self._collecting().collection.save_answer(response_id, item, value, language)

    def set_display(self, response_ids: Sequence[int], text_size: int, contrast: str) -> None:
        self._collecting().collection.set_display(response_ids, text_size, contrast)

    def complete_all(self, response_ids: Sequence[int]) -> list[ResponseRecord]:
        return self._collecting().collection.complete_all(response_ids)
