"""Encryption at rest: an encrypted database file is unreadable without its passphrase."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sijpro.errors import UserError
from sijpro.storage import encryption
from sijpro.storage.encryption import PassphraseError

MRN = "MRN-4711-0815"
NAME = "Quibblesworth"


def plain_database(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE patient (mrn TEXT, family_name TEXT)")
    connection.executemany("INSERT INTO patient VALUES (?, ?)", [(MRN, NAME), ("MRN-2", "Other")])
    connection.execute("PRAGMA user_version = 3")
    connection.commit()
    connection.close()
    return path


def test_encrypted_file_is_unreadable_without_its_key(tmp_path: Path, capfd) -> None:
    path = plain_database(tmp_path / "clinic.sqlite")
    assert MRN.encode() in path.read_bytes()
    encryption.encrypt_database(path, "correct horse battery")
    assert encryption.file_state(path) == "encrypted"
    data = path.read_bytes()
    assert MRN.encode() not in data and NAME.encode() not in data
    assert not data.startswith(encryption.SQLITE_HEADER)
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(path).execute("SELECT * FROM patient").fetchall()
    with pytest.raises(PassphraseError, match=r"wrong passphrase for .*clinic\.sqlite"):
        encryption.check_passphrase(path, "correct horse battery!")
    assert capfd.readouterr().err == ""  # SQLCipher's own error log stays quiet
    with encryption.open_encrypted(path, "correct horse battery") as connection:
        assert connection.execute("SELECT mrn FROM patient ORDER BY mrn").fetchall() == [("MRN-2",), (MRN,)]
        assert connection.execute("PRAGMA user_version").fetchone() == (3,)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_passphrase_change_and_decryption(tmp_path: Path) -> None:
    path = plain_database(tmp_path / "clinic.sqlite")
    encryption.encrypt_database(path, "first passphrase")
    encryption.change_passphrase(path, "first passphrase", "second passphrase")
    with pytest.raises(PassphraseError):
        encryption.check_passphrase(path, "first passphrase")
    with pytest.raises(PassphraseError):
        encryption.decrypt_database(path, "first passphrase")
    encryption.decrypt_database(path, "second passphrase")
    assert encryption.file_state(path) == "plain"
    assert sqlite3.connect(path).execute("SELECT count(*) FROM patient").fetchone() == (2,)


def test_weak_passphrases_and_wrong_states_are_refused(tmp_path: Path) -> None:
    path = plain_database(tmp_path / "clinic.sqlite")
    with pytest.raises(PassphraseError, match="at least 8"):
        encryption.encrypt_database(path, "short")
    with pytest.raises(PassphraseError, match="spaces"):
        encryption.encrypt_database(path, " leading space")
    with pytest.raises(UserError, match="not encrypted"):
        encryption.decrypt_database(path, "whatever passphrase")
    encryption.encrypt_database(path, "long enough")
    with pytest.raises(UserError, match="already encrypted"):
        encryption.encrypt_database(path, "long enough")
    with pytest.raises(UserError, match="no database"):
        encryption.encrypt_database(tmp_path / "missing.sqlite", "long enough")


def test_a_failed_rewrite_leaves_the_original_untouched(tmp_path: Path, monkeypatch) -> None:
    path = plain_database(tmp_path / "clinic.sqlite")
    before = path.read_bytes()

    def broken_copy(copy: Path, passphrase: str | None, original: Path) -> None:
        raise UserError("integrity check failed")

    monkeypatch.setattr(encryption, "_verify_copy", broken_copy)
    with pytest.raises(UserError, match="integrity"):
        encryption.encrypt_database(path, "long enough")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no copy left behind


def test_quotes_in_a_passphrase_are_part_of_it(tmp_path: Path) -> None:
    path = plain_database(tmp_path / "clinic.sqlite")
    tricky = "it's \"quoted\"; DROP"
    encryption.encrypt_database(path, tricky)
    encryption.check_passphrase(path, tricky)
    with pytest.raises(PassphraseError):
        encryption.check_passphrase(path, "it's ")
