"""``python main.py`` in a process of its own: the wizard on a new database, sign-in on one set up, the
passphrase on an encrypted one; each time exit status 0 with ``--exit-after-start`` and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sijpro.storage.encryption import encrypt_database

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[3]


def start(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SIJPRO_")}
    environment.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"), LANG="en_GB.UTF-8")
    return subprocess.run([sys.executable, "main.py", "--exit-after-start", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=False)


def first_window(started: subprocess.CompletedProcess[str]) -> str:
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr
    lines = started.stdout.splitlines()
    return lines[0].removeprefix("first window: ")


def test_an_empty_database_opens_the_wizard_and_creates_nothing_yet(tmp_path) -> None:
    path = tmp_path / "clinic.sqlite"
    assert first_window(start(tmp_path, "--db", str(path))) == "firstRunWizard"
    assert not path.exists()


def test_a_fresh_install_without_db_opens_the_wizard_on_the_default_database(tmp_path) -> None:
    assert first_window(start(tmp_path)) == "firstRunWizard"
    assert not (tmp_path / "data" / "sijpro" / "sijpro.sqlite").exists()


def test_a_database_set_up_opens_on_sign_in_then_opens_the_database(tmp_path, staff_db) -> None:
    started = start(tmp_path, "--db", str(staff_db[0]))
    assert first_window(started) == "staffWindow"
    assert started.stdout.splitlines()[1:] == ["database open"]


def test_a_database_that_cannot_be_opened_is_one_line_and_status_1(tmp_path) -> None:
    broken = tmp_path / "clinic.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + bytes(400))
    started = start(tmp_path, "--db", str(broken))
    assert started.returncode == 1 and started.stdout.startswith("first window: staffWindow")
    assert "sijpro: " in started.stderr and "is damaged" in started.stderr and "Traceback" not in started.stderr


def test_an_encrypted_database_asks_its_passphrase_first(tmp_path, staff_db) -> None:
    encrypt_database(staff_db[0], "a secret passphrase")
    assert first_window(start(tmp_path, "--db", str(staff_db[0]))) == "passphraseDialog"


def test_the_first_window_is_built_without_loading_the_database_layers(tmp_path, staff_db) -> None:
    probe = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
             "from ui.staff.start import StaffStart; StaffStart(sys.argv[1]).first_window(); "
             "print(sorted(m for m in ('sqlalchemy', 'alembic', 'matplotlib', 'scipy') if m in sys.modules))")
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for database in (staff_db[0], tmp_path / "new.sqlite"):  # sign-in, first-run wizard
        done = subprocess.run([sys.executable, "-c", probe, str(database)], cwd=ROOT, env=environment,
                              capture_output=True, text=True, timeout=60, check=True)
        assert done.stdout.strip() == "[]"
