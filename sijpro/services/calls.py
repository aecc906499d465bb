"""Calling the nurse from a tablet: the patient taps "Call a nurse", every staff desk shows a discreet
alert naming the tablet (never the patient), and the call ends when a nurse answers it at a desk or
unlocks that tablet. One open call per device: tapping again does not ring twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

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

    def pending(self) -> list[CallRecord]:
        """Open calls, the oldest first."""
        with self.context.database.reading() as session:
            rows = session.scalars(select(NurseCall).order_by(NurseCall.called_at, NurseCall.device)).all()
            return [CallRecord(row.device, row.called_at) for row in rows]

    def answer(self, device: str) -> None:
        """A nurse is on the way (or there): the call ends on every desk."""
        with self.context.database.writing() as session:
            session.execute(delete(NurseCall).where(NurseCall.device == device.strip()[:100]))
