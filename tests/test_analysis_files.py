"""The CSV export as Excel, R and pandas read it, checked by the readers themselves: the Frictionless
validator over datapackage.json (types, codes, missing values, dialect), R 4.2's read.csv and read.csv2
(Rscript), and pandas; NASK (not administered), ASKU (skipped) and UNK (unknown) told apart."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from sijpro.cli import main
from sijpro.exchange import export_csv
from sijpro.exchange.import_csv import parse_import_files
from sijpro.exchange.output import EXCEL, PLAIN
from sijpro.exchange.subjects import prepare_export
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses
from tests.trusted import trusted

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
MISSING = ["", "NASK", "ASKU", "UNK"]


def courses():
    """Real courses; the first two patients all-female with nothing else known about them."""
    made = make_courses(10, seed=41)
    unknown = {"sex": "F", "bmi": None, "fbss": None, "prior_lumbar_surgeries": None,
               "prior_lumbosacral_fusion": None, "prior_interventions": None, "birth_date": None}
    return [dataclasses.replace(c, patient=dataclasses.replace(c.patient, **unknown)) if i < 2 else c
            for i, c in enumerate(made)]


def export(directory: Path, table_format=PLAIN, deidentify: bool = False, data=None) -> Path:
    made = prepare_export(data or courses(), default_protocol(), EXPORTED_AT, deidentify=deidentify, key=b"k")
    export_csv.write_csv_export(made, directory, table_format=table_format)
    return directory


def errors_of(report: frictionless.Report) -> list[str]:
    return [f"{task.name}: {error.type}: {error.message}" for task in report.tasks for error in task.errors] + \
        [error.message for error in report.errors]


@pytest.mark.parametrize("deidentify", [False, True], ids=["identified", "deidentified"])
@pytest.mark.parametrize("language", ["plain", "fr"])
def test_the_frictionless_validator_accepts_the_package(tmp_path: Path, language: str, deidentify: bool) -> None:
    directory = export(tmp_path, PLAIN if language == "plain" else EXCEL["fr"], deidentify)
    report = frictionless.validate(str(directory / "datapackage.json"))
    assert errors_of(report) == []
    package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    names = [resource["path"] for resource in package["resources"]]
    assert names == ["patients.csv", "responses.csv", "complications.csv", "analysis_wide.csv", "data_dictionary.csv"]
    wide = package["resources"][3]["schema"]
    assert wide["missingValues"] == MISSING
    sex = next(field for field in wide["fields"] if field["name"] == "sex")
    assert sex["categories"] == [{"value": "female", "label": "Female"}, {"value": "male", "label": "Male"},
                                 {"value": "other", "label": "Other or not stated"}]


def test_the_validator_has_teeth(tmp_path: Path) -> None:
    """A code outside its categories, or a decimal comma the dialect does not announce, is refused."""
    directory = export(tmp_path)
    wide = directory / "analysis_wide.csv"
    text = wide.read_text(encoding="utf-8")
    wide.write_text(text.replace(",female,", ",F,", 1), encoding="utf-8")
    assert any("constraint" in error for error in errors_of(frictionless.validate(str(directory / "datapackage.json"))))
    wide.write_text(text.replace("34.0", "34,0", 1) if "34.0" in text else text.replace(".0,", ",0,", 1),
                    encoding="utf-8")
    assert errors_of(frictionless.validate(str(directory / "datapackage.json")))


def test_not_administered_skipped_and_unknown_are_told_apart(tmp_path: Path) -> None:
    data = courses()
    export(tmp_path, data=data)
    with (tmp_path / "analysis_wide.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = data[0]
    mine = [row for row in rows if row["mrn"] == first.patient.mrn]
    assert {row["bmi"] for row in mine} == {"UNK"} and {row["prior_interventions"] for row in mine} == {"UNK"}
    for row in mine:
        given = {q.response.instrument: q.response for q in first.questionnaires if q.timepoint == row["timepoint"]}
        for code in ("lumbar", "radicular"):
            column = f"nrs_{code}"
            if "nrs" not in given:
                assert row[column] == "NASK"
            elif given["nrs"].answers.get(code) is None:
                assert row[column] == "ASKU"
            else:
                assert row[column] == str(given["nrs"].answers[code])
    cells = {cell for row in rows for cell in row.values()}
    assert {"NASK", "ASKU", "UNK"} <= cells
    assert "" not in {row["odi1"] for row in rows}  # nothing left for a reader to guess
    dictionary = (tmp_path / "data_dictionary.csv").read_text(encoding="utf-8")
    assert "NASK = not administered" in dictionary and "ASKU = skipped" in dictionary


def rscript(code: str) -> str:
    assert shutil.which("Rscript"), "R is needed (Debian r-base-core, installed by .ci/run)"
    done = subprocess.run(["Rscript", "--vanilla", "-e", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_r_reads_the_analysis_file_without_a_single_edit(tmp_path: Path) -> None:
    directory = export(tmp_path)
    expected = pd.read_csv(directory / "analysis_wide.csv", na_values=MISSING, keep_default_na=False)
    out = rscript(f"""
        d <- read.csv("{directory / 'analysis_wide.csv'}", na.strings = c("", "NASK", "ASKU", "UNK"))
        female <- d[d$sex == "female" & !is.na(d$sex), ]
        p <- read.csv("{directory / 'patients.csv'}")
        cat(class(d$sex), class(female$sex), class(d$odi_score), class(d$sf12_pcs), class(d$nrs_lumbar),
            class(d$days_from_surgery), class(p$sex[p$sex == "F"]), sum(is.na(d$odi1)), nrow(d),
            format(mean(d$sf12_pcs, na.rm = TRUE), nsmall = 6), "\\n")
        """).split()
    assert out[:6] == ["character", "character", "numeric", "numeric", "integer", "integer"]
    # the import file keeps DESIGN.md's F/M/X, which R's own reference behaviour turns into FALSE when alone:
    only_female = rscript('cat(class(read.csv(text = "sex\\nF\\nF")$sex))')
    assert only_female == "logical"
    assert int(out[7]) == int(expected["odi1"].isna().sum()) and int(out[8]) == len(expected)
    assert float(out[9]) == pytest.approx(expected["sf12_pcs"].mean(), abs=1e-6)


def test_excel_french_files_open_in_r_and_import_back(tmp_path: Path) -> None:
    data = courses()
    directory = export(tmp_path, EXCEL["fr"], data=data)
    raw = (directory / "patients.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfmrn;family_name;")
    out = rscript(f"""
        d <- read.csv2("{directory / 'analysis_wide.csv'}", fileEncoding = "UTF-8-BOM",
                       na.strings = c("", "NASK", "ASKU", "UNK"))
        cat(names(d)[1], class(d$bmi), class(d$sf12_pcs), format(max(d$bmi, na.rm = TRUE), nsmall = 2), "\\n")
        """).split()
    bmis = [c.patient.bmi for c in data if c.patient.bmi is not None]
    assert out[:3] == ["mrn", "numeric", "numeric"] and float(out[3]) == pytest.approx(max(bmis))
    batch = parse_import_files([directory / "patients.csv", directory / "responses.csv"])
    assert {d.mrn: d.bmi for d, _ in batch.patients} == {c.patient.mrn: c.patient.bmi for c in data}
    assert {d.mrn: d.prior_interventions for d, _ in batch.patients} == {
        c.patient.mrn: c.patient.prior_interventions for c in data}


def test_pandas_reads_types_from_the_package(tmp_path: Path) -> None:
    directory = export(tmp_path, EXCEL["fr"])
    package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == "analysis_wide.csv")
    numbers = [f["name"] for f in resource["schema"]["fields"] if f["type"] == "number"]
    frame = pd.read_csv(directory / resource["path"], sep=resource["dialect"]["delimiter"],
                        encoding=resource["encoding"], decimal=",", na_values=resource["schema"]["missingValues"],
                        keep_default_na=False)
    assert all(frame[name].dtype == "float64" for name in numbers), {n: frame[n].dtype for n in numbers}
    assert pd.api.types.is_string_dtype(frame["sex"]) and set(frame["sex"].dropna()) <= {"female", "male", "other"}


def test_cli_excel_option(tmp_path: Path, capsys, monkeypatch, cli_as) -> None:
    from sijpro.demo.cohort import generate_demo_cohort
    from sijpro.services.clinic import Clinic
    from tests.conftest import TODAY

    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database)) as clinic:
        clinic.imports.load(generate_demo_cohort(6, seed=3, today=TODAY))
    cli_as(str(database), "surgeon")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_NUMERIC", raising=False)
    assert main(["--db", str(database), "export", "csv", "-o", str(tmp_path / "auto"), "--excel"]) == 0
    assert (tmp_path / "auto" / "patients.csv").read_bytes().startswith(b"\xef\xbb\xbfmrn;")
    assert main(["--db", str(database), "export", "csv", "-o", str(tmp_path / "en"), "--excel", "en"]) == 0
    assert (tmp_path / "en" / "patients.csv").read_bytes().startswith(b"\xef\xbb\xbfmrn,")
    capsys.readouterr()
    assert main(["--db", str(database), "export", "redcap", "-o", str(tmp_path / "rc"), "--excel", "fr"]) == 2
    assert "--excel is for csv exports only" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(database), "export", "csv", "-o", str(tmp_path / "x"), "--excel", "de"])
    assert caught.value.code == 2
