"""Protocol versions stored in the database: new patients follow the current one, and every visit keeps
the version it was scheduled under, so editing the protocol never rewrites anyone's past schedule."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from sijpro.access import Capability, open_to_all, requires
from sijpro.errors import UserError
from sijpro.protocol import Protocol, check_protocol, default_protocol, parse_protocol
from sijpro.services.audit import Change, record
from sijpro.services.context import ServiceContext
from sijpro.storage.models import ProtocolVersion


class Protocols:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self._by_id: dict[int, Protocol] = {}

    @open_to_all  # the schedule's shape is no one's health data: the kiosk labels visits with it
    def current(self) -> Protocol:
        with self.context.database.reading() as session:
            return self.current_in(session)[1]

    @open_to_all
    def versions(self) -> list[Protocol]:
        with self.context.database.reading() as session:
            ids = session.scalars(select(ProtocolVersion.id).order_by(ProtocolVersion.version)).all()
            return [self.by_id(session, protocol_id) for protocol_id in ids]

    @requires(Capability.PROTOCOL)
    def save_new_version(self, protocol: Protocol, *, reason: str | None = None) -> Protocol:
        """Store ``protocol`` as the next version (its own version number is replaced) and make it current,
        once it is sound as a whole (``check_protocol``: bounds, time order, windows apart)."""
        check_protocol(parse_protocol(protocol.to_mapping(), "new protocol version"), "new protocol version")
        with self.context.database.writing() as session:
            latest = session.scalar(select(func.max(ProtocolVersion.version))) or 0
            saved = dataclasses.replace(protocol, version=latest + 1)
            protocol_id = self._insert(session, saved)
            record(session, self.context, [Change("protocol", protocol_id, new=saved.to_mapping(), reason=reason)])
        return saved

    @requires(Capability.PROTOCOL)
    def restore(self, version: int) -> Protocol:
        """Make an earlier version current again, as the next version (the history keeps every version);
        it must still pass today's checks."""
        earlier = next((protocol for protocol in self.versions() if protocol.version == version), None)
        if earlier is None:
            raise UserError(f"there is no protocol version {version}")
        return self.save_new_version(earlier, reason=f"restored version {version}")

    @open_to_all  # inside Clinic.init's own transaction
    def ensure_default(self, session: Session) -> bool:
        """Store the bundled default protocol in an empty database; True when it did."""
        if session.scalar(select(func.count()).select_from(ProtocolVersion)):
            return False
        protocol = default_protocol()
        protocol_id = self._insert(session, protocol)
        record(session, self.context, [Change("protocol", protocol_id, new=protocol.to_mapping())])
        return True

    @open_to_all  # inside another service's transaction, which checked its own capability
    def current_in(self, session: Session | Connection) -> tuple[int, Protocol]:
        """(row id, protocol) of the current version, inside the caller's transaction."""
        protocol_id = session.scalar(select(ProtocolVersion.id).order_by(ProtocolVersion.version.desc()).limit(1))
        if protocol_id is None:
            raise UserError("the database has no follow-up protocol: run 'sijpro init'")
        return protocol_id, self.by_id(session, protocol_id)

    @open_to_all  # inside another service's transaction, which checked its own capability
    def by_id(self, session: Session | Connection, protocol_id: int) -> Protocol:
        """A stored version; cached, since stored versions never change."""
        if protocol_id not in self._by_id:
            definition = session.scalar(select(ProtocolVersion.definition).where(ProtocolVersion.id == protocol_id))
            if definition is None:
                raise UserError(f"protocol {protocol_id} is not in the database")
            self._by_id[protocol_id] = parse_protocol(definition, f"stored protocol {protocol_id}")
        return self._by_id[protocol_id]

    def _insert(self, session: Session, protocol: Protocol) -> int:
        return session.execute(
            insert(ProtocolVersion).values(
                name=protocol.name, version=protocol.version, definition=protocol.to_mapping(),
                created_at=self.context.now(), created_by=self.context.actor,
            ).returning(ProtocolVersion.id)
        ).scalar_one()
