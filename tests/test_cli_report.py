"""``sijpro report ...`` end to end on a real demo database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from sijpro.analysis import cohort_summary
from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.services.clinic import Clinic
from sijpro.services.clinic_settings import ClinicSettings
from tests.conftest import TODAY
from tests.trusted import trusted

EPOCH = "1717430400"  # 2024-06-03 16:00 UTC


@pytest.fixture
def demo_db(database_url, clock, monkeypatch, cli_as) -> str:
    """24 demo patients; the command line signed in as a surgeon, whose reports these are."""
    Clinic.init(database_url, clock=clock)
    with trusted(database_url, "nurse1", clock=clock) as clinic:
        clinic.imports.load(generate_demo_cohort(24, 3, today=TODAY))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cli_as(database_url, "surgeon")
    return database_url


def pdf_text(path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_patient_report_by_mrn(demo_db, tmp_path, capsys) -> None:
    with trusted(demo_db) as clinic:
        record = clinic.outcomes.cohort()[4]
    out = tmp_path / "one.pdf"
    assert main(["--db", demo_db, "report", "patient", record.patient.mrn, "-o", str(out), "--page-size", "letter",
                 "--clinic", "Clinique Saint-Roch"]) == 0
    text = pdf_text(out)
    assert record.patient.mrn in text and record.patient.family_name.upper() in text
    assert "Clinique Saint-Roch" in text
    assert ("Page 1 of" in text) if record.patient.language == "en" else ("Page 1 sur" in text)
    assert ("3 Jun 2024 16:00" in text) or ("3 juin 2024 16:00" in text)  # SOURCE_DATE_EPOCH
    assert float(pypdf.PdfReader(out).pages[0].mediabox.height) == pytest.approx(792)
    again = tmp_path / "again.pdf"
    main(["--db", demo_db, "report", "patient", record.patient.mrn, "-o", str(again), "--page-size", "letter",
          "--clinic", "Clinique Saint-Roch"])
    assert again.read_bytes() == out.read_bytes()
    french = tmp_path / "fr.pdf"
    assert main(["--db", demo_db, "report", "patient", record.patient.mrn, "-o", str(french), "--language", "fr"]) == 0
    assert "Page 1 sur" in pdf_text(french)


def test_unknown_mrn_and_bad_input_exit_1(demo_db, tmp_path, capsys) -> None:
    assert main(["--db", demo_db, "report", "patient", "NOBODY", "-o", str(tmp_path / "x.pdf")]) == 1
    assert "no patient with MRN 'NOBODY'" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
    assert main(["--db", demo_db, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--where", "fbss=maybe"]) == 1
    assert "--where fbss=maybe: expected one of 0, 1" in capsys.readouterr().err
    assert main(["--db", demo_db, "report", "cohort", "-o", str(tmp_path / "c.pdf"), "--mcid", "odi.odi=lots"]) == 1
    assert "--mcid odi.odi=lots: expected a number of points, or a percentage like 30%" in capsys.readouterr().err
    with trusted(demo_db) as clinic:
        mrn = clinic.outcomes.cohort()[0].patient.mrn
    assert main(["--db", demo_db, "report", "patient", mrn, "-o", str(tmp_path / "no" / "x.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))


def test_cohort_pdf_and_json_with_a_filter(demo_db, tmp_path) -> None:
    pdf, data = tmp_path / "cohort.pdf", tmp_path / "cohort.json"
    assert main(["--db", demo_db, "report", "cohort", "-o", str(pdf), "--json", str(data), "--where", "fbss=1",
                 "--mcid", "odi.odi=10"]) == 0
    summary = json.loads(data.read_text(encoding="utf-8"))
    with trusted(demo_db) as clinic:
        outcomes = clinic.outcomes.cohort()
    expected = cohort_summary(outcomes, where={"fbss": "1"}, mcid={"odi.odi": 10})
    assert summary == json.loads(expected.to_json())
    assert summary["filters"] == {"fbss": "1"} and summary["at"] == "last"
    assert 0 < summary["n_patients"] == sum(o.patient.fbss is True for o in outcomes) < len(outcomes)
    text = pdf_text(pdf)
    assert f"Patients: with FBSS · {summary['n_patients']} patients" in text
    assert "MCID ≥10" in text
    assert "Table 1. Baseline clinical and demographic variables" in text


def test_report_all_writes_one_pdf_per_patient(demo_db, tmp_path, capsys) -> None:
    folder = tmp_path / "reports"
    assert main(["--db", demo_db, "report", "all", "--out-dir", str(folder)]) == 0
    with trusted(demo_db) as clinic:
        mrns = sorted(o.patient.mrn for o in clinic.outcomes.cohort())
    assert sorted(p.stem for p in folder.glob("*.pdf")) == mrns
    assert f"{len(mrns)} patient reports" in capsys.readouterr().out
    first = folder / f"{mrns[0]}.pdf"
    assert mrns[0] in pdf_text(first)
    assert main(["--db", demo_db, "report", "all", "--out-dir", str(folder), "--workers", "0"]) == 1


def test_reports_are_headed_with_the_clinics_own_name_unless_told_otherwise(demo_db, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_CLINIC_NAME", raising=False)
    with trusted(demo_db) as clinic:
        clinic.settings.save(ClinicSettings(name="Centre du Rachis de Lyon"))
        mrn = clinic.outcomes.cohort()[0].patient.mrn
    saved, told, cohort = tmp_path / "saved.pdf", tmp_path / "told.pdf", tmp_path / "cohort.pdf"
    assert main(["--db", demo_db, "report", "patient", mrn, "-o", str(saved)]) == 0
    assert "Centre du Rachis de Lyon" in pdf_text(saved)
    assert main(["--db", demo_db, "report", "cohort", "-o", str(cohort)]) == 0
    assert "Centre du Rachis de Lyon" in pdf_text(cohort)
    assert "Sex, female" in pdf_text(cohort) and "Sex, male" in pdf_text(cohort)
    monkeypatch.setenv("SIJPRO_CLINIC_NAME", "Clinique Saint-Roch")
    assert main(["--db", demo_db, "report", "patient", mrn, "-o", str(told)]) == 0
    assert "Clinique Saint-Roch" in pdf_text(told) and "Centre du Rachis" not in pdf_text(told)
    assert main(["--db", demo_db, "report", "patient", mrn, "-o", str(told), "--clinic", ""]) == 0
    assert "Clinique Saint-Roch" not in pdf_text(told)
