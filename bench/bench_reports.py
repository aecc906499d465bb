"""Report speed: the per-patient PDF of ``report all`` against a naive page (the cohort summary is
``bench_cohort``).

The naive page is what one would write first: a pyplot 2x2 figure per patient saved as a 150 dpi PNG and
placed with reportlab's SimpleDocTemplate (pyplot is allowed here, never in ``sijpro``). Both are timed
in the same run on the same patients, read from a 300-patient demo database.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import BenchResult, best_of, scaled
from sijpro.demo import generate_demo_cohort
from sijpro.records import PatientOutcomes
from sijpro.reports.batch import PageSettings, report_all
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.trusted import trusted

PATIENTS = scaled(300, 12)
NAIVE_SAMPLE = scaled(40, 3)
TODAY = dt.date(2026, 1, 15)
GENERATED = dt.datetime(2026, 1, 15, 9, 30)


def demo_outcomes(directory: Path, patients: int) -> list[PatientOutcomes]:
    """The demo cohort imported into a real SQLite database and read back as ``report all`` reads it."""
    url = f"sqlite:///{directory / 'bench.sqlite'}"
    clock = FixedClock(TODAY)
    Clinic.init(url, clock=clock)
    with trusted(url, "bench", clock=clock) as clinic:
        clinic.imports.load(generate_demo_cohort(patients, seed=5, today=TODAY))
        return clinic.outcomes.cohort()


def naive_page(outcomes: PatientOutcomes, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: TID251 (the naive baseline is the point)
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table

    figure, axes = plt.subplots(2, 2, figsize=(8, 6))
    for axis, keys in zip(axes.flat, (("nrs.lumbar", "nrs.radicular"), ("odi.odi",), ("sf12.pcs", "sf12.mcs"),
                                      ("relief.percent",)), strict=True):
        for key in keys:
            points = [(i, t.scores[key]) for i, t in enumerate(outcomes.timepoints) if t.scores.get(key) is not None]
            axis.plot([x for x, _ in points], [y for _, y in points], marker="o", label=key)
        axis.legend()
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=150)
    plt.close(figure)
    image.seek(0)
    styles = getSampleStyleSheet()
    rows = [["timepoint", "date", *sorted({k for t in outcomes.timepoints for k in t.scores})]]
    for t in outcomes.timepoints:
        rows.append([t.timepoint, str(t.completed_on or ""), *(str(t.scores.get(k, "")) for k in rows[0][2:])])
    document = SimpleDocTemplate(str(path), pagesize=A4)
    document.build([Paragraph(outcomes.patient.display_name, styles["Title"]), Image(image, 480, 360),
                    Table(rows)])


def _per_patient_ms(seconds: float, count: int) -> float:
    return seconds / count * 1000


def _report_all(outcomes: Sequence[PatientOutcomes], workers: int | None) -> float:
    settings = PageSettings(GENERATED, clinic="Bench clinic")
    best = float("inf")
    for _ in range(2):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            report_all(outcomes, Path(out), settings, workers=workers)
            best = min(best, time.perf_counter() - start)
    return best


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = demo_outcomes(Path(tmp), PATIENTS)
        sample = outcomes[:NAIVE_SAMPLE]
        naive_page(sample[0], Path(tmp) / "warm.pdf")

        def naive() -> None:
            for index, record in enumerate(sample):
                naive_page(record, Path(tmp) / f"naive-{index}.pdf")

        naive_ms = _per_patient_ms(best_of(naive, scaled(2, 1)), len(sample))
        for workers, label in ((None, "default workers"), (1, "1 process")):
            ours = _per_patient_ms(_report_all(outcomes, workers), len(outcomes))
            results.append(BenchResult(
                name=f"report all, {len(outcomes)}-patient demo database ({label})", figure=ours, unit="ms/patient",
                baseline_name="naive pyplot page", baseline=naive_ms, target="<= 1/10 of naive",
            ))
    return results
