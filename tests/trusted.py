"""A database opened as the in-process program a test or a benchmark is: every capability, no sign-in.

Front ends never do this (they sign in: ``Clinic.sign_in``, or ``cli`` in ``tests/conftest.py``); a test
that builds or inspects a database does, as the demo generator does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sijpro.services.clinic import Clinic
from sijpro.services.session import Session


@contextmanager
def trusted(url: str | None, actor: str = "system", **options: Any) -> Iterator[Session]:
    """``Clinic.open(url, **options)`` acting as ``actor`` with every capability; closed at the end."""
    with Clinic.open(url, **options) as clinic:
        yield clinic.system_session(actor)


def as_system(clinic: Clinic, actor: str = "test") -> Session:
    """The same open database with every capability: for a test's own set-up and checks beside the
    window under test, which acts through its sign-ins."""
    return clinic.system_session(actor)


def on_device(session: Session, device: str) -> Session:
    """The same principal acting from the tablet ``device`` (whose claims the collection checks)."""
    return Session(session.database, session.principal, session.context.clock, session.user, device=device)
