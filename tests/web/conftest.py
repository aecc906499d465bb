"""The web app's fixtures: a patient invited to answer at home, and the app over the invitations' door."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.records import ProcedureDraft
from sijpro.services.invitations import WebDoor
from tests.factories import patient_draft
from ui.web.app import create_app
from ui.web.clinic_door import ClinicDoor


@pytest.fixture
def invited(clinic, clock, monkeypatch):
    """(app, issued invitation, clinic, patient): WEB001, six weeks after surgery, invited to the visit due."""
    monkeypatch.setenv("SIJPRO_WEB_URL", "https://prom.example.org")
    patient = clinic.patients.register(patient_draft("WEB001"), confirm_duplicate=True)
    clinic.procedures.record(patient.id, ProcedureDraft(clock.today() - dt.timedelta(days=42), side="left",
                                                        approach="lateral"))
    issued = clinic.invitations.issue(patient.id)
    app = create_app(ClinicDoor(WebDoor(clinic.database, clock)))
    app.testing = True
    return app, issued, clinic, patient
