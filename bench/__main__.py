"""Run every benchmark module, print the table and write ``bench/results.md``."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

from bench.common import BenchResult

HERE = Path(__file__).resolve().parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


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


def main(argv: list[str]) -> int:
    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py") if not wanted or p.stem in wanted)
    results: list[BenchResult] = []
    for name in modules:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.extend(importlib.import_module(f"bench.{name}").run())
    text = f"Machine: {machine()}\n\n{table(results)}\n"
    print(text)
    if not wanted:
        (HERE / "results.md").write_text("# Benchmark results\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
