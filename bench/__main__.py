"""Run every benchmark module, print one table and write ``bench/results.md``.

``python -m bench [bench_NAME ...]`` (``make bench``). Each module runs in a fresh Python process of its
own, so its memory peak is its own: the "peak MB" column is the resident-memory high-water mark (VmHWM)
of the process that did the measured work, either the module's process (rows without a process of their
own share it) or the subprocess a figure was measured in (the demo command, the staff desktop probe).
The modules share one folder for the run, where ``bench_storage`` (run first) leaves the 10,000-patient
clinic its ``demo`` benchmark built, for the cohort and staff benchmarks to reuse.

A full run of every module also rewrites the results block of the README's Performance section.
``SIJPRO_BENCH_SMOKE=1`` shrinks every size to run the whole suite in about a minute (figures
meaningless); ``SIJPRO_BENCH_RESULTS=FILE`` writes the results elsewhere than ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, SHARED_FOLDER_VARIABLE, SMOKE, BenchResult, peak_rss_mb

HERE = Path(__file__).resolve().parent
FIRST = ("bench_storage",)
"""Modules that run before the others: bench_storage builds the shared clinic while timing ``demo``."""
RESULTS_VARIABLE = "SIJPRO_BENCH_RESULTS"
README = ROOT / "README.md"
README_START = "<!-- bench results: start (make bench rewrites this block) -->"
README_END = "<!-- bench results: end -->"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(results: list[BenchResult]) -> str:
    lines = [
        "| benchmark | figure | baseline (same run) | ratio | target | peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else ""
        lines.append(
            f"| {r.name} | {number(r.figure)} {r.unit} | {r.baseline_name}: {number(r.baseline)} {r.unit} "
            f"| {r.ratio:.2f} | {r.target} | {peak} |"
        )
    return "\n".join(lines)


def module_names(wanted: list[str]) -> list[str]:
    available = sorted(path.stem for path in HERE.glob("bench_*.py"))
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        raise SystemExit(f"no benchmark module {', '.join(unknown)} (there are: {', '.join(available)})")
    chosen = [name for name in available if not wanted or name in wanted]
    return sorted(chosen, key=lambda name: (name not in FIRST, FIRST.index(name) if name in FIRST else 0, name))


def run_one(name: str, output: Path) -> None:
    """In the module's own process: run it, then give each figure without a peak this process's peak."""
    results = importlib.import_module(f"bench.{name}").run()
    peak = peak_rss_mb()
    rows = [dataclasses.asdict(result if result.peak_mb is not None else dataclasses.replace(result, peak_mb=peak))
            for result in results]
    output.write_text(json.dumps(rows), encoding="utf-8")


def run_in_process(name: str, shared: Path) -> list[BenchResult]:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "results.json"
        completed = subprocess.run([sys.executable, "-m", "bench", "--one", name, "--json", str(output)], cwd=ROOT,
                                   env={**os.environ, SHARED_FOLDER_VARIABLE: str(shared)}, check=False)
        if completed.returncode != 0 or not output.exists():
            raise RuntimeError(f"{name} failed with exit status {completed.returncode}")
        return [BenchResult(**row) for row in json.loads(output.read_text(encoding="utf-8"))]


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def report(results: list[BenchResult], seconds: float) -> str:
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    smoke = " (SMOKE configuration: tiny sizes, figures meaningless)" if SMOKE else ""
    return (
        f"Machine: {machine()}\n"
        f"Run: {when}, commit {commit()}, {seconds / 60:.0f} min in all{smoke}\n\n"
        f"{table(results)}\n\n"
        "Each figure stands next to a baseline measured in the same run on the same machine; ratio = "
        "figure / baseline. Peak MB: the resident-memory high-water mark of the process that did the work "
        "(each benchmark module runs in a fresh process; rows measured in a subprocess of their own carry "
        "that subprocess's peak, the others share their module's).\n"
    )


def update_readme(readme: Path, text: str) -> bool:
    """Put a full run's results between the README's markers, so its Performance section shows the last
    run rather than figures copied by hand; False (README untouched) when the markers are missing."""
    current = readme.read_text(encoding="utf-8")
    start, end = current.find(README_START), current.find(README_END)
    if start < 0 or end < start:
        return False
    block = f"{README_START}\n{text.rstrip()}\n"
    readme.write_text(current[:start] + block + current[end:], encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="SIJ-PRO benchmarks: one table.")
    parser.add_argument("modules", nargs="*", metavar="bench_NAME", help="only these modules (default: all)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args.one, args.json)
        return 0

    names = module_names(args.modules)
    shared = Path(tempfile.mkdtemp(prefix="sijpro-bench-"))
    results: list[BenchResult] = []
    failed: list[str] = []
    start = time.perf_counter()
    try:
        for name in names:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            try:
                results.extend(run_in_process(name, shared))
            except RuntimeError as error:
                print(f"  {error}", file=sys.stderr)
                failed.append(name)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    text = report(results, time.perf_counter() - start)
    print(text)
    target = os.environ.get(RESULTS_VARIABLE)
    if not failed and (target or not args.modules):
        path = Path(target) if target else HERE / "results.md"
        path.write_text("# Benchmark results\n\n`make bench` (`python -m bench`)\n\n" + text, encoding="utf-8")
        print(f"written to {path}", file=sys.stderr)
        if not target and not SMOKE and update_readme(README, text):
            print(f"and to the Performance section of {README}", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
