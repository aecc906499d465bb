"""SIJ-PRO core: instruments, scoring, storage, services, analysis, reports and data exchange.

This package never imports Qt or the ``ui`` layer, so everything the GUI does is also a plain Python
call (and most of it a CLI command).

The version is written once, in pyproject.toml: the installed package's metadata carries it (the
one-folder bundle ships that metadata too), and a source tree that was never installed reads it there.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path


def _version() -> str:
    try:
        return metadata.version("sijpro")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


__version__ = _version()
