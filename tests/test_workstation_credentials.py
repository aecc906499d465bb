"""A workstation.ini written by an older release with the server's password in its URL: the next start
moves the password to the credential store (or, with none, removes it and asks), and the file holds it no
more. The store is keyring's, set through ``keyring.set_keyring``."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring

from sijpro import credentials
from tests.keyrings import MemoryKeyring
from ui import workstation

OLD = "postgresql+psycopg://sijpro:old-Secret9@db-server:5432/sijpro"
ADDRESS = "postgresql+psycopg://sijpro@db-server:5432/sijpro"


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Iterator[KeyringBackend]:
    before = keyring.get_keyring()
    chosen = MemoryKeyring() if request.param == "memory" else FailKeyring()
    keyring.set_keyring(chosen)
    yield chosen
    keyring.set_keyring(before)


def write_old_file(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    monkeypatch.setenv("SIJPRO_CONFIG_DIR", str(folder))
    monkeypatch.delenv("SIJPRO_DATABASE_URL", raising=False)
    path = folder / "workstation.ini"
    folder.mkdir()
    path.write_text(f"[database]\nurl = {OLD}\n\n[interface]\nlanguage = fr\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("store", ["memory"], indirect=True)
def test_an_old_password_moves_to_the_store(store, tmp_path: Path, monkeypatch) -> None:
    path = write_old_file(monkeypatch, tmp_path / "config")
    assert workstation.database_for_start(None, lambda where: pytest.fail("asked")) == OLD
    text = path.read_text(encoding="utf-8")
    assert "old-Secret9" not in text and f"url = {ADDRESS}" in text and "password = keyring" in text
    assert "language = fr" in text  # the other settings stay
    assert store.kept == {("sijpro", ADDRESS): "old-Secret9"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("store", ["none"], indirect=True)
def test_without_a_store_an_old_password_is_removed_and_asked(store, tmp_path: Path, monkeypatch) -> None:
    path = write_old_file(monkeypatch, tmp_path / "config")
    asked: list[str] = []
    opened = workstation.database_for_start(None, lambda where: asked.append(where) or "typed")
    assert asked == [ADDRESS] and opened == "postgresql+psycopg://sijpro:typed@db-server:5432/sijpro"
    text = path.read_text(encoding="utf-8")
    assert "old-Secret9" not in text and "password = ask" in text


def test_the_address_is_the_url_without_its_password() -> None:
    assert credentials.split_password(OLD) == (ADDRESS, "old-Secret9")
    assert credentials.split_password(ADDRESS) == (ADDRESS, None)
    assert credentials.split_password("/srv/clinic.sqlite") == ("/srv/clinic.sqlite", None)
    assert credentials.with_password(ADDRESS, "p@ss:w/rd") == "postgresql+psycopg://sijpro:p%40ss%3Aw%2Frd@db-server:5432/sijpro"
