"""PostgreSQL: the app connects as a role that does not own the tables, so its own credentials cannot
disable the triggers that keep the audit trail append-only, nor rewrite the trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import make_url

from sijpro.cli import main
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import verify
from tests.conftest import POSTGRES_URL, _run_postgres
from tests.factories import operated_patient
from tests.trusted import as_system

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]
REFUSED = ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_refuse_change",
           "DROP TRIGGER audit_events_refuse_change ON audit_events",
           "UPDATE audit_events SET actor = 'someone else'",
           "DELETE FROM audit_events",
           "TRUNCATE audit_events",
           "ALTER TABLE patients OWNER TO CURRENT_USER")


@pytest.fixture
def role() -> Iterator[str]:
    name = f"h15_app_{uuid.uuid4().hex[:8]}"
    yield name
    _run_postgres(f"""DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
                      EXECUTE 'DROP OWNED BY "{name}"'; EXECUTE 'DROP ROLE "{name}"'; END IF; END $$""")


def test_init_makes_an_app_role_that_works_but_cannot_touch_the_trail(postgres_url: str, role: str, capsys,
                                                                     monkeypatch, clock) -> None:
    monkeypatch.setenv("SIJPRO_APP_ROLE_PASSWORD", "an-app-password")
    assert main(["--db", postgres_url, "init", "--app-role", role]) == 0
    assert f"created the role {role}" in capsys.readouterr().out
    app_url = make_url(postgres_url).set(username=role, password="an-app-password").render_as_string(
        hide_password=False)
    with Clinic.open(app_url, clock=clock) as clinic:
        nurse = as_system(clinic, "nurse1")
        patient = operated_patient(nurse)
        nurse.patients.update(patient.id, {"bmi": 31.0}, expected_version=1, reason="measured")
        assert verify(clinic) == []
    plain = make_url(app_url).set(drivername="postgresql").render_as_string(hide_password=False)
    for statement in REFUSED:
        with psycopg.connect(plain, autocommit=True) as connection, \
                pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement)
    assert main(["--db", postgres_url, "init", "--app-role", role]) == 0  # again: the grants only
    assert f"updated the role {role}" in capsys.readouterr().out


def test_the_app_role_must_be_another_role_and_a_new_one_needs_a_password(postgres_url: str, role: str, capsys,
                                                                         monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_APP_ROLE_PASSWORD", raising=False)
    assert main(["--db", postgres_url, "init", "--app-role", role]) == 1
    assert "give its password in $SIJPRO_APP_ROLE_PASSWORD" in capsys.readouterr().err
    owner = make_url(postgres_url).username
    assert main(["--db", postgres_url, "init", "--app-role", str(owner)]) == 1
    assert "which owns the tables" in capsys.readouterr().err
