"""Database location: a database is tested before it can be saved for this workstation; an empty one is
accepted (the first-run set-up prepares it), one that cannot be reached or is not ours is refused."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from sqlalchemy import make_url

from sijpro.services.clinic import Clinic
from sijpro.services.places import Probe
from tests.keyrings import MemoryKeyring
from tests.ui.background import click_and_finish
from ui.i18n import set_language
from ui.staff.admin.database import DatabasePage
from ui.workstation import database_for_start, saved_database_url, settings_path

pytestmark = pytest.mark.gui


def probe_result(qtbot, page: DatabasePage) -> Probe | None:
    """A click on "Test", and what the test found once it ends (None when the database cannot be used)."""
    click_and_finish(qtbot, page.test_button)
    return page.tested


@pytest.fixture
def page(shown_page, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SIJPRO_CONFIG_DIR", str(tmp_path / "config"))
    return shown_page(DatabasePage)


def test_only_a_tested_database_is_saved(page, demo_path: Path, tmp_path: Path, qtbot) -> None:
    assert page.sqlite.isChecked() and page.path.text() == str(demo_path)
    assert not page.save_button.isEnabled()
    assert page.current.text() == f"In use now: {demo_path}. Saved for this workstation: none (the default file)."
    found = probe_result(qtbot, page)
    assert (found.state, found.users) == ("ready", 3)
    assert page.result.text() == f"Connected to {demo_path}: an SIJ-PRO database, schema up to date, 3 user accounts."
    assert page.save_button.isEnabled()
    page.path.setText(str(tmp_path / "elsewhere.sqlite"))
    assert not page.save_button.isEnabled()  # typed after the test
    assert page.save() is False and page.result.text() == "Test this database first."
    assert saved_database_url() is None

    found = probe_result(qtbot, page)
    assert found.state == "new"
    assert "it is empty. At the next start, the first-run set-up" in page.result.text()
    assert page.save() is True
    assert saved_database_url() == str(tmp_path / "elsewhere.sqlite")
    assert stat.S_IMODE(settings_path().stat().st_mode) == 0o600
    assert page.current.text().endswith(f"Saved for this workstation: {tmp_path / 'elsewhere.sqlite'}.")


def test_databases_that_cannot_be_used_are_refused(page, tmp_path: Path, qtbot) -> None:
    page.path.setText(str(tmp_path / "no-such-folder" / "clinic.sqlite"))
    assert probe_result(qtbot, page) is None
    assert page.result.text().startswith("This database cannot be used: ")
    assert "does not exist" in page.result.text() and page.result.property("role") == "error"
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    page.path.setText(str(foreign))
    assert probe_result(qtbot, page) is None and not page.save_button.isEnabled()
    page.postgres.setChecked(True)
    page.url.setText("postgresql://nobody@127.0.0.1:1/nothing")
    assert probe_result(qtbot, page) is None
    assert "Cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/nothing" in page.result.text()
    page.url.setText("mysql://server/db")
    assert probe_result(qtbot, page) is None and "only SQLite and PostgreSQL are supported" in page.result.text()
    assert saved_database_url() is None


def test_a_server_or_file_database_before_and_after_set_up(page, database_url: str, qtbot) -> None:
    """``database_url``: a new SQLite file, and an empty PostgreSQL schema when the server is configured."""
    on_file = "://" not in database_url
    (page.sqlite if on_file else page.postgres).setChecked(True)
    (page.path if on_file else page.url).setText(database_url)
    assert probe_result(qtbot, page).state == "new"
    Clinic.init(database_url)
    found = probe_result(qtbot, page)
    assert (found.state, found.users) == ("ready", 0)
    assert page.save() is True and saved_database_url() == database_url


def test_french(page, qtbot) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Emplacement de la base de données"
    assert page.test_button.text() == "Tester la connexion"
    probe_result(qtbot, page)
    assert page.result.text().startswith("Connecté à ")


def test_the_start_follows_the_saved_database(page, tmp_path: Path, monkeypatch) -> None:
    from ui.workstation import database_for_start, save_database_url

    monkeypatch.delenv("SIJPRO_DATABASE_URL", raising=False)
    assert database_for_start(None) is None  # nothing saved: the default file
    save_database_url(str(tmp_path / "saved.sqlite"))
    assert database_for_start(None) == str(tmp_path / "saved.sqlite")
    assert database_for_start("/given/by/--db.sqlite") == "/given/by/--db.sqlite"
    monkeypatch.setenv("SIJPRO_DATABASE_URL", "postgresql://server/db")
    assert database_for_start(None) is None  # the environment variable wins, read where the URL is resolved


def test_an_unknown_server_name_is_said_as_such(page, qtbot) -> None:
    """Not 'Something went wrong': the server's name is not known, and what to check."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.ui.staff.clicks import click

    click(page.postgres)
    page.url.setFocus()
    QTest.keyClick(page.url, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(page.url, "postgresql://sijpro:secret@db-server.invalid:5432/sijpro")
    click_and_finish(qtbot, page.test_button)
    assert page.result.text() == (
        "This database cannot be used: The server name db-server.invalid is not known on this network "
        "(postgresql+psycopg://sijpro:***@db-server.invalid:5432/sijpro). Check the spelling of the server, or "
        "ask the clinic's IT.")
    assert page.result.property("role") == "error" and "secret" not in page.result.text()
    set_language("fr")
    click_and_finish(qtbot, page.test_button)
    assert page.result.text().replace("\u00a0", " ").startswith(
        "Cette base ne peut pas être utilisée : Le nom de serveur db-server.invalid est inconnu sur ce réseau")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No credential store, as on a bare server or in CI."""
    before = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(before)


SECRET = "s3cret-Pw!4"
WRITTEN = (SECRET, "s3cret-Pw%214", "s3cret")
"""The password as typed, as a URL writes it, and any part of it."""


def _with_secret(url: str) -> str:
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def _type_server(page, url: str, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from tests.ui.staff.clicks import click

    click(page.postgres)
    page.url.setFocus()
    QTest.keyClick(page.url, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(page.url, url)
    click_and_finish(qtbot, page.test_button)  # the test runs in the background
    assert page.tested is not None, page.result.text()
    click(page.save_button)


def test_a_server_password_goes_to_the_credential_store_never_the_file(page, postgres_url, memory_keyring,
                                                                       monkeypatch, qtbot) -> None:
    monkeypatch.delenv("SIJPRO_DATABASE_URL", raising=False)
    _type_server(page, _with_secret(postgres_url), qtbot)
    assert page.result.text().endswith("The password is kept in this computer's password store, not in a file.")
    written = settings_path().read_text(encoding="utf-8")
    assert not any(form in written for form in WRITTEN) and "password = keyring" in written
    address = saved_database_url()
    assert address is not None and make_url(address).password is None
    assert memory_keyring.kept == {("sijpro", address): SECRET}
    asked: list[str] = []
    opened = database_for_start(None, lambda where: asked.append(where) or None)
    assert make_url(opened) == make_url(_with_secret(postgres_url)) and asked == []
    assert SECRET not in page.current.text()


def test_without_a_credential_store_the_password_is_asked_never_written(page, postgres_url, no_keyring,
                                                                        monkeypatch, qtbot) -> None:
    monkeypatch.delenv("SIJPRO_DATABASE_URL", raising=False)
    _type_server(page, _with_secret(postgres_url), qtbot)
    assert page.result.text().endswith(
        "This computer has no password store, so the password is not saved: it will be asked at each start.")
    assert page.result.property("role") == "warning"
    written = settings_path().read_text(encoding="utf-8")
    assert not any(form in written for form in WRITTEN) and "password = ask" in written
    asked: list[str] = []
    opened = database_for_start(None, lambda where: asked.append(where) or "typed-at-start")
    assert asked == [saved_database_url()]
    assert make_url(opened).password == "typed-at-start"
    assert make_url(database_for_start(None, lambda where: None)).password is None  # the user gave none
