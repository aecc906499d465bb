"""The staff desktop: how soon its first window shows, and how much memory a big clinic takes.

* First window on a 300-patient demo database: ``python main.py --db FILE --exit-after-start`` in a fresh
  process, timed from the process start to the moment it reports its first window shown (the line it
  prints after showing and painting it), median of several runs; beside a bare PySide6 window started,
  shown, painted and reported the same way, the runs of both interleaved; also the CPU time each had used
  by then, which other load on the machine disturbs less than wall time. Also the time until the same
  process says its database is open behind the sign-in screen (ready to sign in: SQLAlchemy loaded, the
  schema checked, the day's automatic backup taken on the first run).
* Resident memory: the peak RSS of a process that opens the run's 10,000-patient clinic (the database
  bench_storage's ``demo`` built, given a demo nurse account here), signs the nurse in and shows today's
  worklist; beside the peak RSS of the bare PySide6 window. Each process reads its own
  high-water mark (VmHWM): the rusage of a child counts the parent's pages it was forked with.
* First window on a real X display (``bench.xdisplay``): Xvfb with openbox, timed from outside the program
  to the X server's MapNotify of its window, beside a bare window; the desktop opens its database only
  once its window has painted, so the map no longer waits for the database.

Both are measured with bytecode caches written (a first run writes them), as an installed app has them:
with ``PYTHONDONTWRITEBYTECODE`` every start would compile the app's modules again, the bare window none.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import CLINIC_PATIENTS, ROOT, BenchResult, scaled, shared_clinic, wait_with_peak
from bench.xdisplay import missing_programs, seconds_to_first_map, x_display
from sijpro.demo.sandbox import DEMO_PASSWORD, DEMO_USERS, create_demo_clinic
from tests.trusted import trusted

RUNS = scaled(9, 1)
SMALL = scaled(300, 20)
LARGE = CLINIC_PATIENTS
NURSE = next(username for username, _, role in DEMO_USERS if role == "nurse")
HIGH_WATER = """
def high_water_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
BARE_WINDOW = HIGH_WATER + """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
window = QWidget()
window.resize(1280, 800)
window.show()
window.repaint()
print("first window: bare", flush=True)
QTimer.singleShot(0, lambda: app.exit(0))
app.exec()
print(f"peak rss kB: {high_water_kb()}", flush=True)
"""
BARE_X_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
window = QWidget()
window.setWindowTitle("bare")
window.resize(1280, 800)
window.show()
app.exec()
"""
"""The bare window of the X measurement: it stays up like the desktop does, until it is stopped."""
WORKLIST_PROBE = HIGH_WATER + """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from sijpro.services.clinic import Clinic
from ui.staff.main_window import StaffWindow
clinic = Clinic.open(sys.argv[1], actor="staff")
window = StaffWindow(clinic, idle_seconds=3600)
window.resize(1280, 800)
window.show()
window.login.username.setText(sys.argv[2])
window.login.password.setText(sys.argv[3])
window.login.try_sign_in()
page = window.workspace.page("worklist")
for _ in range(5):
    app.processEvents()
window.repaint()
print(f"worklist rows: {page.model.total}", flush=True)
print(f"peak rss kB: {high_water_kb()}", flush=True)
"""


def environment() -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("SIJPRO_") and k != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "QT_QPA_PLATFORM": "offscreen"}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a running process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_start(command: list[str]) -> tuple[float, float, float, float]:
    """(seconds until the 'first window' line, CPU seconds used by then, seconds until the next line:
    'database open' for the desk, the process's peak resident MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    shown = time.perf_counter() - start
    cpu = cpu_seconds(process.pid)
    process.stdout.readline()
    ready = time.perf_counter() - start
    status, peak = wait_with_peak(process)
    if status != 0 or not line.startswith("first window:"):
        raise RuntimeError(f"{command} failed: {line!r}")
    return shown, cpu, ready, peak


def peak_rss_mb(command: list[str]) -> tuple[float, list[str]]:
    """Peak resident memory of the process as it reports it, in MB, and its lines of output."""
    done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("peak rss kB: "):
        raise RuntimeError(f"{command[:3]} failed: {done.stdout!r} {done.stderr[-500:]!r}")
    return int(lines[-1].removeprefix("peak rss kB: ")) / 1024, lines


def first_window(database: Path) -> list[BenchResult]:
    staff = [sys.executable, "main.py", "--exit-after-start", "--db", str(database)]
    bare = [sys.executable, "-c", BARE_WINDOW]
    runs: dict[str, list[tuple[float, float, float, float]]] = {"staff": [], "bare": []}
    timed_start(staff)  # warm the file cache once, for both
    for _ in range(RUNS):
        runs["staff"].append(timed_start(staff))
        runs["bare"].append(timed_start(bare))
    def median(name: str, position: int) -> float:
        return statistics.median(run[position] for run in runs[name]) * 1000

    shown, cpu, ready = median("staff", 0), median("staff", 1), median("staff", 2)
    bare_shown, bare_cpu = median("bare", 0), median("bare", 1)
    peak = max(run[3] for run in runs["staff"])
    return [
        BenchResult(f"staff desktop first window, {SMALL}-patient demo, median of {RUNS}", shown, "ms",
                    "bare PySide6 window", bare_shown, target="within 1.5x of bare", peak_mb=peak),
        BenchResult("staff desktop first window: CPU time used by then (less sensitive to other load)", cpu, "ms",
                    "bare PySide6 window", bare_cpu, peak_mb=peak),
        BenchResult(f"staff desktop ready to sign in (database open), median of {RUNS}", ready, "ms",
                    "bare PySide6 window", bare_shown, peak_mb=peak),
    ]


def first_map_on_x(database: Path) -> list[BenchResult]:
    """The first window as the person at the desk sees it: Xvfb with openbox, the time from starting the
    program to the X server's MapNotify of its window, watched from another X client; interleaved with a
    bare PySide6 window measured the same way."""
    missing = missing_programs()
    if missing:
        print(f"  first window on X skipped: {', '.join(missing)} not installed", file=sys.stderr)
        return []
    staff = [sys.executable, "main.py", "--db", str(database)]
    bare = [sys.executable, "-c", BARE_X_WINDOW]
    with tempfile.TemporaryDirectory() as config, x_display() as display:
        env = {**{k: v for k, v in display.items() if not k.startswith("SIJPRO_")}, "SIJPRO_CONFIG_DIR": config}
        seconds_to_first_map(staff, env, ROOT)  # warm the file cache once
        runs: dict[str, list[tuple[float, float]]] = {"staff": [], "bare": []}
        for _ in range(RUNS):
            runs["staff"].append(seconds_to_first_map(staff, env, ROOT))
            runs["bare"].append(seconds_to_first_map(bare, env, ROOT))
    shown = statistics.median(seconds for seconds, _ in runs["staff"]) * 1000
    bare_shown = statistics.median(seconds for seconds, _ in runs["bare"]) * 1000
    return [BenchResult(f"staff desktop first window mapped on X (Xvfb + openbox, seen from outside), "
                        f"{SMALL}-patient demo, median of {RUNS}", shown, "ms", "bare PySide6 window mapped",
                        bare_shown, target="within 1.5x of bare", peak_mb=max(peak for _, peak in runs["staff"]))]


def memory(database: Path) -> BenchResult:
    probe, lines = peak_rss_mb([sys.executable, "-c", WORKLIST_PROBE, str(database), NURSE, DEMO_PASSWORD])
    bare, _ = peak_rss_mb([sys.executable, "-c", BARE_WINDOW])
    print(f"  {lines[-2]}", file=sys.stderr)
    return BenchResult(f"staff desktop peak RSS, {LARGE:,}-patient demo, worklist shown", probe, "MB",
                       "bare PySide6 window", bare, target="< 300 MB", peak_mb=probe)


def with_nurse(database: Path) -> Path:
    """The shared clinic with the demo nurse account the probe signs in with (added once)."""
    with trusted(str(database), "bench") as clinic:
        if all(user.username != NURSE for user in clinic.auth.users()):
            clinic.auth.add_user(NURSE, "Demo Nurse", "nurse", DEMO_PASSWORD)
    return database


def run() -> list[BenchResult]:
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / f"demo-{SMALL}.sqlite"
        create_demo_clinic(small, patients=SMALL)
        results = first_window(small)
        results += first_map_on_x(small)
    results.append(memory(with_nurse(shared_clinic())))
    return results
