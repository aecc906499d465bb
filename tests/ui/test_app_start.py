"""``python main.py --kiosk`` starts in a process of its own, shows its first window and quits cleanly."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.clinic_setup import create_clinic

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def main_py(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SIJPRO_DATABASE_URL"}
    environment.update(QT_QPA_PLATFORM="offscreen", **env)
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("app") / "clinic.sqlite"
    create_clinic(str(path), dt.date.today())
    return str(path)


@pytest.mark.parametrize("flags", [["--kiosk"], ["--kiosk", "--windowed"], []], ids=["kiosk", "windowed", "staff"])
def test_starts_and_quits_when_idle(database, flags) -> None:
    started = main_py(*flags, "--exit-after-start", "--db", database)
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr
    assert "QWidget" not in started.stderr  # no Qt warning on the way either


def test_the_database_can_come_from_the_environment(database) -> None:
    started = main_py("--kiosk", "--exit-after-start", SIJPRO_DATABASE_URL=database)
    assert started.returncode == 0, started.stderr


def test_a_missing_database_is_one_clear_line_and_status_1(tmp_path) -> None:
    missing = tmp_path / "nowhere.sqlite"
    started = main_py("--kiosk", "--exit-after-start", "--db", str(missing))
    assert started.returncode == 1
    assert started.stderr.startswith("sijpro: ") and "sijpro init" in started.stderr
    assert "Traceback" not in started.stderr and not missing.exists()


def test_cli_commands_still_reach_the_cli() -> None:
    helped = main_py("--help")
    assert helped.returncode == 0 and "COMMAND" in helped.stdout


def test_start_takes_the_daily_backup_and_quitting_the_closing_one(tmp_path) -> None:
    database = tmp_path / "clinic.sqlite"
    create_clinic(str(database), dt.date.today())
    assert main_py("--kiosk", "--exit-after-start", "--db", str(database)).returncode == 0
    taken = sorted(path.name for path in (tmp_path / "backups").iterdir())
    assert len(taken) == 2 and any("daily" in name for name in taken) and any("close" in name for name in taken)


def test_an_encrypted_database_opens_with_its_passphrase(tmp_path) -> None:
    from sijpro.storage.encryption import encrypt_database

    database = tmp_path / "clinic.sqlite"
    create_clinic(str(database), dt.date.today())
    encrypt_database(database, "correct horse battery staple")
    started = main_py("--kiosk", "--exit-after-start", "--db", str(database),
                      SIJPRO_PASSPHRASE="correct horse battery staple")
    assert started.returncode == 0, started.stderr
    refused = main_py("--kiosk", "--exit-after-start", "--db", str(database), SIJPRO_PASSPHRASE="wrong guess!")
    assert refused.returncode == 1 and "passphrase" in refused.stderr and "Traceback" not in refused.stderr


def console_script(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``sijpro`` program as pip installs it: the entry point pyproject.toml declares, run as a program."""
    import tomllib

    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["sijpro"]
    module, function = target.split("#")[0].strip().split(":")
    environment = {key: value for key, value in os.environ.items() if key != "SIJPRO_DATABASE_URL"}
    environment.update(QT_QPA_PLATFORM="offscreen")
    program = f"import sys; from {module} import {function} as run; sys.argv[0] = 'sijpro'; sys.exit(run())"
    return subprocess.run([sys.executable, "-c", program, *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize(("flags", "window"), [([], "staffWindow"), (["--kiosk"], "kioskWindow")])
def test_the_sijpro_program_alone_opens_the_desktop_and_with_kiosk_the_kiosk(database, flags, window) -> None:
    started = console_script(*flags, "--exit-after-start", "--db", database)
    assert started.returncode == 0, started.stderr
    assert f"first window: {window}" in started.stdout


def test_the_sijpro_program_with_a_command_is_the_cli(database) -> None:
    listed = console_script("--db", database, "due", "--date", "2024-06-03", "--json")
    assert listed.returncode in (0, 1), listed.stderr  # 1: the database asks for a sign-in
    assert "first window" not in listed.stdout and "Traceback" not in listed.stderr
    usage = console_script("due", "--date", "03/06/2024")
    assert usage.returncode == 2 and "YYYY-MM-DD" in usage.stderr
