"""What every benchmark returns, and small measuring helpers shared by them."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchResult:
    name: str
    figure: float
    unit: str
    baseline_name: str
    baseline: float
    target: str = ""
    peak_mb: float | None = None

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else float("nan")


def best_of(function: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time in seconds over ``repeat`` runs: the least disturbed by other load."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def percentiles(samples: list[float], *points: int) -> list[float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return [cuts[point - 1] for point in points]


SMOKE = os.environ.get("SIJPRO_BENCH_SMOKE") == "1"
"""A tiny configuration that runs every benchmark in seconds (the suite's own test); figures meaningless."""
SHARED_FOLDER_VARIABLE = "SIJPRO_BENCH_SHARED"
"""A folder the runner creates for one ``make bench``: the 10,000-patient clinic lives there."""
CLINIC_PATIENTS = 200 if SMOKE else 10_000
CLINIC_TODAY = dt.date(2025, 6, 1)
CLINIC_SEED = 1


def scaled(full: int, smoke: int) -> int:
    """``full`` normally, ``smoke`` in the smoke configuration."""
    return smoke if SMOKE else full


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark (VmHWM on Linux; ru_maxrss elsewhere), in MB."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def shared_folder() -> Path:
    """The runner's shared folder, or (a module run on its own) a temporary one for this process."""
    folder = os.environ.get(SHARED_FOLDER_VARIABLE)
    if not folder:
        folder = tempfile.mkdtemp(prefix="sijpro-bench-")
        os.environ[SHARED_FOLDER_VARIABLE] = folder
    return Path(folder)


def shared_clinic_path() -> Path:
    return shared_folder() / f"clinic-{CLINIC_PATIENTS}.sqlite"


def demo_command(database: Path, patients: int = CLINIC_PATIENTS) -> list[str]:
    """``sijpro demo`` as a user types it: the shared clinic is this command's output."""
    return [sys.executable, "main.py", "--db", str(database), "demo", "--patients", str(patients),
            "--seed", str(CLINIC_SEED), "--today", CLINIC_TODAY.isoformat()]


def shared_clinic() -> Path:
    """The 10,000-patient clinic of this run, built once: bench_storage times its building (it runs first);
    the cohort and staff benchmarks reuse the file. Built here, untimed, only for a module run alone."""
    path = shared_clinic_path()
    if not path.exists():
        print(f"  building the shared {CLINIC_PATIENTS:,}-patient clinic", file=sys.stderr, flush=True)
        subprocess.run(demo_command(path), cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "SIJPRO_DATABASE_URL": ""})
    return path


def wait_with_peak(process: subprocess.Popen) -> tuple[int, float]:
    """Wait for ``process``: its exit status and its peak resident MB (the kernel's ru_maxrss of it and
    the children it waited for), so a figure measured in a subprocess carries that process's own peak."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024


BENCH_USER = "bench-surgeon"
BENCH_PASSWORD = "a bench passw0rd"


def signed_in_environment(database: Path) -> dict[str, str]:
    """The environment of a command run as a surgeon would run it, signed in (``$SIJPRO_USER`` and
    ``$SIJPRO_PASSWORD``): the account is added to ``database`` the first time."""
    from tests.trusted import trusted

    with trusted(str(database), "bench set-up") as clinic:
        if all(user.username != BENCH_USER for user in clinic.auth.users()):
            clinic.auth.add_user(BENCH_USER, "Bench Surgeon", "surgeon", BENCH_PASSWORD)
    return {**os.environ, "SIJPRO_DATABASE_URL": "", "SIJPRO_USER": BENCH_USER, "SIJPRO_PASSWORD": BENCH_PASSWORD}
