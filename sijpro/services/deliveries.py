"""The ids of the journal entries a tablet delivered: what makes a resend harmless.

Every write a tablet delivers from its journal (``sijpro.services.relay``) names the entry's id; the
service records it in ``deliveries`` in the same transaction as the write, and an id already recorded
means the write was applied before (its acknowledgement was lost with the connection): it is not applied
again. The primary key settles two deliveries of one id racing each other: one commits, the other fails.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijpro.services.context import ServiceContext
from sijpro.storage.models import Delivery


def is_delivered(session: Session, delivery: str) -> bool:
    return session.scalar(select(Delivery.id).where(Delivery.id == delivery)) is not None


def first_delivery(session: Session, context: ServiceContext, delivery: str | None, kind: str) -> bool:
    """True when the write should be applied: no id (an ordinary call) or an id never seen, now recorded."""
    if delivery is None:
        return True
    if is_delivered(session, delivery):
        return False
    session.add(Delivery(id=delivery, device=context.device or "", kind=kind, delivered_at=context.now()))
    return True
