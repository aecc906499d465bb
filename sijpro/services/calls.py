"""Calling the nurse from a tablet: the patient taps "Call a nurse", every staff desk shows a discreet
alert naming the tablet (never the patient), and the call ends when a nurse answers it at a desk or
unlocks that tablet. One open call per device: tapping again does not ring twice.

A call holds a tablet's name and a time, never a patient's data, so every method is open to all
principals: a patient at a locked or handed-over tablet must be able to ask for help, the locked tablet
shows its own open call, and it ends that call when a nurse unlocks it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from sijpro.access import open_to_all
from sijpro.errors import UserError
from sijpro.services.context import ServiceContext
from sijpro.storage.models import NurseCall


@dataclass(frozen=True)
class CallRecord:
    device: str
    called_at: dt.datetime
    """Naive UTC, as stored."""

    @property
    def local_time(self) -> str:
        return self.called_at.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M")


class NurseCalls:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @open_to_all
    def call(self, device: str) -> CallRecord:
        """Ask for a nurse at ``device``; a call already open stays as it was (its time is kept)."""
        name = device.strip()[:100]
        if not name:
            raise UserError("a nurse call needs the device's name")
        with self.context.database.writing() as session:
            row = session.get(NurseCall, name)
            if row is None:
                row = NurseCall(device=name, called_at=self.context.now())
                session.add(row)
            return CallRecord(row.device, row.called_at)

    @open_to_all
    def pending(self) -> list[CallRecord]:
        """Open calls, the oldest first."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(NurseCall).order_by(NurseCall.called_at, NurseCall.device)).all()
            return [CallRecord(row.device, row.called_at) for row in rows]

    @open_to_all
    def answer(self, device: str) -> None:
        """A nurse is on the way (or there): the call ends on every desk."""
        with self.context.database.writing() as session:
            session.execute(delete(NurseCall).where(NurseCall.device == device.strip()[:100]))
