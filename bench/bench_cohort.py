"""The cohort summary of the run's 10,000-patient clinic (the database bench_storage's ``demo`` built).

* ``sijpro report cohort -o F.pdf --json F.json`` as a user runs it, in a fresh process (start, read,
  statistics, JSON, PDF), with that process's peak memory; beside a fresh Python process that only
  fetches every score row with plain ``sqlite3``.
* Its two halves in this process: reading every patient's outcomes through the service, beside the same
  plain ``sqlite3`` fetch; then the summary's statistics with its JSON and PDF from those records, beside
  one plain Python pass over their scores.
* The summary with its mixed models and ``--compare fbss``, beside the plain scipy/statsmodels script a
  statistician would write for the same tests and models (``plain_statistics``: statsmodels' MixedLM fitted
  as it comes, which the core's closed-form REML fit of the same model outruns by far).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    CLINIC_PATIENTS,
    CLINIC_TODAY,
    ROOT,
    BenchResult,
    best_of,
    scaled,
    shared_clinic,
    signed_in_environment,
)
from sijpro.analysis import cohort_summary
from sijpro.reports import cohort_pdf
from sijpro.services.context import FixedClock
from tests.trusted import trusted

REPEAT = scaled(3, 1)
GENERATED = dt.datetime(2025, 6, 1, 9, 30)
SCORES_SQL = """
SELECT v.patient_id, v.timepoint, r.instrument, s.name, s.value
FROM scores s JOIN responses r ON r.id = s.response_id JOIN visits v ON v.id = r.visit_id
"""
PLAIN_FETCH = f"import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute({SCORES_SQL!r}).fetchall()"


def plain_statistics(cohort: list, codes: tuple[str, ...]) -> None:
    """What a statistician's script computes for the same summary, on arrays: for each score, the paired
    t and Wilcoxon tests of every follow-up against baseline, one MixedLM (random intercept per patient,
    timepoint as a factor) over every value, and a Mann-Whitney test between FBSS groups per timepoint."""
    import numpy as np
    from scipy import stats
    from statsmodels.regression.mixed_linear_model import MixedLM

    values: dict[str, dict[str, dict[int, float]]] = {}
    fbss = {}
    for pid, record in enumerate(cohort):
        fbss[pid] = record.patient.fbss
        for timepoint in record.timepoints:
            for key, value in timepoint.scores.items():
                if value is not None:
                    values.setdefault(key, {}).setdefault(timepoint.timepoint, {})[pid] = value
    for key in ("nrs.lumbar", "nrs.radicular", "odi.odi", "sf12.pcs", "sf12.mcs"):
        by_timepoint = values.get(key, {})
        baseline = by_timepoint.get(codes[0], {})
        for code in codes[1:]:
            at = by_timepoint.get(code, {})
            paired = [pid for pid in at if pid in baseline]
            if len(paired) > 1:
                before = np.array([baseline[pid] for pid in paired])
                after = np.array([at[pid] for pid in paired])
                stats.ttest_rel(after, before)
                stats.wilcoxon(np.round(after - before, 10))
        for code in codes:
            at = by_timepoint.get(code, {})
            groups = [[v for pid, v in at.items() if fbss[pid] is flag] for flag in (True, False)]
            if all(len(group) > 0 for group in groups):
                stats.mannwhitneyu(*groups)
        present = [code for code in codes if by_timepoint.get(code)]
        rows = [(pid, present.index(code), value) for code in present for pid, value in by_timepoint[code].items()]
        if len(rows) > len(present):
            data = np.array(rows)
            design = np.eye(len(present))[data[:, 1].astype(int)]
            MixedLM(data[:, 2], design, groups=data[:, 0]).fit(reml=True)


def _process(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{command[1:4]} failed: {error[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def _best_process(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    runs = [_process(command, environment) for _ in range(REPEAT)]
    return min(seconds for seconds, _ in runs), max(peak for _, peak in runs)


def run() -> list[BenchResult]:
    database = shared_clinic()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "main.py", "--db", str(database), "report", "cohort",
                   "-o", str(Path(tmp) / "cohort.pdf"), "--json", str(Path(tmp) / "cohort.json")]
        environment = signed_in_environment(database)
        seconds, peak = _best_process(command, environment)
        summary = json.loads((Path(tmp) / "cohort.json").read_text(encoding="utf-8"))
        print(f"  cohort: {summary['n_patients']:,} patients", file=sys.stderr)
        plain_seconds, _ = _best_process([sys.executable, "-c", PLAIN_FETCH, str(database)], environment)
    results.append(BenchResult(
        name=f"report cohort -o PDF --json FILE, {CLINIC_PATIENTS:,} patients (whole command)", figure=seconds,
        unit="s", baseline_name="python + sqlite3 fetch of every score", baseline=plain_seconds,
        target="a few s", peak_mb=peak,
    ))

    with trusted(str(database), "bench", clock=FixedClock(CLINIC_TODAY)) as clinic:
        read = best_of(clinic.outcomes.cohort, REPEAT)
        cohort = clinic.outcomes.cohort()
        protocol = clinic.protocols.current()
    with sqlite3.connect(database) as connection:
        fetch = best_of(lambda: connection.execute(SCORES_SQL).fetchall(), REPEAT)
    results.append(BenchResult(
        name=f"cohort read through the service, {CLINIC_PATIENTS:,} patients", figure=read, unit="s",
        baseline_name="sqlite3 fetch of every score", baseline=fetch,
    ))

    def plain_pass() -> None:
        total = 0.0
        for record in cohort:
            for timepoint in record.timepoints:
                total += sum(value for value in timepoint.scores.values() if value is not None)

    def summary_json_pdf() -> None:
        summary = cohort_summary(cohort, protocol=protocol)
        summary.to_json()
        cohort_pdf(summary, generated_at=GENERATED)

    results.append(BenchResult(
        name=f"cohort summary JSON + PDF from those records, {CLINIC_PATIENTS:,} patients",
        figure=best_of(summary_json_pdf, REPEAT), unit="s", baseline_name="one plain pass over the scores",
        baseline=best_of(plain_pass, REPEAT), target="< 3 s",
    ))

    def compared() -> None:
        cohort_summary(cohort, protocol=protocol, compare="fbss").to_json()

    results.append(BenchResult(
        name=f"cohort summary with the mixed model and --compare fbss, {CLINIC_PATIENTS:,} patients",
        figure=best_of(compared, REPEAT), unit="s",
        baseline_name="plain scipy/statsmodels script: the same paired tests, mixed models and group tests",
        baseline=best_of(lambda: plain_statistics(cohort, protocol.codes), 1), target="< 5 s",  # about 40 s
    ))
    return results
