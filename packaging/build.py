"""Build the one-folder bundle ``dist/sijpro`` with PyInstaller, unless it is newer than every input.

``make package`` runs it, and so does the bundle test, so a test run after ``make package`` (or a second
``make package``) reuses the bundle instead of spending two minutes rebuilding the same thing. Inputs
are the sources that end up in the bundle (main.py, sijpro/, ui/, resources/, packaging/) and
pyproject.toml, whose dependencies decide the libraries; ``--force`` rebuilds regardless.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "sijpro.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
INPUTS = ("main.py", "pyproject.toml", "sijpro", "ui", "resources", "packaging")


def executable(dist: Path = DIST) -> Path:
    return dist / "sijpro" / ("sijpro.exe" if sys.platform == "win32" else "sijpro")


def _input_files() -> Iterator[Path]:
    for name in INPUTS:
        path = ROOT / name
        if path.is_file():
            yield path
            continue
        for file in path.rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                yield file


def up_to_date(dist: Path = DIST) -> bool:
    program = executable(dist)
    if not program.exists():
        return False
    built = program.stat().st_mtime
    return all(file.stat().st_mtime <= built for file in _input_files())


def build(*, force: bool = False, dist: Path = DIST) -> Path:
    """The bundle's executable, built first if it is missing or older than a source."""
    program = executable(dist)
    if not force and up_to_date(dist):
        print(f"{program.parent} is up to date", file=sys.stderr)
        return program
    started, start = time.time(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
         "--workpath", str(WORK), str(SPEC)],
        cwd=ROOT, check=True,
    )
    # stamped with the build's start, so a source edited while PyInstaller ran makes the next call rebuild
    os.utime(program, (started, started))
    print(f"built {program.parent} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return program


def archive(program: Path) -> Path:
    """The bundle as ``sijpro-<version>-<system>-<machine>.tar.gz`` beside it (what a clinic downloads),
    written again only when the bundle is newer; the folder inside is ``sijpro/``, with install.sh."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    name = f"sijpro-{version}-{platform.system().lower()}-{platform.machine()}.tar.gz"
    target = program.parent.parent / name
    if target.exists() and target.stat().st_mtime >= program.stat().st_mtime:
        return target
    partial = target.with_name(name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as bundle:
        bundle.add(program.parent, arcname="sijpro")
    partial.replace(target)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the bundle is up to date")
    parser.add_argument("--archive", action="store_true", help="also write the bundle as a .tar.gz beside it")
    args = parser.parse_args(argv)
    try:
        program = build(force=args.force)
    except subprocess.CalledProcessError as error:
        print(f"PyInstaller failed with exit status {error.returncode}", file=sys.stderr)
        return 1
    if args.archive:
        archive(program)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
