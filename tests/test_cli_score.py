"""``sijpro score``: scores real CSV files and reports every bad-input class with line and field."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from sijpro.cli import main

ROOT = Path(__file__).resolve().parents[1]
ODI_HEADER = "id," + ",".join(f"odi{n}" for n in range(1, 11))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_odi_rows_are_scored_with_band(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, f"{ODI_HEADER}\nA,3,2,2,1,2,2,1,1,1,1\nB,3,2,2,1,2,2,1,,2,1\nC,5,5,5,5,5,5,5,,,5\n")
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "score", "odi", str(source), "-o", str(out))
    assert (status, err) == (0, "")
    rows = read_rows(out)
    assert [row["id"] for row in rows] == ["A", "B", "C"]
    assert rows[0]["odi"] == "32.0" and rows[0]["odi_band"] == "moderate"
    assert rows[1]["odi"] == "35.6"  # 16 / 45 x 100 = 35.5555...: the stated precision, not float noise
    assert rows[2]["odi"] == "" and rows[2]["odi_band"] == ""


def test_sf12_best_and_worst_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = "GH1,PF02,PF04,RP2,RP3,RE2,RE3,BP2,MH3,VT2,MH4,SF2"
    source = write(tmp_path, f"{header}\n1,3,3,2,2,2,2,1,1,1,6,5\n5,1,1,1,1,1,1,5,6,6,1,1\n")
    status, out, _ = run_cli(capsys, "score", "sf12", str(source))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == header + ",pcs,mcs"
    best, worst = (line.split(",")[-2:] for line in lines[1:])
    assert best == ["56.58", "60.76"]  # the published anchors 56.57706 and 60.75781, at 2 decimals
    assert worst == ["24.00", "19.06"]  # 23.99938 and 19.06444


def test_nrs_score_columns_do_not_clash_with_item_columns(tmp_path: Path, capsys) -> None:
    source = write(tmp_path, "mrn,lumbar,radicular\n123,7,\n")
    status, out, _ = run_cli(capsys, "score", "nrs", str(source))
    assert status == 0
    assert out.splitlines() == ["mrn,lumbar,radicular,lumbar_score,radicular_score", "123,7,,7,"]


def test_semicolon_file_with_bom_from_french_excel(tmp_path: Path, capsys) -> None:
    source = write(tmp_path, "\ufeffoverall;would_repeat\r\n2;1\r\n4;2\r\n")
    status, out, _ = run_cli(capsys, "score", "satisfaction", str(source))
    assert status == 0
    assert out.splitlines() == ["overall;would_repeat;overall_score;satisfied", "2;1;2;1", "4;2;4;0"]


def test_invalid_rows_are_listed_and_valid_rows_still_scored(tmp_path: Path, capsys) -> None:
    source = write(tmp_path, (
        f"{ODI_HEADER}\n"
        "ok,1,1,1,1,1,1,1,1,1,1\n"
        "range,1,1,9,1,1,1,1,1,1,1\n"
        "\n"
        "text,1,one,1,1,1,1,1,1,1,1\n"
        "frac,1,1,1,1,2.5,1,1,1,1,1\n"
        "short,1,1,1\n"
        "ok2,0,0,0,0,0,0,0,0,0,0\n"
    ))
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "score", "odi", str(source), "-o", str(out))
    assert status == 1
    assert "in.csv, line 3, field odi3: 9 is not one of 0, 1, 2, 3, 4, 5" in err
    assert "in.csv, line 5, field odi2: 'one' is not a number" in err
    assert "in.csv, line 6, field odi5: 2.5 is not a whole number" in err
    assert "in.csv, line 7: expected 11 fields, found 4" in err
    assert "4 of 6 rows invalid; 2 scored" in err
    rows = read_rows(out)
    assert [(row["id"], row["odi"]) for row in rows] == [
        ("ok", "20.0"), ("range", ""), ("text", ""), ("frac", ""), ("short", ""), ("ok2", "0.0")]


@pytest.mark.parametrize(("text", "message"), [
    ("lumbar,radicular,colour\n1,2,red\n", "in.csv, line 1: unknown column 'colour'"),
    ("lumbar\n1\n", "in.csv, line 1: missing column 'radicular'"),
    ("lumbar,radicular,lumbar\n1,2,3\n", "in.csv, line 1: column 'lumbar' appears twice"),
    ("", "in.csv: the file is empty"),
    ('lumbar,radicular\n"1,2\n', "in.csv, line 2: malformed CSV"),
])
def test_header_and_file_faults_refuse_the_whole_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = write(tmp_path, text)
    out = tmp_path / "out.csv"
    status, _, err = run_cli(capsys, "score", "nrs", str(source), "-o", str(out))
    assert status == 1
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.glob(".sijpro-*")) == []


def test_latin1_file_names_the_line(tmp_path: Path, capsys) -> None:
    source = write(tmp_path, "mrn,lumbar,radicular\n1,2,3\nDésiré,4,5\n", encoding="latin-1")
    status, _, err = run_cli(capsys, "score", "nrs", str(source))
    assert status == 1
    assert "in.csv, line 3: not UTF-8 text" in err


def test_missing_file_and_optional_odi8_column(tmp_path: Path, capsys) -> None:
    status, _, err = run_cli(capsys, "score", "nrs", str(tmp_path / "absent.csv"))
    assert status == 1
    assert "absent.csv: cannot read the file" in err
    header = ",".join(f"odi{n}" for n in range(1, 11) if n != 8)
    source = write(tmp_path, f"{header}\n1,1,1,1,1,1,1,1,1\n")
    status, out, _ = run_cli(capsys, "score", "odi", str(source))
    assert status == 0
    assert out.splitlines()[1].endswith(",20.0,minimal")


def test_odi_missing_allowance_option(tmp_path: Path, capsys) -> None:
    source = write(tmp_path, f"{ODI_HEADER}\nA,1,1,1,1,1,1,1,,,1\n")
    status, out, _ = run_cli(capsys, "score", "odi", str(source), "--odi-max-missing", "2")
    assert status == 0
    assert out.splitlines()[1] == "A,1,1,1,1,1,1,1,,,1,20.0,minimal"
    status, _, err = run_cli(capsys, "score", "nrs", str(source), "--odi-max-missing", "2")
    assert status == 1
    assert "applies to the odi instrument only" in err


@pytest.mark.parametrize("args", [["score"], ["score", "bogus", "x.csv"], ["nonsense"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2


def test_main_py_runs_the_cli_in_a_real_process(tmp_path: Path) -> None:
    source = write(tmp_path, "percent\n70\n105\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "score", "relief", str(source)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["percent,percent_score,worse", "70,70,0", "105,,"]
    assert "in.csv, line 3, field percent: 105 is outside 0-100" in result.stderr
    help_result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"],
                                 capture_output=True, text=True, check=False)
    assert help_result.returncode == 0
    assert "score" in help_result.stdout


def test_an_answer_is_written_as_a_plain_whole_number(tmp_path: Path, capsys) -> None:
    """'1e1' is no way to write an NRS of 10: a spreadsheet's artefact, not what a patient answered."""
    nrs = write(tmp_path, "lumbar,radicular\n1e1,2\n3.0,+4\n", "nrs.csv")
    status, _, err = run_cli(capsys, "score", "nrs", str(nrs), "-o", str(tmp_path / "nrs-out.csv"))
    assert status == 1 and "nrs.csv, line 2, field lumbar: 1e1 is not a whole number" in err
    assert "line 3" not in err  # a spreadsheet's '3.0' and a signed '+4' are still whole numbers
