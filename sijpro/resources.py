"""Where the bundled resources (instrument files, the words' catalogues, styles) live.

In a source checkout or an editable install they are the top-level ``resources/`` folder; a wheel
carries them inside the package as ``sijpro/_resources`` (see pyproject.toml); a frozen bundle may
point elsewhere with ``SIJPRO_RESOURCES``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    override = os.environ.get("SIJPRO_RESOURCES")
    if override:
        return Path(override)
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "_resources", package_dir.parent / "resources"):
        if (candidate / "instruments").is_dir():
            return candidate
    raise FileNotFoundError(f"SIJ-PRO resources not found next to {package_dir}")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
