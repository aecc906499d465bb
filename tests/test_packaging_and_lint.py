"""The tree stays installable and clean: the wheel carries the resources; ruff finds nothing."""

from __future__ import annotations

import shutil
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


@pytest.mark.skipif(shutil.which("ruff", path=str(BIN)) is None, reason="ruff is a dev extra")
def test_ruff_finds_nothing() -> None:
    result = subprocess.run([shutil.which("ruff", path=str(BIN)), "check", "--no-cache", "."],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
