"""Whatever a file holds, the import either reads it or explains why not: never another exception."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpro.errors import InputErrors, UserError
from sijpro.exchange.import_csv import PATIENT_COLUMNS, RESPONSE_COLUMNS, parse_import_files
from sijpro.records import ImportBatch

TODAY = dt.date(2025, 6, 1)
PATIENT_LINE = "P1,Roy,Luc,1961-04-12,F,fr,27.4,1,3,1,SCS;INJ,2023-05-02,bilateral,lateral"

TOKENS = st.sampled_from([
    "", "P1", "P2", "0", "1", "-1", "10", "99", "3.5", "1e3", "nan", "inf", "2023-05-02", "2023-02-29", "0000-01-01",
    "9999-12-31", "F", "x", "fr", "SCS;INJ", ";", ";;", "baseline", "w6", "m24", "nrs", "odi", "sf12", "relief",
    "satisfaction", "lumbar", "odi8", "GH1", "percent", "overall", "left", "posterior", "٣", "１２", "\u00a0",
    "Ā", "\x00", '"', "\r", "\n", "\ufeff",
])
CELLS = st.one_of(TOKENS, st.text(max_size=12))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_back(texts: list[tuple[str, bytes]]) -> ImportBatch | None:
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for name, data in texts:
            path = Path(directory) / name
            path.write_bytes(data)
            paths.append(path)
        try:
            return parse_import_files(paths, today=TODAY)
        except InputErrors as errors:
            assert errors.problems and all(problem.strip() for problem in errors.problems)
            return None
        except UserError as error:
            assert str(error).strip()
            return None


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=14, max_size=14), min_size=1, max_size=4))
def test_patient_lines_of_arbitrary_cells(rows: list[list[str]]) -> None:
    text = ",".join(PATIENT_COLUMNS) + "\n" + "\n".join(",".join(quoted(c) for c in row) for row in rows) + "\n"
    read_back([("p.csv", text.encode("utf-8"))])


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=6, max_size=6), min_size=1, max_size=6))
def test_response_lines_of_arbitrary_cells(rows: list[list[str]]) -> None:
    body = "\n".join(",".join(quoted(c) for c in row) for row in rows)
    responses = ",".join(RESPONSE_COLUMNS) + "\n" + body + "\n"
    patients = ",".join(PATIENT_COLUMNS) + "\n" + PATIENT_LINE + "\n"
    read_back([("r.csv", responses.encode("utf-8")), ("p.csv", patients.encode("utf-8"))])


@SETTINGS
@given(st.lists(st.text(max_size=80), min_size=0, max_size=5), st.sampled_from([",", ";", "\t"]))
def test_raw_lines_after_a_valid_header(lines: list[str], delimiter: str) -> None:
    header = delimiter.join(PATIENT_COLUMNS if len(lines) % 2 else RESPONSE_COLUMNS)
    read_back([("f.csv", (header + "\n" + "\n".join(lines)).encode("utf-8"))])


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    read_back([("f.csv", data)])


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    read_back([("f.csv", text.encode("utf-8", "surrogatepass"))])
