"""Patient and cohort PDFs parsed back: the patient's figures, missing visits, French, page sizes,
deterministic bytes, and the seed studies' tables reproduced."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from sijpro.analysis import cohort_summary
from sijpro.errors import UserError
from sijpro.reports import cohort_pdf, patient_pdf
from tests.outcome_builders import patient, visit
from tests.seed_cohorts import seed_000_cohort, seed_003_cohort

ROOT = Path(__file__).resolve().parents[1]
WHEN = dt.datetime(2026, 1, 15, 9, 30)
SURGERY = dt.date(2024, 3, 15)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def between(text: str, start: str, end: str) -> str:
    """The table row of ``start``: the text after its label and before the next row's label."""
    return text.split(start, 1)[1].split(end, 1)[0]


def course() -> dict:
    """A patient who missed w6, left the SF-12 blank at m3, let m6 lapse, and is not due for m12 yet."""
    return {
        "baseline": {"nrs.lumbar": 8, "nrs.radicular": 6, "odi.odi": 64, "sf12.pcs": 27.4, "sf12.mcs": 41.2},
        "w6": None,
        "m3": visit("m3", SURGERY, {"nrs.lumbar": 5, "nrs.radicular": 6, "odi.odi": 46, "sf12.pcs": None,
                                    "sf12.mcs": None, "satisfaction.overall": 2, "satisfaction.satisfied": 1.0,
                                    "relief.percent": 55}, days_late=9),
        "m6": visit("m6", SURGERY, None, status="scheduled"),
        "m12": visit("m12", SURGERY, None, status="scheduled"),
    }


@pytest.fixture(scope="module")
def followed():
    visits = course()
    # the due date of m6 is 2024-09-15, its window closed on 2024-10-27: missing on the report day
    return patient(7, visits, surgery=SURGERY, given_name="Élodie", family_name="Martin",
                   birth_date=dt.date(1958, 2, 1))


@pytest.fixture(scope="module")
def report_day() -> dt.datetime:
    return dt.datetime(2025, 1, 20, 16, 45)


def test_patient_pdf_shows_the_patients_figures(followed, report_day) -> None:
    text = text_of(patient_pdf(followed, generated_at=report_day, clinic="Clinique du Parc & Co"))
    for expected in ("Clinique du Parc & Co", "MARTIN, Élodie", "T0007", "66 years", "Female",
                     "15 Mar 2024, right, lateral transiliac approach", "SIJ fusion standard follow-up, version 1",
                     "Generated 20 Jan 2025 16:45", "Page 1 of 1", "nrs-1", "odi-2.1a-1", "sf12v1-us1990-1",
                     "Months from surgery", "Oswestry Disability Index (%)", "US norm (50)"):
        assert expected in text, expected
    baseline = between(text, "Before", "6 weeks")
    assert baseline.split("surgery", 1)[1].split()[-5:] == ["8", "6", "64", "27.4", "41.2"]
    m3 = between(text, "3 months", "6 months")
    assert "late (+9 d)" in m3
    assert "5\nΔ -3 ✓" in m3  # NRS back 8 -> 5: the MCID of 2 points is reached
    assert "6\nΔ 0" in m3  # leg pain unchanged, no tick
    assert "46\nΔ -18 ✓" in m3
    assert "Satisfied" in m3 and "55%" in m3


def test_missing_visits_are_written_missing_never_zero(followed, report_day) -> None:
    text = text_of(patient_pdf(followed, generated_at=report_day))
    w6 = between(text, "6 weeks", "3 months")
    assert "missing" in w6 and "0" not in w6.replace("2024", "")  # no score of zero stands in for it
    assert w6.count("missing") == 1 + 5  # the status, then NRS x2, ODI, satisfaction, relief (no SF-12 at w6)
    m3 = between(text, "3 months", "6 months")
    assert m3.count("missing") == 2  # the blank SF-12: PCS and MCS
    m6 = between(text, "6 months", "12 months")
    assert "due 15 Sep 2024" in " ".join(m6.split()) and m6.count("missing") == 1 + 7
    m12 = between(text, "12 months", "24 months")
    assert "upcoming" in m12 and "missing" not in m12
    assert "never as zero" in text


def test_french_is_the_patients_language(followed, report_day) -> None:
    french = dataclasses.replace(followed, patient=dataclasses.replace(followed.patient, language="fr"))
    text = " ".join(text_of(patient_pdf(french, generated_at=report_day)).split())
    for expected in ("Résultats rapportés par le patient", "Avant l’opération", "66 ans", "Femme",
                     "15 mars 2024, droit, voie latérale transiliaque", "en retard (+9 j)", "manquant",
                     "Page 1 sur 1", "Généré le 20 janv. 2025 16:45", "27,4", "Satisfait(e)", "55 %",
                     "Mois depuis l’opération", "Indice d’incapacité d’Oswestry"):
        assert expected in text, expected
    assert "missing" not in text
    english = text_of(patient_pdf(french, generated_at=report_day, language="en"))
    assert "Before surgery" in english.replace("\n", " ") and "27.4" in english
    spanish = dataclasses.replace(followed, patient=dataclasses.replace(followed.patient, language="es"))
    assert "Page 1 of 1" in text_of(patient_pdf(spanish, generated_at=report_day))


@pytest.mark.parametrize(("size", "box"), [
    ("a4", (595.28, 841.89)), ("letter", (612.0, 792.0)), ("Letter", (612, 792)),
])
def test_page_sizes(followed, size: str, box: tuple[float, float]) -> None:
    for pdf in (patient_pdf(followed, generated_at=WHEN, size=size),
                cohort_pdf(cohort_summary([followed]), generated_at=WHEN, size=size)):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        for page in reader.pages:
            assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(box, abs=0.01)


def test_bad_settings_are_refused(followed) -> None:
    with pytest.raises(UserError, match="page size 'a5'"):
        patient_pdf(followed, generated_at=WHEN, size="a5")
    with pytest.raises(UserError, match="language 'de'"):
        patient_pdf(followed, generated_at=WHEN, language="de")


def test_a_patient_without_surgery_or_answers_still_gets_a_page() -> None:
    bare = patient(9, {}, sex=None, birth_date=None)
    bare = dataclasses.replace(bare, index_procedure=None)
    text = text_of(patient_pdf(bare, generated_at=WHEN))
    assert "no index surgery recorded" in text and "unknown" in text and "no answer yet" in text


def test_same_input_gives_the_same_bytes_in_another_process(followed, report_day, tmp_path) -> None:
    first = patient_pdf(followed, generated_at=report_day)
    assert patient_pdf(followed, generated_at=report_day) == first
    assert patient_pdf(followed, generated_at=report_day + dt.timedelta(minutes=1)) != first
    script = (
        "import datetime as dt, sys\n"
        "from sijpro.reports import patient_pdf\n"
        "from tests.test_reports_pdf import course\n"
        "from tests.outcome_builders import patient\n"
        "p = patient(7, course(), surgery=dt.date(2024, 3, 15), given_name='Élodie', family_name='Martin', "
        "birth_date=dt.date(1958, 2, 1))\n"
        "sys.stdout.buffer.write(patient_pdf(p, generated_at=dt.datetime(2025, 1, 20, 16, 45)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, check=True)
    assert result.stdout == first
    summary = cohort_summary(seed_003_cohort())
    assert cohort_pdf(summary, generated_at=WHEN) == cohort_pdf(cohort_summary(seed_003_cohort()), generated_at=WHEN)


def test_cohort_pdf_reproduces_seed_000() -> None:
    summary = cohort_summary(seed_000_cohort())
    text = " ".join(text_of(cohort_pdf(summary, generated_at=WHEN, clinic="CHU")).split())
    for expected in (
        "54 patients",
        "Low back pain (NRS) went from 8.4 (7–10) before surgery to 5.2 (0–8) at last follow-up, "
        "a reduction of 38% of the mean (p<0.001; n=54 paired)",
        "Leg pain (NRS) went from 5.1 (2–10) before surgery to 3.0 (0–8)",
        "Oswestry Disability Index (%) went from 69.4 (52–86) before surgery to 45.6 (29–70) at last follow-up, "
        "a reduction of 34%",
        "86% of patients were satisfied or very satisfied with the surgery (n=50)",
        "Age at surgery (years) 59.0 ± 5.9 59.0 (27–88)",
        "Sex, female 41 (75.9%)", "Bilateral fusion 31 (57.4%)", "Prior lumbar surgeries 3.0 ± 0.6 3.0 (1–7)",
        "24 months 54 5.2 (0–8) 5.2 ± 0.9 54 -3.2 -38.1% -38.4% p<0.001 p<0.001 54 (100.0%)",
        "24 months 50 25 (50.0%) 18 (36.0%) 7 (14.0%) 0 (0.0%) 43 (86.0%)",
    ):
        assert expected in text, expected


def test_cohort_pdf_reproduces_seed_003_tables_and_the_fbss_subgroup() -> None:
    cohort = seed_003_cohort()
    text = " ".join(text_of(cohort_pdf(cohort_summary(cohort), generated_at=WHEN)).split())
    for expected in (
        "Patients: all patients · 111 patients",
        "Age at surgery (years) 69.8 ± 9.0", "Sex, female 60 (54.1%) Sex, male 51 (45.9%) BMI (kg/m²) 30.6 ± 6.2",
        "History of failed back surgery syndrome 51 (45.9%)", "Spinal cord stimulator (SCS) 76 (68.5%)",
        "Interspinous spacer (ISS) 39 (35.1%)", "Intrathecal pump (IDDS) 3 (2.7%)",
        "Minimally invasive lumbar decompression (MILD) 2 (1.8%)",
        "Time from SIJ fusion to last follow-up (days) 290.9 ± 195.7",
        "Overall mean (n=111) 67.6% ± 28.9%", "Greater than or equal to 30% 102 (91.9%)",
        "Greater than or equal to 50% 92 (82.9%)", "Greater than or equal to 80% 52 (46.8%)",
        "The mean time between SIJ fusion and the last follow-up was 290.9 ± 195.7 days, median",
    ):
        assert expected in text, expected
    assert "Sex, other" not in text  # nobody in seed 003 is recorded as other
    assert "Prior lumbosacral fusion – Past procedural history" in text  # not recorded: a dash, not "0"
    assert "Table 2. Patient-reported pain relief (%) at last follow-up" in text  # as the paper numbers it
    assert "Low back pain" not in text  # no NRS in seed 003: no empty table, no empty panel
    where = {"fbss": "1"}
    fbss = " ".join(text_of(cohort_pdf(cohort_summary(cohort, where=where), generated_at=WHEN)).split())
    for expected in (
        "Patients: with FBSS · 51 patients", "Overall mean (n=51) 76.5% ± 25.5%",
        "Greater than or equal to 30% 49 (96.1%)", "Greater than or equal to 50% 47 (92.2%)",
        "Greater than or equal to 80% 30 (58.8%)", "349.4 ± 233.4",
    ):
        assert expected in fbss, expected


def test_eight_centres_side_by_side_keep_every_interval_and_test_whole() -> None:
    """Seed 003's eight centres compared: narrow columns put intervals and test names on lines of their own,
    never breaking inside a number ("[26.8–73.2%]" split as "[2" and "6.8–73.2%]")."""
    text = text_of(cohort_pdf(cohort_summary(seed_003_cohort(), compare="site"), generated_at=WHEN))
    start = text.index("Comparison by site")
    table = text[start:text.index("Follow-up completeness", start)]
    intervals = [line for line in table.splitlines() if "[" in line and "CI]" not in line]
    assert len(intervals) == 8 * 3  # three relief thresholds in each of the eight centres
    assert all(re.fullmatch(r"\s*\[\d+\.\d–\d+\.\d%\]\s*", line) for line in intervals), intervals
    tests = re.findall(r"\((?:chi-square|Kruskal-Wallis)\)", table)
    assert len(tests) == 8 + 4, tests  # each baseline variable recorded and each result, every name whole


def test_cohort_pdf_in_french_and_with_nobody_selected() -> None:
    summary = cohort_summary(seed_000_cohort())
    text = " ".join(text_of(cohort_pdf(summary, generated_at=WHEN, language="fr")).split())
    assert "Douleur lombaire (échelle 0-10) : de 8,4 (7–10) avant l’opération à 5,2 (0–8) au dernier suivi, soit une " \
           "diminution de 38 % de la moyenne (p<0,001 ; n=54 appariés)" in text
    assert "86 % des patients étaient satisfaits ou très satisfaits" in text
    assert "Page 1 sur" in text
    where = {"surgery_from": "2030-01-01"}
    empty = text_of(cohort_pdf(cohort_summary(seed_000_cohort(), where=where), generated_at=WHEN))
    assert "No patient matches these filters." in empty and "operated from 1 Jan 2030" in empty


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_every_page_kind_renders(followed, report_day, tmp_path) -> None:
    files = {
        "patient_en.pdf": patient_pdf(followed, generated_at=report_day),
        "patient_fr_letter.pdf": patient_pdf(followed, generated_at=report_day, language="fr", size="letter"),
        "cohort.pdf": cohort_pdf(cohort_summary(seed_000_cohort()), generated_at=WHEN),
    }
    for name, pdf in files.items():
        (tmp_path / name).write_bytes(pdf)
        result = subprocess.run(["pdftoppm", "-r", "30", "-png", name, name[:-4]], cwd=tmp_path,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0 and not result.stderr, result.stderr
    assert len(list(tmp_path.glob("cohort-*.png"))) == len(pypdf.PdfReader(io.BytesIO(files["cohort.pdf"])).pages)



def test_table_1_adds_a_row_for_other_sex_only_when_someone_is() -> None:
    cohort = seed_003_cohort()
    first = cohort[0]
    cohort[0] = dataclasses.replace(first, patient=dataclasses.replace(first.patient, sex="X"))
    text = " ".join(text_of(cohort_pdf(cohort_summary(cohort), generated_at=WHEN)).split())
    assert "Sex, other 1 (0.9%)" in text


def test_seed_003_in_eight_centres_prints_tables_1_to_3_and_the_fbss_comparison(tmp_path) -> None:
    cohort = seed_003_cohort()
    summary = cohort_summary(cohort, compare="fbss")
    pdf = cohort_pdf(summary, generated_at=WHEN)
    text = " ".join(text_of(pdf).split())
    for expected in (
        "Age at surgery (years) 69.8 ± 9.0", "Sex, female 60 (54.1%)", "BMI (kg/m²) 30.6 ± 6.2",
        "History of failed back surgery syndrome 51 (45.9%)", "Spinal cord stimulator (SCS) 76 (68.5%)",
        "Table 2. Patient-reported pain relief (%) at last follow-up", "Overall mean (n=111) 67.6% ± 28.9%",
        "Greater than or equal to 30% 102 (91.9%)", "Greater than or equal to 80% 52 (46.8%)",
        "Comparison by failed back surgery syndrome", "without FBSS (n=60)", "with FBSS (n=51)",
    ):
        assert expected in text, expected
    fbss = summary.compare["groups"]["1"]["relief"]["last"]
    assert (round(fbss["mean"], 1), round(fbss["sd"], 1), fbss["ge30"]["n"], fbss["ge80"]["n"]) == (76.5, 25.5, 49, 30)
    assert "76.5% ± 25.5%" in text and "49 (96.1%)" in text and "30 (58.8%)" in text  # seed 003's Table 3
    sites = cohort_summary(cohort, compare="site").compare
    assert len(sites["groups"]) == 8 and sum(g["n_patients"] for g in sites["groups"].values()) == 111
    assert sites["tests"]["relief.percent.last"]["test"] == "kruskal-wallis"
    (tmp_path / "seed003.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        result = subprocess.run(["pdftoppm", "-r", "30", "-png", "seed003.pdf", "page"], cwd=tmp_path,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0 and not result.stderr
