"""The kiosk's backend when the clinic database may be out of reach (DESIGN rule 11).

It wraps the one backend the kiosk has (``ClinicBackend``) and changes two things: an answer, a Send and
the release of the visits go to the tablet's own journal (``sijpro.storage.journal``) and return at
once, and a relay thread (``sijpro.services.relay``) delivers them to the clinic database in order,
exactly once, whenever it can be reached. A patient's tap therefore waits only for a local commit, never
for the network; what the nurse does on the kiosk (unlocking, choosing a patient) still asks the
database, which answers or fails within seconds (``sijpro.storage.engine``'s network timeouts).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sijpro.records import PatientRecord, ResponseRecord, UserRecord
from sijpro.services.clinic import Clinic
from sijpro.services.relay import Journal, Relay, tablet_relay
from sijpro.services.session import Session
from ui.kiosk.backend import DuePatient, Unfinished
from ui.kiosk.clinic_backend import ClinicBackend
from ui.kiosk.flow import Planned

DELIVERY_WAIT_SECONDS = 0.4
"""The longest a tap waits for its answer to reach the database (well under the second a patient may wait)."""


class JournalledBackend:
    def __init__(self, inner: ClinicBackend, journal: Journal, relay: Relay) -> None:
        self.inner = inner
        self.journal = journal
        self.relay = relay

    # --- what goes through the journal ------------------------------------------------------------------

    def _keep(self, kind: str, payload: dict[str, object]) -> None:
        """Commit to the journal, then give the relay a moment to deliver it (the usual case: the database
        has it when the tap returns); past that moment the tap returns anyway and the relay carries on.

        A refusal within that moment (another tablet took the visit over, say) is raised as the clinic's
        own UserError, so the patient is told at once instead of the answer being set aside unseen."""
        entry = self.journal.append(kind, payload, self.inner.actor, dt.datetime.now(dt.UTC))
        self.relay.notify()
        if self.relay.wait_for(entry, DELIVERY_WAIT_SECONDS):
            refusal = self.relay.refusal(entry)
            if refusal is not None:
                raise refusal

    def save_answer(self, response_id: int, item: str, value: int | None, language: str) -> None:
        self._keep("answer", {"response_id": response_id, "item": item, "value": value, "language": language})

    def complete_all(self, response_ids: Sequence[int]) -> list[ResponseRecord]:
        """Kept for delivery after the answers before it; the patient is thanked at once."""
        self._keep("complete", {"response_ids": list(response_ids)})
        return []

    def release(self, visit_ids: Sequence[int]) -> None:
        self._keep("release", {"visit_ids": list(visit_ids)})
        self.inner.end_visit()

    def waiting_answers(self) -> int:
        return self.journal.waiting_answers()

    # --- what asks the clinic database ------------------------------------------------------------------

    @property
    def device(self) -> str:
        return self.inner.device

    def attend(self, nurse: Session | None) -> None:
        self.inner.attend(nurse)

    def unlock(self, username: str | None, secret: str) -> UserRecord | None:
        return self.inner.unlock(username, secret)

    def due_patients(self, day: dt.date) -> list[DuePatient]:
        return self.inner.due_patients(day)

    def unfinished(self) -> list[Unfinished]:
        return self.inner.unfinished()

    def patient(self, patient_id: int) -> PatientRecord:
        return self.inner.patient(patient_id)

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        return self.inner.plan(patient_id, day)

    def hand_over(self, patient_id: int, day: dt.date) -> list[Planned]:
        return self.inner.hand_over(patient_id, day)

    def remember_language(self, patient_id: int, language: str) -> None:
        self.inner.remember_language(patient_id, language)

    def claim(self, visit_ids: Sequence[int], *, take_over: bool = False) -> None:
        self.inner.claim(visit_ids, take_over=take_over)

    def set_display(self, response_ids: Sequence[int], text_size: int, contrast: str) -> None:
        self.inner.set_display(response_ids, text_size, contrast)  # a convenience: lost if the database is away

    def call_nurse(self) -> None:
        self.inner.call_nurse()

    def nurse_called_at(self) -> str | None:
        return self.inner.nurse_called_at()

    def answer_call(self) -> None:
        self.inner.answer_call()

    def saved(self, visit_id: int, instrument: str) -> ResponseRecord | None:
        """The questionnaire as the database has it, with the answers still waiting on the tablet."""
        record = self.inner.saved(visit_id, instrument)
        if record is None:
            return None
        waiting = self.journal.pending_answers(record.id)
        return dataclasses.replace(record, answers={**record.answers, **waiting}) if waiting else record

    def open(self, visit_id: int, instrument: str, language: str) -> ResponseRecord:
        return self.inner.open(visit_id, instrument, language)


def journalled(clinic: Clinic, device: str | None = None) -> JournalledBackend:
    """The kiosk's backend over ``clinic``, with this tablet's journal and its relay running (stopped when
    the application quits). The relay has its own connections to the same database."""
    from PySide6.QtWidgets import QApplication

    inner = ClinicBackend(clinic, device)
    relay = tablet_relay(clinic, inner.device)
    application = QApplication.instance()
    if application is not None:
        application.aboutToQuit.connect(relay.stop)
    return JournalledBackend(inner, relay.journal, relay)
