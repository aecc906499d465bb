"""A 10,000-patient clinic: ``sijpro demo`` into a new SQLite file, then the due list and a patient timeline.

The file it builds is the run's shared clinic (``bench.common.shared_clinic``), which the cohort and staff
benchmarks then reuse instead of building their own; so the runner starts this module first.

Baselines, measured in the same run on the same machine:
* demo: plain ``sqlite3`` ``executemany`` of as many rows as the demo wrote (all tables, audit trail
  included) into one simple table of a new file, in one transaction, with the app's WAL and
  ``synchronous=FULL``. What is left over is the price of generating, checking, scoring and auditing.
* due list and timeline: a plain ``sqlite3`` query returning the same rows (the worklist's visits with
  their patients and response states; one patient's visits), so the figure shows what the service adds
  on top of SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    CLINIC_PATIENTS,
    CLINIC_TODAY,
    ROOT,
    BenchResult,
    demo_command,
    percentiles,
    scaled,
    shared_clinic_path,
)
from sijpro.services.context import FixedClock
from sijpro.services.scheduling import MISSED_DAYS, OVERDUE_DAYS, UPCOMING_DAYS
from tests.trusted import trusted

PATIENTS = CLINIC_PATIENTS
TODAY = CLINIC_TODAY
DUE_CALLS = scaled(60, 5)
TIMELINE_CALLS = scaled(400, 20)
TABLES = ("patients", "procedures", "visits", "responses", "answers", "scores", "audit_events")

WORKLIST_SQL = """
SELECT v.*, p.*, (SELECT group_concat(r.instrument || ':' || r.status, ',') FROM responses r
                  WHERE r.visit_id = v.id) AS states
FROM visits v JOIN patients p ON p.id = v.patient_id
WHERE v.window_end >= ? AND v.window_start <= ? AND v.status IN ('scheduled', 'open', 'missed')
ORDER BY v.window_end, v.id
"""
TIMELINE_SQL = "SELECT * FROM visits WHERE patient_id = ? ORDER BY seq"


def _demo(database: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MB of ``sijpro demo`` as a user runs it."""
    command = demo_command(database, PATIENTS)
    environment = {**os.environ, "SIJPRO_DATABASE_URL": ""}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output = (process.stdout.read() + process.stderr.read()).decode() if process.stdout and process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"demo failed ({process.returncode}): {output}")
    print(f"  {output.strip()}", file=sys.stderr)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _rows_written(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return sum(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES)


def _plain_executemany(directory: Path, count: int) -> tuple[float, float]:
    """Wall and CPU seconds."""
    path = directory / "plain.sqlite"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, owner INTEGER, code TEXT, value REAL, at TEXT)")
    rows = [(i, i // 6, f"odi{i % 10}", float(i % 6), "2025-06-01 12:00:00.000000") for i in range(1, count + 1)]
    start, cpu = time.perf_counter(), time.process_time()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    return seconds, cpu


def _samples(call: Callable[[], object], count: int) -> list[float]:
    call()  # warm caches, as a nurse's second look at the list would
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def _milliseconds(name: str, figures: list[float], baseline_name: str, baseline: list[float]) -> list[BenchResult]:
    ours, theirs = percentiles(figures, 50, 95), percentiles(baseline, 50, 95)
    return [
        BenchResult(name=f"{name} p{point}", figure=1000 * mine, unit="ms", baseline_name=baseline_name,
                    baseline=1000 * plain, target="under 50 ms")
        for point, mine, plain in zip((50, 95), ours, theirs, strict=True)
    ]


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        shared = shared_clinic_path()
        # the shared clinic is this benchmark's output (built elsewhere only if this module runs on its own)
        database = directory / "clinic.sqlite" if shared.exists() else shared
        seconds, cpu, peak = _demo(database)
        rows = _rows_written(database)
        plain_seconds, plain_cpu = _plain_executemany(directory, rows)
        results.append(BenchResult(
            name=f"demo --patients {PATIENTS:,} (new SQLite file, {rows:,} rows), wall", figure=seconds, unit="s",
            baseline_name=f"sqlite3 executemany of {rows:,} rows", baseline=plain_seconds,
            target="about a minute at most", peak_mb=peak,
        ))
        # CPU time is what the machine's other load does not change: the figure to compare across runs.
        results.append(BenchResult(
            name=f"demo --patients {PATIENTS:,}, CPU (user + system)", figure=cpu, unit="s",
            baseline_name="the same executemany", baseline=plain_cpu, peak_mb=peak,
        ))

        plain = sqlite3.connect(database)
        oldest_end = (TODAY - dt.timedelta(days=OVERDUE_DAYS + MISSED_DAYS)).isoformat()
        latest_start = (TODAY + dt.timedelta(days=UPCOMING_DAYS)).isoformat()
        patient_ids = [row[0] for row in plain.execute("SELECT id FROM patients")]
        picks = random.Random(5).choices(patient_ids, k=TIMELINE_CALLS + 1)
        with trusted(str(database), "bench", clock=FixedClock(TODAY)) as clinic:
            listed = clinic.schedule.worklist(TODAY)
            print(f"  worklist on {TODAY}: {listed.counts}", file=sys.stderr)
            due = _samples(lambda: clinic.schedule.worklist(TODAY), DUE_CALLS)
            queue = iter(picks)
            timeline = _samples(lambda: clinic.schedule.timeline(next(queue)), TIMELINE_CALLS)
        due_plain = _samples(lambda: plain.execute(WORKLIST_SQL, (oldest_end, latest_start)).fetchall(), DUE_CALLS)
        queue = iter(picks)
        timeline_plain = _samples(lambda: plain.execute(TIMELINE_SQL, (next(queue),)).fetchall(), TIMELINE_CALLS)
        plain.close()
        results += _milliseconds(f"due list, {PATIENTS:,} patients", due, "sqlite3 query of the same visits", due_plain)
        results += _milliseconds(f"patient timeline, {PATIENTS:,} patients", timeline,
                                 "sqlite3 query of the same visits", timeline_plain)
    return results
