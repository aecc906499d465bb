"""Paths the command line writes to, checked the same way before any work starts.

A command's output option is declared with :func:`add_output`; ``cli.main`` checks every such path
(:func:`check_outputs`) before the command runs, so a folder given for a file (or a file given for a
folder, or a missing parent folder) is refused with the option and path named, and nothing is read,
computed or half-written first.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OUTPUTS = "_sijpro_outputs"
"""Namespace attribute listing (option, path, is_folder) for every output option given."""


class _OutputAction(argparse.Action):
    """Stores the path and remembers it, with the option's name, for :func:`check_outputs`."""

    def __init__(self, *args: Any, folder: bool = False, **kwargs: Any) -> None:
        self.folder = folder
        super().__init__(*args, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        path = Path(str(values))
        setattr(namespace, self.dest, path)
        given = [entry for entry in getattr(namespace, OUTPUTS, []) if entry[0] != self.dest]
        setattr(namespace, OUTPUTS, [*given, (self.dest, option_string or self.metavar or self.dest, path,
                                              self.folder)])


def add_output(parser: argparse.ArgumentParser, *flags: str, folder: bool = False, **kwargs: Any) -> None:
    """Declare an output option: a file (``folder=False``) or a folder the command creates if needed."""
    parser.add_argument(*flags, action=_OutputAction, folder=folder, **kwargs)


def check_output(option: str, path: Path, *, folder: bool = False) -> None:
    """Refuse an output path that cannot take what the option writes (the one rule for every command)."""
    from sijpro.errors import UserError

    if folder:
        if path.exists() and not path.is_dir():
            raise UserError(f"{option} {path}: is a file, not a folder")
        return
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give the name of a file to write")
    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        raise UserError(f"{option} {path}: folder {parent} does not exist")


def check_outputs(namespace: argparse.Namespace) -> None:
    """Check every output option given on this command line (``cli.main``, before the command runs)."""
    for _dest, option, path, folder in getattr(namespace, OUTPUTS, []):
        check_output(option, path, folder=folder)
