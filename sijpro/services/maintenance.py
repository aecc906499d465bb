"""Checking and backing up the clinic's database (``sijpro verify`` and ``sijpro backup``).

``verify`` looks at every layer: the database's own structure (pages, foreign keys, append-only
triggers), the clinic key and the audit trail's keyed hash chain, the chain's witness outside the
database, every audited row against its last state in the trail, every finished questionnaire's scores
against its answers (``sijpro.services.tamper``), and each visit's copy of its scores against the score
rows. Each fault is one sentence naming what is wrong and where (the table and the row).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from sijpro.access import Capability
from sijpro.errors import UserError
from sijpro.services import tamper
from sijpro.services.audit import chain_report
from sijpro.services.scheduling import FINISHED_RESPONSE
from sijpro.services.session import Session
from sijpro.storage.backup import backup_database
from sijpro.storage.integrity import is_damage, structural_faults
from sijpro.storage.models import Response, Score, Visit

MAX_LISTED = 20


@dataclass(frozen=True)
class Fault:
    check: str
    """Which layer found it: 'database', 'audit', 'rows' or 'scores'."""
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def verify(clinic: Session) -> list[Fault]:
    """Every fault found; an empty list means the database, its audit trail and its rows are sound.

    Needs no account (``sijpro verify`` runs from a scheduled task): it reads no patient's data out.
    """
    clinic.principal.require(Capability.VERIFY)
    try:
        with clinic.database.translated_errors(), clinic.database.engine.connect() as connection:
            faults = [Fault("database", message) for message in structural_faults(connection)]
    except UserError as error:
        return [Fault("database", str(error))]
    if any(is_damage(fault.message) for fault in faults):
        return faults  # a damaged file: reading further could only repeat or hide what is wrong
    try:
        with clinic.database.translated_errors(), clinic.database.engine.connect() as connection:
            key_faults = tamper.key_faults(connection, clinic.database)
            if key_faults:
                return faults + [Fault("audit", message) for message in key_faults]
            report = chain_report(connection, clinic.database.audit_key)
            if not report.ok:
                faults.append(Fault("audit", f"{report.problem} (checked {report.events_checked} events before it)"))
            faults += [Fault("audit", message) for message in tamper.witness_faults(connection, clinic.database)]
            faults += [Fault("rows", message) for message in tamper.row_faults(connection, clinic.database.audit_key)]
            faults += [Fault("scores", message) for message in tamper.rescore_faults(connection, clinic.protocols)]
    except UserError as error:
        return [*faults, Fault("database", str(error))]
    faults += [Fault("scores", message) for message in _outcome_copy_faults(clinic)]
    return faults


def refuse_damaged(clinic: Session, action: str) -> None:
    """Refuse to write into a database whose pages or text ``verify`` calls damaged: writing there could
    only spread the damage (and the next backup would copy it)."""
    try:
        with clinic.database.translated_errors(), clinic.database.engine.connect() as connection:
            damage = [message for message in structural_faults(connection) if is_damage(message)]
    except UserError as error:
        damage = [str(error)]
    if damage:
        raise UserError(f"{clinic.where} is damaged, so nothing was {action}: {damage[0]}"
                        + (f" (and {len(damage) - 1} more)" if len(damage) > 1 else "")
                        + ". Run 'sijpro verify' to see every fault")


def backup(clinic: Session, target: Path) -> Path:
    """A consistent copy of the database at ``target`` (mode 0600), safe while others write; the chain head
    it holds is witnessed outside the database. An administrator's, since the copy holds every record
    (``backups.auto_backup`` takes the automatic ones the policy asks for, into the policy's folder,
    without an account)."""
    clinic.principal.require(Capability.BACKUPS)
    return witnessed_copy(clinic, target)


def witnessed_copy(clinic: Session, target: Path) -> Path:
    """The copy itself, for callers that checked their own capability."""
    written = backup_database(clinic.database, Path(target))
    with clinic.database.connection() as connection:
        head = clinic.database.head(connection)
    clinic.database.witness(head, kind="backup")
    return written


def _outcome_copy_faults(clinic: Session) -> list[str]:
    """Visits whose stored score summary differs from their score rows."""
    recorded: dict[int, dict[str, Any]] = defaultdict(dict)
    try:
        with clinic.database.connection() as connection:
            for visit_id, instrument, name, value in connection.execute(
                select(Response.visit_id, Response.instrument, Score.name, Score.value)
                .join(Score, Score.response_id == Response.id).where(Response.status.in_(FINISHED_RESPONSE))
            ):
                recorded[visit_id][f"{instrument}.{name}"] = value
            copies = connection.execute(select(Visit.id, Visit.outcome)).all()
    except DBAPIError as error:
        return [f"the scores could not be read: {str(error.orig).splitlines()[0]}"]
    faults = []
    for visit_id, outcome in copies:
        copy = (outcome or {}).get("scores", {})
        if copy != recorded.get(visit_id, {}):
            faults.append(f"visit {visit_id} (row {visit_id} of table visits): its score summary does not match "
                          "its score rows")
    if len(faults) > MAX_LISTED:
        faults = [*faults[:MAX_LISTED], f"... and {len(faults) - MAX_LISTED} more visits"]
    return faults
