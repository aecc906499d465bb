"""A session: the clinic's use cases as one principal reaches them, with a fixed actor and role.

    clinic = Clinic.open(url)                      # nobody yet: sign in, verify, the scheduled backup
    nurse = clinic.sign_in("nina", password)       # or clinic.session(account) after the desk's own check
    nurse.patients.register(draft)                 # checked: nina's role has REGISTER
    nurse.auth.add_user(...)                       # AccessDenied: USERS is an administrator's
    tablet = nurse.hand_over(patient_id)           # a kiosk for that patient's due visit, nothing else

Every session exposes the same service objects (``patients``, ``collection``, ``auth``...), each bound
to the session's ``ServiceContext``; each public method checks a capability of that context's principal
before it reads or writes anything. Someone else signing in makes a new session; nothing flips the actor
of an existing one.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from sijpro.access import Capability, Principal
from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.services.audit import AuditTrail
from sijpro.services.auth import Auth
from sijpro.services.calls import NurseCalls
from sijpro.services.claims import Claims
from sijpro.services.clinic_settings import Settings
from sijpro.services.collection import Collection
from sijpro.services.complications import Complications
from sijpro.services.contacts import Contacts
from sijpro.services.context import Clock, ServiceContext
from sijpro.services.invitations import Invitations
from sijpro.services.letters import Letters
from sijpro.services.outcomes import Outcomes
from sijpro.services.patients import Patients
from sijpro.services.procedures import Procedures
from sijpro.services.protocols import Protocols
from sijpro.services.reminders import Reminders
from sijpro.services.scheduling import Schedule
from sijpro.services.study import Study
from sijpro.storage.database import Database

if TYPE_CHECKING:
    from sijpro.services.cohort import Cohort
    from sijpro.services.exports import Exports
    from sijpro.services.imports import Imports


class Session:
    def __init__(self, database: Database, principal: Principal, clock: Clock,
                 user: UserRecord | None = None, device: str | None = None) -> None:
        self.context = ServiceContext(database, principal, clock, device)
        self.user = user
        """The signed-in staff account (None for nobody, a kiosk or an in-process program)."""
        self.protocols = Protocols(self.context)
        self.patients = Patients(self.context)
        self.contacts = Contacts(self.context)
        self.procedures = Procedures(self.context, self.protocols)
        self.complications = Complications(self.context)
        self.schedule = Schedule(self.context)
        self.reminders = Reminders(self.context, self.schedule, self.protocols)
        self.letters = Letters(self.context, self.reminders)
        self.collection = Collection(self.context, self.protocols)
        self.claims = Claims(self.context)
        self.invitations = Invitations(self.context)
        self.calls = NurseCalls(self.context)
        self.outcomes = Outcomes(self.context)
        self.study = Study(self.context)
        self.audit = AuditTrail(self.context)
        self.auth = Auth(self.context)
        self.settings = Settings(self.context)

    # The cohort report, imports and exports bring the statistics and file-format libraries (numpy, scipy,
    # the export writers): loaded the first time a session uses them, so a kiosk, which never does, starts
    # without them.

    @cached_property
    def cohort(self) -> Cohort:
        from sijpro.services.cohort import Cohort

        return Cohort(self.context, self.outcomes, self.protocols, self.study)

    @cached_property
    def imports(self) -> Imports:
        from sijpro.services.imports import Imports

        return Imports(self.context, self.protocols)

    @cached_property
    def exports(self) -> Exports:
        from sijpro.services.exports import Exports

        return Exports(self.context, self.protocols)

    @property
    def database(self) -> Database:
        return self.context.database

    @property
    def principal(self) -> Principal:
        return self.context.principal

    @property
    def actor(self) -> str:
        return self.context.actor

    @property
    def where(self) -> str:
        return self.database.where

    @property
    def dialect(self) -> str:
        return self.database.dialect

    @property
    def today(self) -> dt.date:
        return self.context.today()

    def can(self, capability: Capability) -> bool:
        """Whether this session may use ``capability``: what a screen asks before it shows an action."""
        return self.principal.can(capability)

    def hand_over(self, patient_id: int, day: dt.date | None = None, *, device: str | None = None) -> Session:
        """A kiosk session for the patient's questionnaires due on ``day``: its actor names the kiosk and
        this nurse ("kiosk (nina)"), and it reaches that patient's record and those visits only, from
        ``device`` (the tablet that claimed them, ``services.claims``).

        Refused (UserError) when nothing is due for them, so a tablet never opens on an empty run.
        """
        self.principal.require(Capability.HAND_OVER)
        pending = self.collection.pending(patient_id, day)
        if not pending:
            raise UserError("nothing is due for this patient today")
        visits = frozenset(visit.id for visit, _ in pending)
        return Session(self.database, Principal.kiosk(self.actor, patient_id, visits), self.context.clock,
                       device=device)
