"""Shared fixtures: a real database on every engine the run can reach.

``database_url`` gives an SQLite file in ``tmp_path`` always and, when ``SIJPRO_TEST_POSTGRES_URL`` is
set, a PostgreSQL schema of its own (created for the test, dropped after it), so each test starts clean.
``clinic`` is that database initialised and opened on a fixed clock, acting as 'nurse1' with every
capability; ``cli`` runs the command line signed in.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.session import Session
from tests.bundle_build import bundle_build
from tests.factories import copy_clinic_file
from tests.reminder_clinic import reminder_clinic
from tests.tools.blackhole_proxy import BlackholeProxy

POSTGRES_URL = os.environ.get("SIJPRO_TEST_POSTGRES_URL")
BUNDLE_TESTS = "test_bundle.py"


@pytest.fixture(autouse=True, scope="session")
def _log_outside_the_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The program's log (sijpro.logs) of the whole run goes to a temporary folder, not the user's."""
    from sijpro.logs import stop_logging

    before = os.environ.get("SIJPRO_LOG_DIR")
    os.environ["SIJPRO_LOG_DIR"] = str(tmp_path_factory.mktemp("log"))
    yield
    stop_logging()
    if before is None:
        os.environ.pop("SIJPRO_LOG_DIR", None)
    else:
        os.environ["SIJPRO_LOG_DIR"] = before
TODAY = dt.date(2024, 6, 3)


def _postgres_schema_url(schema: str) -> str:
    assert POSTGRES_URL is not None
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _run_postgres(statement: str) -> None:
    import psycopg

    assert POSTGRES_URL is not None
    plain = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set"),
    ]),
])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file path, or a PostgreSQL URL whose search_path is a fresh schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "clinic.sqlite")
        return
    with fresh_postgres_schema() as url:
        yield url


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped with everything in it at the end."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    _run_postgres(f"CREATE SCHEMA {schema}")
    try:
        yield _postgres_schema_url(schema)
    finally:
        _run_postgres(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database (a fresh schema) for the tests that only make sense on the server."""
    with fresh_postgres_schema() as url:
        yield url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The bundle's tests run last, their PyInstaller build started now beside the rest of the suite."""
    bundle = [item for item in items if item.path.name == BUNDLE_TESTS]
    if bundle and not config.option.collectonly:
        items[:] = [item for item in items if item.path.name != BUNDLE_TESTS] + bundle
        bundle_build.start()


def pytest_sessionfinish() -> None:
    bundle_build.stop()


@pytest.fixture
def proxy() -> Iterator[BlackholeProxy]:
    """A loopback TCP proxy to the test PostgreSQL server, to cut the network under a test."""
    assert POSTGRES_URL is not None
    target = make_url(POSTGRES_URL)
    cutter = BlackholeProxy(target.host or "127.0.0.1", target.port or 5432)
    yield cutter
    cutter.close()


@pytest.fixture(scope="session", autouse=True)
def private_clinic_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The clinic key and the witness files in the test run's folder (subprocesses inherit it), so test
    databases never touch the user's key; one key for the run, as one installation has."""
    previous = os.environ.get("SIJPRO_CLINIC_KEY_FILE")
    os.environ["SIJPRO_CLINIC_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "clinic.key")
    os.environ["SIJPRO_JOURNAL_DIR"] = str(tmp_path_factory.mktemp("journals"))  # the kiosks' answer journals
    yield
    if previous is None:
        os.environ.pop("SIJPRO_CLINIC_KEY_FILE", None)
    else:
        os.environ["SIJPRO_CLINIC_KEY_FILE"] = previous


@pytest.fixture(autouse=True)
def private_workstation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's own workstation settings (database chosen, language last chosen): a test choosing
    French must not make the user's desktop, or a later test, start in French."""
    monkeypatch.setenv("SIJPRO_CONFIG_DIR", str(tmp_path_factory.mktemp("workstation")))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture
def clinic(database_url: str, clock: FixedClock) -> Iterator[Session]:
    """Every capability, as the in-process program a test is (``Clinic.system_session``); what roles may do
    is tested through real sign-ins (``staff_session``, ``tests/test_access.py``)."""
    Clinic.init(database_url, clock=clock)
    with Clinic.open(database_url, clock=clock) as opened:
        yield opened.system_session("nurse1")


CLI_PASSWORD = "a CLI test passw0rd"
"""Every account ``cli_as`` makes has this password (long enough, and of two kinds, for an administrator)."""


@pytest.fixture
def cli_as(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Sign the command line in for the rest of the test: ``cli_as(url)`` (an administrator) or
    ``cli_as(url, "nurse")`` makes the account ``cli-<role>`` in that initialised database (once) and sets
    ``$SIJPRO_USER`` and ``$SIJPRO_PASSWORD``, which ``main()`` in-process and ``python main.py`` in a
    subprocess both read. Returns the username. The one way the suite runs the CLI signed in."""

    def sign_in(url: str, role: str = "admin") -> str:
        username = f"cli-{role}"
        with Clinic.open(url) as opened:
            clinic = opened.system_session("test set-up")
            if all(user.username != username for user in clinic.auth.users()):
                clinic.auth.add_user(username, f"CLI {role}", role, CLI_PASSWORD)  # type: ignore[arg-type]
        monkeypatch.setenv("SIJPRO_USER", username)
        monkeypatch.setenv("SIJPRO_PASSWORD", CLI_PASSWORD)
        return username

    monkeypatch.delenv("SIJPRO_USER", raising=False)
    monkeypatch.delenv("SIJPRO_PASSWORD", raising=False)
    return sign_in


@pytest.fixture(autouse=True)
def nobody_signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test inherits a sign-in from the environment it runs in."""
    monkeypatch.delenv("SIJPRO_USER", raising=False)
    monkeypatch.delenv("SIJPRO_PASSWORD", raising=False)


@pytest.fixture(scope="module")
def reminder_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reminder tests' clinic (tests.reminder_clinic), made once per module; a module whose letters
    need the clinic's letterhead overrides it with ``lettering_clinic``."""
    return reminder_clinic(tmp_path_factory.mktemp("template") / "clinic.sqlite")


@pytest.fixture
def clinic_path(reminder_template: Path, tmp_path: Path) -> Path:
    """A test's own copy of its module's reminder clinic file."""
    return copy_clinic_file(reminder_template, tmp_path / "clinic.sqlite")
