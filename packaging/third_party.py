"""The licences of everything the bundle carries, written into its ``licenses/`` folder.

A bundle redistributes Python and its libraries, so their licence texts travel with it: each runtime
distribution of SIJ-PRO (its requirements with the ``postgres`` extra, followed recursively) gets a
folder with the licence files its metadata lists, and ``INDEX.txt`` names every one with its version and
declared licence. Qt for Python and psycopg are LGPL-3.0 and ship no text of their own, so the LGPL and
GPL texts kept in ``packaging/licenses`` are added.
"""

from __future__ import annotations

import re
import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

HERE = Path(__file__).resolve().parent
ROOT_DISTRIBUTION = "sijpro"
EXTRAS = ("postgres",)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions() -> dict[str, metadata.Distribution]:
    """Every installed distribution SIJ-PRO needs at run time, by normalised name (SIJ-PRO excluded)."""
    found: dict[str, metadata.Distribution] = {}
    pending: list[tuple[str, tuple[str, ...]]] = [(ROOT_DISTRIBUTION, EXTRAS)]
    while pending:
        name, extras = pending.pop()
        if _key(name) in found:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python
        found[_key(name)] = distribution
        for line in distribution.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in (*extras, "")):
                pending.append((requirement.name, tuple(requirement.extras)))
    found.pop(ROOT_DISTRIBUTION, None)
    return found


def _declared(distribution: metadata.Distribution) -> str:
    """The SPDX expression or one-line licence the metadata declares; some put a whole text there."""
    text = (distribution.metadata.get("License-Expression") or distribution.metadata.get("License") or "").strip()
    if not text or "\n" in text or len(text) > 100:
        return "see its licence files"
    return text


def _licence_files(distribution: metadata.Distribution) -> list[Path]:
    files = []
    for file in distribution.files or []:
        name = file.name.lower()
        if ("licen" in name or "copying" in name or "notice" in name) and ".dist-info" in str(file):
            path = Path(str(distribution.locate_file(file)))
            if path.is_file():
                files.append(path)
    return files


def write_licences(bundle: Path) -> None:
    target = bundle / "licenses"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    lines = [f"Python {sys.version.split()[0]}: PSF-2.0 (python/LICENSE.txt)"]
    python_licence = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    if python_licence.is_file():
        (target / "python").mkdir()
        shutil.copy2(python_licence, target / "python" / "LICENSE.txt")
    for key, distribution in sorted(runtime_distributions().items()):
        folder = target / f"{key}-{distribution.version}"
        for path in _licence_files(distribution):
            folder.mkdir(exist_ok=True)
            shutil.copy2(path, folder / path.name)
        lines.append(f"{distribution.metadata['Name']} {distribution.version}: {_declared(distribution)}")
    for text in sorted((HERE / "licenses").glob("*.txt")):
        shutil.copy2(text, target / text.name)
    lines.append("LGPL-3.0.txt and GPL-3.0.txt: the texts Qt for Python (PySide6, shiboken6) and psycopg refer to")
    (target / "INDEX.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
