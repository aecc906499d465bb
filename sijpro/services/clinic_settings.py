"""The clinic's own settings: its name (on screens and PDF headers), when an idle staff session locks, its
country, its letterhead, and the address of its at-home web app.

They live in the database (``meta`` rows ``clinic.*``) so every workstation of a clinic shows the same
name and follows the same privacy policy; changing them is an admin action recorded in the audit trail.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import select

from sijpro.access import Capability, open_to_all, requires
from sijpro.contact import region_problem
from sijpro.errors import InputErrors, UserError
from sijpro.problems import Problem
from sijpro.services.audit import Change, record
from sijpro.services.context import ServiceContext
from sijpro.storage.models import Meta

SETTING_PREFIX = "clinic."
MAX_NAME = 200
IDLE_MINUTES_RANGE = (1, 240)
MAX_ADDRESS = 300
MAX_PHONE = 40
MAX_WEB_ADDRESS = 200
WEB_URL_VARIABLE: Final = "SIJPRO_WEB_URL"
"""Overrides the clinic's web address on one machine (a trial server, a test)."""
LOCAL_WEB_HOST: Final = "127.0.0.1"
LOCAL_WEB_PORT: Final = 8080
LOCAL_WEB_URL: Final = f"http://{LOCAL_WEB_HOST}:{LOCAL_WEB_PORT}"
"""Where ``sijpro serve`` answers by default: the link an invitation gets while the clinic has no web
address, which opens on the server itself only (its code works on any address)."""
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Where plain http is accepted for the web app's address: this machine only (a trial, a test)."""


@dataclass(frozen=True)
class ClinicSettings:
    name: str = ""
    idle_lock_minutes: int = 10
    """Minutes without a key press or click after which the staff desktop locks back to its login."""
    country: str = ""
    """ISO 3166 code (FR, CH...) of the country whose national phone numbers the clinic types without
    +country code; empty: every number needs its country code (``sijpro.contact``)."""
    address: str = ""
    """The clinic's postal address, one line per line: the letterhead of the letters with paper packs and
    where patients post them back."""
    phone: str = ""
    """The number patients call with a question about a letter (printed on it as written here)."""
    web_address: str = ""
    """The public address of ``sijpro serve`` behind the clinic's HTTPS reverse proxy, which invitation
    links start with; empty: links to the server itself (``LOCAL_WEB_URL``) and none in reminders.
    ``$SIJPRO_WEB_URL`` on a machine overrides it."""

    def problems(self) -> list[Problem]:
        found = []
        if len(self.name) > MAX_NAME:
            found.append(Problem("name", "too_long", {"limit": str(MAX_NAME)}))
        low, high = IDLE_MINUTES_RANGE
        if not low <= self.idle_lock_minutes <= high:
            found.append(Problem("idle_lock_minutes", "idle_range",
                                 {"value": str(self.idle_lock_minutes), "low": str(low), "high": str(high)}))
        if len(self.address) > MAX_ADDRESS:
            found.append(Problem("address", "too_long", {"limit": str(MAX_ADDRESS)}))
        if len(self.phone) > MAX_PHONE:
            found.append(Problem("phone", "too_long", {"limit": str(MAX_PHONE)}))
        problem = region_problem(self.country)
        if problem is not None:
            found.append(problem)
        problem = web_address_problem(self.web_address) if self.web_address else None
        if problem is not None:
            found.append(problem)
        return found


def web_address_problem(value: str, field: str | None = "web_address") -> Problem | None:
    """What is wrong with a web app address: it is an https address with no query (plain http only on this
    machine, since the link's token would cross the network in clear); None when nothing is."""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return Problem(field, "web_address", {"value": value[:80]})
    if (len(value) > MAX_WEB_ADDRESS or parts.scheme not in ("https", "http") or not host or parts.query
            or parts.fragment or parts.username or parts.password):
        return Problem(field, "web_address", {"value": value[:80]})
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return Problem(field, "web_address_https", {"value": value[:80]})
    return None


class Settings:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @open_to_all  # the clinic's name and idle-lock time are shown before anyone signs in
    def load(self) -> ClinicSettings:
        with self.context.database.reading() as session:
            stored = {row.key.removeprefix(SETTING_PREFIX): row.value for row in session.scalars(
                select(Meta).where(Meta.key.startswith(SETTING_PREFIX)))}
        values: dict[str, Any] = {}
        for field in fields(ClinicSettings):
            text = stored.get(field.name)
            if text is None:
                continue
            if field.type == "int":
                if text.isdigit():
                    values[field.name] = int(text)
            else:
                values[field.name] = text
        return replace(ClinicSettings(), **values)

    @requires(Capability.CLINIC_SETTINGS)
    def save(self, settings: ClinicSettings) -> ClinicSettings:
        """Store the settings; each changed one is an audit event."""
        settings = ClinicSettings(name=settings.name.strip(), idle_lock_minutes=settings.idle_lock_minutes,
                                  country=settings.country.strip().upper(),
                                  address="\n".join(line.strip() for line in settings.address.strip().splitlines()
                                                    if line.strip()),
                                  phone=settings.phone.strip(), web_address=settings.web_address.strip().rstrip("/"))
        problems = settings.problems()
        if problems:
            raise InputErrors(problems)
        before = self.load()
        changes = []
        with self.context.database.writing() as session:
            for field in fields(ClinicSettings):
                old, new = getattr(before, field.name), getattr(settings, field.name)
                if old == new:
                    continue
                key = SETTING_PREFIX + field.name
                row = session.get(Meta, key)
                if row is None:
                    session.add(Meta(key=key, value=str(new)))
                else:
                    row.value = str(new)
                changes.append(Change("setting", None, key, old, new))
            session.flush()
            if changes:
                record(session, self.context, changes)
        return settings


def web_url(context: ServiceContext, environ: Mapping[str, str] | None = None) -> str | None:
    """The public base address of the web app, without its trailing slash: ``$SIJPRO_WEB_URL`` on this
    machine, else the clinic's setting (the desk's Clinic page); None when neither is set."""
    value = (os.environ if environ is None else environ).get(WEB_URL_VARIABLE, "").strip().rstrip("/")
    if value:
        problem = web_address_problem(value, None)
        if problem is not None:
            raise UserError(f"{WEB_URL_VARIABLE}: {problem.text}")
        return value
    return Settings(context).load().web_address or None
