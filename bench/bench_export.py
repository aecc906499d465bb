"""Exports of a 1,000-patient demo clinic (SQLite file), against reading the same data only."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from bench.common import BenchResult, best_of, scaled
from sijpro.demo.cohort import generate_demo_cohort
from sijpro.services.clinic import Clinic
from tests.trusted import trusted

PATIENTS = scaled(1_000, 20)
REPEAT = scaled(3, 1)


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        database = str(Path(tmp) / "clinic.sqlite")
        Clinic.init(database)
        with trusted(database) as clinic:
            clinic.imports.load(generate_demo_cohort(PATIENTS, seed=1, today=dt.date(2025, 6, 1)))
            reading = best_of(clinic.exports.courses, REPEAT)
            questionnaires = sum(len(course.questionnaires) for course in clinic.exports.courses())
            for kind, target, deidentify in (("csv", "csv", False), ("csv", "csv-deid", True),
                                             ("redcap", "redcap", False), ("fhir", "bundle.json", False),
                                             ("spss", "spss", False), ("stata", "stata", False)):
                def export(kind: str = kind, target: str = target, deidentify: bool = deidentify) -> None:
                    clinic.exports.write(kind, Path(tmp) / target, deidentify=deidentify)  # type: ignore[arg-type]

                seconds = best_of(export, REPEAT)
                label = f"export {kind}{' --deidentify' if deidentify else ''}, {PATIENTS:,} patients " \
                        f"({questionnaires:,} questionnaires)"
                results.append(BenchResult(name=label, figure=seconds, unit="s",
                                           baseline_name="reading the data only", baseline=reading,
                                           target="under 10 s"))
    return results
