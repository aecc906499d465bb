"""An empty password line (``--password-stdin``) or an empty answer at the prompt is refused with a
message that says the password was empty and whose it was, exit 1 (not "input ended", not a wrong
password that counts towards a lock-out)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clinic_file(tmp_path: Path, cli_as: Callable[..., str]) -> Path:
    from sijpro.cli import main

    db = tmp_path / "clinic.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    cli_as(str(db), "nurse")
    return db


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in ("SIJPRO_USER", "SIJPRO_PASSWORD")}


@pytest.mark.parametrize("line", ["\n", "\r\n"])
def test_empty_password_line_names_the_user(clinic_file: Path, line: str) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(clinic_file), "due", "--user",
                             "cli-nurse", "--password-stdin"], input=line, capture_output=True, text=True,
                            env=_environment(), timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == ("sijpro: --password-stdin: the password of cli-nurse is empty (the first "
                                     "line of standard input is blank)")


def test_no_input_at_all_says_input_ended(clinic_file: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(clinic_file), "due", "--user",
                             "cli-nurse", "--password-stdin"], input="", capture_output=True, text=True,
                            env=_environment(), timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "sijpro: --password-stdin: standard input ended before the password of cli-nurse"


def test_empty_answer_at_the_prompt_names_the_user(clinic_file: Path) -> None:
    controller, terminal = os.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", str(clinic_file), "due",
                                "--user", "cli-nurse"], stdin=terminal, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_environment(), start_new_session=True)
    try:
        assert process.stderr is not None
        seen, deadline = b"", time.monotonic() + 60
        while b"Password of cli-nurse: " not in seen and time.monotonic() < deadline:  # the prompt first:
            ready, _, _ = select.select([process.stderr], [], [], 1)  # getpass flushes what came before it
            if ready:
                seen += os.read(process.stderr.fileno(), 4096)
        assert b"Password of cli-nurse: " in seen
        os.write(controller, b"\n")
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(controller)
        os.close(terminal)
    assert process.returncode == 1
    assert "sijpro: the password of cli-nurse is empty: nothing was typed at the prompt" in err.decode()
