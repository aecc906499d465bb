"""Writing export files so that a failure never leaves half an export behind.

Every file of an export is written into a hidden staging folder beside the target, then moved into
place only when all of them are complete; an error or a cancelled progress bar removes the staging
folder and leaves the target as it was. Files are UTF-8 without a byte-order mark, CSV with CRLF line
ends (RFC 4180) and formula-like cells neutralised (OWASP CSV injection: ``csv_files.neutralise``),
always in the same order and format so that two exports of the same data are byte-identical.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sijpro.errors import UserError
from sijpro.exchange.csv_files import SafeWriter


@dataclass(frozen=True)
class TableFormat:
    """How CSV files are spelled: RFC 4180 by default; for Excel, a byte-order mark (without it Excel reads
    UTF-8 as its ANSI code page) and, in a locale whose decimal mark is a comma, ';' between cells and
    decimal commas, as Excel itself writes and reads them there."""

    delimiter: str = ","
    decimal: str = "."
    bom: bool = False

    @property
    def encoding(self) -> str:
        return "utf-8-sig" if self.bom else "utf-8"


PLAIN = TableFormat()
EXCEL = {"en": TableFormat(bom=True), "fr": TableFormat(delimiter=";", decimal=",", bom=True)}
"""Excel's CSV for the languages of the application."""


class StagedFiles:
    """A staging folder whose files become the export's once the ``with`` block ends cleanly."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.names: list[str] = []

    def path(self, name: str) -> Path:
        self.names.append(name)
        return self.staging / name

    def write_csv(self, name: str, header: Sequence[str], rows: Iterable[Sequence[str]],
                  table_format: TableFormat = PLAIN) -> None:
        with self.path(name).open("w", encoding=table_format.encoding, newline="") as handle:
            writer = SafeWriter(handle, delimiter=table_format.delimiter, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8", newline="")


@contextmanager
def export_directory(target: Path) -> Iterator[StagedFiles]:
    """Stage files for ``target`` (created if needed); move them in on success, discard on failure."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UserError(f"{target}: exists and is not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)  # health data: its owner alone may list it
        staging = Path(tempfile.mkdtemp(prefix=".sijpro-export-", dir=target))
    except OSError as exc:
        raise UserError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    staged = StagedFiles(staging)
    try:
        yield staged
        for name in staged.names:
            (staging / name).chmod(0o600)  # patient data: readable by its owner only, like the database
            (staging / name).replace(target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def export_file(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only when the ``with`` block ends cleanly."""
    target = Path(target)
    directory = target.resolve().parent
    if not directory.is_dir():
        raise UserError(f"{target}: folder {directory} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".sijpro-", suffix=target.suffix, dir=directory)
    except OSError as exc:
        raise UserError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    os.close(handle)
    try:
        yield Path(temporary)
        Path(temporary).replace(target)
    finally:
        Path(temporary).unlink(missing_ok=True)
