"""Bulk writing for imports: ids reserved up front and multi-row inserts, inside the caller's transaction.

Reserving ids lets an import link patients, procedures, visits, responses and answers without reading
anything back. On PostgreSQL the ids come from each table's sequence (safe beside other writers); on
SQLite the caller's ``BEGIN IMMEDIATE`` transaction holds the write lock, so ``max(id) + 1`` is safe.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, func, insert, select, text

T = TypeVar("T")

CHUNK_ROWS = 10_000


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` fresh primary-key values for ``table``, in increasing order."""
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        return list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": count},
        ).scalars())
    start = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return list(range(start, start + count))


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows as a few executemany batches (no RETURNING, no per-row round trip)."""
    for chunk in chunks(rows, CHUNK_ROWS):
        connection.execute(insert(table), chunk)


@contextmanager
def paused_garbage_collection() -> Iterator[None]:
    """Building hundreds of thousands of small records triggers the cycle collector over and over,
    though none of them forms a cycle; pausing it halves the time of a whole-cohort load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
