"""Import hardening: a real export, damaged the ways files get damaged (re-encoded by a spreadsheet,
a column lost, a line pasted twice, a cell of the wrong type or absurd size, cut short), is either
read whole or refused with every problem located: never a traceback, never part of the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijpro.errors import InputErrors, UserError
from sijpro.exchange.export_csv import write_csv_export
from sijpro.exchange.import_csv import parse_import_files
from sijpro.exchange.subjects import prepare_export
from sijpro.protocol import default_protocol
from sijpro.records import ImportBatch
from tests.exchange_data import make_courses

TODAY = dt.date(2025, 6, 1)
FILE_NAME = re.compile(r"([^,:]*)")
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
BAD_CELLS = (
    "1e309", "9" * 400, "-1", "NaN", "inf", "2023-13-45", "2023-02-29", "12/05/2023", "١٢", "３", "0x10", " 5 ",
    "5.5", "yes", "\x00", "x" * 10_000, "odi99", "m99", "'", "=HYPERLINK(\"x\")",
)


@cache
def clean() -> dict[str, str]:
    """A real export of six patients (module-wide, so hypothesis does not print it with every example)."""
    with tempfile.TemporaryDirectory() as directory:
        export = prepare_export(make_courses(6, seed=13), default_protocol(), dt.datetime(2024, 6, 1))
        write_csv_export(export, Path(directory))
        return {name: (Path(directory) / name).read_text(encoding="utf-8")
                for name in ("patients.csv", "responses.csv")}


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def text_of(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def parse(tmp_path: Path, files: dict[str, bytes]) -> ImportBatch | InputErrors | UserError:
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    try:
        return parse_import_files(paths, today=TODAY)
    except InputErrors as errors:
        unlocated = [p for p in errors.problems if FILE_NAME.match(p).group(1) not in files]
        assert errors.problems and not unlocated, unlocated[:3]
        return errors
    except UserError as error:
        assert FILE_NAME.match(str(error)).group(1) in files, str(error)
        return error


def whole(batch: ImportBatch, files: dict[str, str]) -> None:
    """A batch that was accepted holds every patient and every questionnaire of the files."""
    patients = {row[0] for row in rows_of(files["patients.csv"])[1:]}
    questionnaires = {tuple(row[:3]) for row in rows_of(files["responses.csv"])[1:]}
    assert {draft.mrn for draft, _ in batch.patients} == patients
    assert {(q.mrn, q.timepoint, q.instrument) for q in batch.questionnaires} == questionnaires


@SETTINGS
@given(which=st.sampled_from(["patients.csv", "responses.csv"]),
       encoding=st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-32", "mac_roman"]))
def test_files_saved_in_another_encoding(tmp_path_factory, which: str, encoding: str) -> None:
    clean_files = clean()
    tmp_path = tmp_path_factory.mktemp("enc")
    files = {name: text.encode("utf-8") for name, text in clean_files.items()}
    files[which] = clean_files[which].encode(encoding, errors="replace")
    outcome = parse(tmp_path, files)
    if isinstance(outcome, ImportBatch):  # only possible when the file had nothing outside ASCII
        assert clean_files[which].isascii() and encoding not in ("utf-16", "utf-32")
        whole(outcome, clean_files)
    else:
        assert "UTF-8" in str(outcome) or "not a text file" in str(outcome) or "column" in str(outcome), str(outcome)


@SETTINGS
@given(which=st.sampled_from(["patients.csv", "responses.csv"]), data=st.data())
def test_a_column_lost(tmp_path_factory, which: str, data) -> None:
    clean_files = clean()
    rows = rows_of(clean_files[which])
    column = data.draw(st.integers(0, len(rows[0]) - 1))
    name = rows[0][column]
    damaged = [row[:column] + row[column + 1:] for row in rows]
    outcome = parse(tmp_path_factory.mktemp("col"), {**{k: v.encode() for k, v in clean_files.items()},
                                                      which: text_of(damaged).encode()})
    if (which == "responses.csv" and name != "mode") or name in ("mrn", "surgery_date"):
        assert isinstance(outcome, InputErrors)
        assert any(f"missing column '{name}'" in p for p in outcome.problems) or name == "mrn"
    elif isinstance(outcome, ImportBatch):  # an optional column: the file is read whole without it
        whole(outcome, clean_files)


@SETTINGS
@given(which=st.sampled_from(["patients.csv", "responses.csv"]), data=st.data())
def test_a_line_pasted_twice(tmp_path_factory, which: str, data) -> None:
    clean_files = clean()
    rows = rows_of(clean_files[which])
    line = data.draw(st.integers(1, len(rows) - 1))
    damaged = [*rows[: line + 1], rows[line], *rows[line + 1:]]
    outcome = parse(tmp_path_factory.mktemp("dup"), {**{k: v.encode() for k, v in clean_files.items()},
                                                      which: text_of(damaged).encode()})
    assert isinstance(outcome, InputErrors)
    assert any(p.startswith(f"{which}, line {line + 2}") for p in outcome.problems), outcome.problems


@SETTINGS
@given(which=st.sampled_from(["patients.csv", "responses.csv"]), data=st.data(),
       bad=st.one_of(st.sampled_from(BAD_CELLS), st.text(max_size=30)))
def test_a_cell_of_the_wrong_type_or_size(tmp_path_factory, which: str, data, bad: str) -> None:
    clean_files = clean()
    rows = rows_of(clean_files[which])
    line = data.draw(st.integers(1, len(rows) - 1))
    column = data.draw(st.integers(0, len(rows[0]) - 1))
    damaged = [list(row) for row in rows]
    damaged[line][column] = bad
    files = {**clean_files, which: text_of(damaged)}
    outcome = parse(tmp_path_factory.mktemp("cell"), {k: v.encode("utf-8", "surrogatepass") for k, v in files.items()})
    if isinstance(outcome, ImportBatch):
        whole(outcome, files)
    elif isinstance(outcome, InputErrors):
        located = [p for p in outcome.problems if p.startswith(f"{which}, line {line + 1}")]
        assert located or any("line" in p for p in outcome.problems), outcome.problems


@SETTINGS
@given(which=st.sampled_from(["patients.csv", "responses.csv"]), data=st.data())
def test_a_file_cut_short(tmp_path_factory, which: str, data) -> None:
    clean_files = clean()
    raw = clean_files[which].encode("utf-8")
    cut = data.draw(st.integers(0, len(raw) - 1))
    outcome = parse(tmp_path_factory.mktemp("cut"), {**{k: v.encode() for k, v in clean_files.items()},
                                                      which: raw[:cut]})
    if isinstance(outcome, ImportBatch):
        # only a cut at a line end (or in an empty last cell) leaves a valid file: what it holds is read whole
        kept = raw[:cut].decode("utf-8")
        last = kept.rsplit("\n", 1)[-1]
        assert last == "" or rows_of(clean_files[which])[len(rows_of(kept)) - 1][:len(rows_of(last)[0])] == \
            rows_of(last)[0]
        whole(outcome, {**clean_files, which: kept})


def test_huge_file_of_one_repeated_line_is_refused_with_every_line_listed(tmp_path: Path) -> None:
    clean_files = clean()
    rows = rows_of(clean_files["responses.csv"])
    damaged = rows + [rows[1]] * 2000
    outcome = parse(tmp_path, {"patients.csv": clean_files["patients.csv"].encode(),
                               "responses.csv": text_of(damaged).encode()})
    assert isinstance(outcome, InputErrors)
    assert len(outcome.problems) == 2000


def test_an_unreadable_patients_file_is_one_problem_not_one_per_response_line(tmp_path: Path) -> None:
    clean_files = clean()
    for damaged in (clean_files["patients.csv"].encode("latin-1"),                       # saved by a spreadsheet
                    clean_files["patients.csv"].replace("surgery_date", "surgery").encode()):  # a renamed column
        outcome = parse(tmp_path, {"patients.csv": damaged, "responses.csv": clean_files["responses.csv"].encode()})
        assert isinstance(outcome, InputErrors)
        assert all(p.startswith("patients.csv") for p in outcome.problems), outcome.problems[:3]
        assert 1 <= len(outcome.problems) <= 2
