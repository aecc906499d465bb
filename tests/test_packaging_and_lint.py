"""The tree stays installable and clean: the wheel carries the resources; ruff, mypy and vulture find nothing,
and every ``type: ignore`` left says which error it silences and why."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_wheel_ships_instruments_protocols_and_both_packages(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("sijpro-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for instrument in ("nrs", "odi", "sf12", "satisfaction", "relief"):
        assert f"sijpro/_resources/instruments/{instrument}.yaml" in names
    assert "sijpro/_resources/protocols/default.yaml" in names
    assert "sijpro/cli.py" in names
    assert "sijpro/storage/migrations/env.py" in names  # init must work from an installed wheel
    assert "sijpro/storage/migrations/versions/0001_first_schema.py" in names
    assert "ui/__init__.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "sijpro = ui.launcher:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_finds_nothing() -> None:
    """mypy over sijpro and ui with the settings of pyproject.toml (its cache in .mypy_cache: a second run
    takes seconds)."""
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT,
                            check=False, timeout=240)
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    assert "Success: no issues found" in result.stdout


IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
EXPLAINED = re.compile(r"^\[[a-z-]+(?:,\s*[a-z-]+)*\]  # \S")


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    bare = []
    for path in sorted([*(ROOT / "sijpro").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found = IGNORE.search(line)
            if found and not EXPLAINED.match(found["rest"]):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "type: ignore without [code]  # reason:\n" + "\n".join(bare)


def test_vulture_finds_no_dead_code() -> None:
    result = subprocess.run([sys.executable, "-m", "vulture"], capture_output=True, text=True, cwd=ROOT,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:]
