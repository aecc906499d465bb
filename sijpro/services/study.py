"""A study database: several centres' de-identified exports pooled for a multicentre analysis.

A database becomes one with its first import of de-identified files (``sijpro.exchange.import_study``),
which records the study's data lock: the day every centre's export is anchored to. From then on it takes
de-identified exports only, and the cohort summary counts follow-up completeness on the data lock (the
day the centres' visit states were true), not on the computer's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from sijpro.access import Capability, open_to_all, requires
from sijpro.services.context import ServiceContext
from sijpro.storage.models import Meta, Patient

DATA_LOCK_KEY = "study.data_lock"


@dataclass(frozen=True)
class StudyState:
    data_lock: dt.date | None
    """None: a clinic's database (no de-identified export pooled in it)."""
    sites: frozenset[str]
    """Centres already pooled (empty for a clinic's database)."""


def data_lock(connection: Connection) -> dt.date | None:
    value = connection.scalar(select(Meta.value).where(Meta.key == DATA_LOCK_KEY))
    return None if value is None else dt.date.fromisoformat(value)


def mark_study(connection: Connection, lock: dt.date) -> None:
    connection.execute(insert(Meta).values(key=DATA_LOCK_KEY, value=lock.isoformat()))


class Study:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @requires(Capability.IMPORT)
    def state(self) -> StudyState:
        """What an import of de-identified files is checked against."""
        with self.context.database.connection() as connection:
            lock = data_lock(connection)
            sites = frozenset() if lock is None else frozenset(
                site for site, count in connection.execute(
                    select(Patient.site, func.count()).group_by(Patient.site)) if count)
        return StudyState(lock, sites)

    @open_to_all
    def counting_day(self) -> dt.date:
        """The day the cohort's completeness is counted on: the data lock of a study database, else today.
        Open to all: a date, no patient's data."""
        with self.context.database.connection() as connection:
            return data_lock(connection) or self.context.today()
