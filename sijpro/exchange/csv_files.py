"""Read the CSV files clinics actually produce, with errors that name the file and the line.

Files come from Excel in English (comma) and French (semicolon) locales, from statistics packages (tab)
and from scripts; all are UTF-8, with or without a byte-order mark. Line numbers are as a text editor
shows them: the header is line 1.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sijpro.errors import UserError

DELIMITERS = (",", ";", "\t")
MAX_FILE_BYTES = 512 * 1024 * 1024
"""The largest CSV file read (a 10,000-patient clinic's answers are about 70 MB)."""
FORMULA_TRIGGERS = frozenset("=+-@\t\r|%")
"""First characters that make a spreadsheet run a cell as a formula or a command (OWASP CSV injection:
= + - @ tab CR; | and % as well, for the DDE and macro forms that defusedcsv also escapes)."""
PLAIN_NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?")
"""A number as the exports write it (a negative day count, a score with a decimal point or comma)."""


@dataclass(frozen=True)
class CsvRow:
    line: int
    fields: list[str]


@dataclass(frozen=True)
class CsvTable:
    name: str
    header: list[str]
    delimiter: str
    text: str

    def rows(self) -> Iterator[CsvRow]:
        """Data rows after the header, blank lines skipped, each with the line it starts on."""
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter, strict=True)
        try:
            next(reader)
            previous_end = reader.line_num
            for fields in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if fields and any(cell.strip() for cell in fields):
                    yield CsvRow(start, [restore(cell) for cell in fields])
        except csv.Error as exc:
            raise UserError(f"{self.name}, line {reader.line_num}: malformed CSV ({exc})") from None


def formula_like(cell: str) -> bool:
    """Would a spreadsheet read this cell (or what is left of it once leading quotes go) as a formula?"""
    bare = cell.lstrip("'")
    return bool(bare) and bare[0] in FORMULA_TRIGGERS and not PLAIN_NUMBER.fullmatch(bare)


def neutralise(cell: str) -> str:
    """OWASP's rule: a formula-like cell gets a leading single quote, so Excel and LibreOffice show it
    as text. A cell that already starts with quotes before a trigger gets one more, so ``restore``
    gives back exactly what was written (``'=x`` stays ``'=x``, not ``=x``)."""
    return "'" + cell if formula_like(cell) else cell


def restore(cell: str) -> str:
    """The inverse of ``neutralise``, applied to every cell read, so an export imports back unchanged."""
    return cell[1:] if cell.startswith("'") and formula_like(cell) else cell


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``neutralise``: the one way exports write CSV."""

    def __init__(self, handle: TextIO, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[str]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[str]]) -> None:
        for row in rows:
            self.writerow(row)


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{name}, line {line}: not UTF-8 text (save the file as CSV UTF-8)") from None


def sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def parse_csv_text(text: str, name: str) -> CsvTable:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise UserError(f"{name}, line {line}: a NUL character; this is not a text file")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    if not first_line.strip():
        raise UserError(f"{name}: the file is empty (a header row is needed)")
    delimiter = sniff_delimiter(first_line)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise UserError(f"{name}, line 1: malformed header ({exc})") from None
    return CsvTable(name=name, header=[column.strip() for column in header], delimiter=delimiter, text=text)


def read_csv(path: Path, limit: int = MAX_FILE_BYTES) -> CsvTable:
    """A CSV file read whole; refused up front when it is not a regular file (a device such as /dev/zero,
    a pipe that would never end, a folder) or is larger than ``limit``, before anything is read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    details = os.fstat(descriptor)
    if not stat.S_ISREG(details.st_mode):
        os.close(descriptor)
        raise UserError(f"{path}: not a regular file (a device, a pipe or a folder); give a CSV file")
    with os.fdopen(descriptor, "rb") as handle:
        if details.st_size > limit:
            raise UserError(f"{path}: the file is {details.st_size / 1e6:,.0f} MB; files over {limit / 1e6:,.0f} MB "
                            "are refused (split it into several files)")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UserError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UserError(f"{path}: the file grew past {limit / 1e6:,.0f} MB while it was read")
    return parse_csv_text(decode(data, path.name), path.name)


def header_problems(
    table: CsvTable, required: set[str], allowed: set[str]
) -> list[str]:
    """Line-1 problems: duplicate, unknown or missing columns, each named."""
    problems = []
    seen: set[str] = set()
    for column in table.header:
        if column in seen:
            problems.append(f"{table.name}, line 1: column '{column}' appears twice")
        seen.add(column)
        if column not in allowed:
            problems.append(f"{table.name}, line 1: unknown column '{column}'")
    for column in sorted(required - seen):
        problems.append(f"{table.name}, line 1: missing column '{column}'")
    return problems


def format_number(value: float | None) -> str:
    """Full precision, but whole numbers without a trailing '.0' (so NRS 7 stays '7')."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
