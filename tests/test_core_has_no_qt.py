"""Rule 1 of the house: the core ``sijpro`` never imports Qt or ``ui``."""

from __future__ import annotations

import ast
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import sijpro

ROOT = Path(__file__).resolve().parents[1]


def test_importing_every_core_module_leaves_qt_unloaded() -> None:
    modules = [info.name for info in pkgutil.walk_packages(sijpro.__path__, "sijpro.")
               if not info.name.endswith("__main__")]
    assert "sijpro.scoring.sf12" in modules  # the walk really found the package
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'shiboken6', 'ui'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt or ui loaded by the core: {result.stdout}"


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_core_source_file_names_qt_ui_or_pyplot() -> None:
    offenders = []
    for path in sorted((ROOT / "sijpro").rglob("*.py")):
        roots = _imported_roots(path)
        if roots & {"PySide6", "shiboken6", "ui"}:
            offenders.append(str(path.relative_to(ROOT)))
        if "matplotlib.pyplot" in path.read_text(encoding="utf-8"):
            offenders.append(f"{path.relative_to(ROOT)} (pyplot)")
    assert offenders == []


def test_import_linter_contracts_hold() -> None:
    """Every contract of pyproject.toml is checked and kept: the core has no Qt, the UI never reaches into
    storage, the kiosk's flow and backends have no Qt."""
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = settings["tool"]["importlinter"]["contracts"]
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool is not None, "import-linter is installed by `make test` (the dev extra)"
    result = subprocess.run([tool], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in result.stdout, result.stdout
