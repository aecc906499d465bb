"""What the kiosk asks of the clinic: the few service calls behind its screens, as one interface.

The screens depend on this protocol rather than on ``sijpro.services`` directly so that the staff
desktop can hand over to the same runner, and so that the calls the kiosk makes are listed in one place.
``ClinicBackend`` (in ``clinic_backend``) implements it over ``sijpro.services.Clinic``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sijpro.instruments import LocalText
from sijpro.records import PatientRecord, UserRecord
from ui.kiosk.flow import CollectionPort, Planned


@dataclass(frozen=True)
class DuePatient:
    """A patient the nurse may hand the tablet to, with what is due and whether any of it is late."""

    patient: PatientRecord
    planned: tuple[Planned, ...]
    timepoints: tuple[LocalText, ...]
    """The visits' names in every language, as the protocol labels them ("3 months")."""
    overdue: bool
    held_by: str | None = None
    """The other device answering one of these visits now, if any (handing over is then refused)."""


@dataclass(frozen=True)
class Unfinished:
    """A kiosk run interrupted (crash, power cut, timeout) that the nurse can resume."""

    patient: PatientRecord
    answered: int
    total: int
    held_by: str | None = None


class KioskBackend(CollectionPort, Protocol):
    def unlock(self, username: str | None, secret: str) -> UserRecord | None:
        """The staff member a PIN or password belongs to; None or a UserError (saying why) when refused."""
        ...

    def due_patients(self, day: dt.date) -> list[DuePatient]:
        """Everyone the tablet may go to today, most urgent first: overdue (longest first), then due."""
        ...

    def unfinished(self) -> list[Unfinished]: ...

    def patient(self, patient_id: int) -> PatientRecord: ...

    def plan(self, patient_id: int, day: dt.date) -> list[Planned]:
        """The questionnaires due or overdue for the patient on ``day``, in the order they are asked."""
        ...

    def hand_over(self, patient_id: int, day: dt.date) -> list[Planned]:
        """The questionnaires the tablet is to be handed for (due or overdue on ``day``, in the order they
        are asked); ``claim`` then hands it over. An empty list when none is due."""
        ...

    def remember_language(self, patient_id: int, language: str) -> None: ...

    @property
    def device(self) -> str:
        """This tablet's name, as other tablets are told it when they are refused a visit it holds."""
        ...

    def claim(self, visit_ids: Sequence[int], *, take_over: bool = False) -> None:
        """Claim the visits for this tablet, which from then on answers them and nothing else (the nurse's
        part ends); ``VisitClaimed`` (naming the holder) when another holds one."""
        ...

    def release(self, visit_ids: Sequence[int]) -> None:
        """Give the visits back: the patient finished or the tablet locked."""
        ...

    def waiting_answers(self) -> int:
        """Answers given on this tablet that have not reached the clinic database yet (shown to the nurse)."""
        ...

    def call_nurse(self) -> None:
        """The patient asks for a nurse: every staff desk shows this tablet's call."""
        ...

    def nurse_called_at(self) -> str | None:
        """When this tablet's open call was made (HH:MM), or None."""
        ...

    def answer_call(self) -> None:
        """A nurse is at the tablet: its call ends."""
        ...
