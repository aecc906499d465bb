"""``sijpro score`` throughput against a plain-Python CSV read of the same file."""

from __future__ import annotations

import csv
import io
import random
import tempfile
from pathlib import Path

from bench.common import BenchResult, best_of, scaled
from sijpro.exchange.csv_files import read_csv
from sijpro.exchange.score_csv import score_table
from sijpro.instruments import Instrument, get_instrument

ROWS = scaled(100_000, 2_000)
REPEAT = scaled(3, 1)


def _write_file(directory: Path, instrument_id: str) -> Path:
    instrument = get_instrument(instrument_id)
    rng = random.Random(7)
    path = directory / f"{instrument_id}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *instrument.item_codes])
        for row in range(ROWS):
            writer.writerow([row, *(rng.choice(item.accepted_values()) for item in instrument.items)])
    return path


def run() -> list[BenchResult]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for instrument_id in ("odi", "sf12"):
            path = _write_file(Path(tmp), instrument_id)
            instrument = get_instrument(instrument_id)

            def plain_read(path: Path = path) -> None:
                with path.open(encoding="utf-8", newline="") as handle:
                    for _ in csv.reader(handle):
                        pass

            def score(path: Path = path, instrument: Instrument = instrument) -> None:
                score_table(read_csv(path), instrument, io.StringIO())

            baseline = best_of(plain_read, REPEAT)
            scored = best_of(score, REPEAT)
            results.append(BenchResult(
                name=f"score {instrument_id}, {ROWS:,} rows", figure=ROWS / scored, unit="rows/s",
                baseline_name="csv.reader only", baseline=ROWS / baseline, target="100,000 rows in a few s",
            ))
    return results
