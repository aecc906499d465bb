"""What every benchmark returns, and small measuring helpers shared by them."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


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
