"""The cohort summary's ``complications`` and INSITE-style ``success``, against an independent recomputation
read with the ``sqlite3`` module from the same real SQLite file (Wilson interval by its formula)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import sqlite3
from pathlib import Path

import pypdf
import pytest

from sijpro.records import COMPLICATION_KINDS, ComplicationDraft
from sijpro.reports import cohort_pdf
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.factories import ANSWERS, operated_patient
from tests.trusted import trusted

SURGERY = dt.date(2024, 1, 15)
BASELINE_DAY, W6_DAY = dt.date(2024, 1, 8), dt.date(2024, 2, 26)
PAIN = {"P1": (8, 3), "P2": (7, 2), "P3": (6, 5), "P4": (7, None), "P5": (None, None)}
COMPLICATIONS = {
    "P2": [ComplicationDraft(dt.date(2024, 2, 10), "non_union", side="left", revision=True)],
    "P3": [ComplicationDraft(dt.date(2024, 1, 20), "wound_infection"),
           ComplicationDraft(dt.date(2024, 1, 22), "haematoma"),
           ComplicationDraft(dt.date(2024, 2, 1), "wound_infection")],
    "P4": [ComplicationDraft(dt.date(2024, 3, 1), "nerve_injury", side="left", revision=True)],
}


def wilson(count: int, of: int, z: float = 1.959963984540054) -> list[float]:
    p = count / of
    centre = (p + z * z / (2 * of)) / (1 + z * z / of)
    half = z / (1 + z * z / of) * math.sqrt(p * (1 - p) / of + z * z / (4 * of * of))
    return [(centre - half) * 100, (centre + half) * 100]


@pytest.fixture
def clinic_file(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite"
    clock = FixedClock(dt.date(2024, 6, 3))
    Clinic.init(str(path), clock=clock)
    with trusted(str(path), "nina", clock=clock) as clinic:
        for mrn, (before, after) in PAIN.items():
            patient = operated_patient(clinic, mrn, surgery=SURGERY)
            baseline, w6 = clinic.schedule.timeline(patient.id)[:2]
            for visit, pain, day in ((baseline, before, BASELINE_DAY), (w6, after, W6_DAY)):
                if pain is not None:  # the whole visit, as a clinic enters a paper pack
                    forms = {name: ANSWERS[name] for name in visit.instruments}
                    clinic.collection.enter_paper(visit.id, {**forms, "nrs": {"lumbar": pain, "radicular": 1}}, day)
            for draft in COMPLICATIONS.get(mrn, []):
                clinic.complications.record(patient.id, draft)
        p5 = next(p for p in clinic.patients.search("P5"))
        mistake = clinic.complications.record(p5.id, ComplicationDraft(dt.date(2024, 2, 1), "deep_infection",
                                                                       revision=True))
        clinic.complications.withdraw(mistake.id, "another patient's", expected_version=mistake.row_version)
    return path


def recomputed(path: Path) -> tuple[dict, dict]:
    """Complications and w6 success from the tables themselves, without any SIJ-PRO code."""
    raw = sqlite3.connect(path)
    cohort = raw.execute("SELECT count(DISTINCT patient_id) FROM procedures WHERE is_index = 1 "
                         "AND withdrawn_reason IS NULL").fetchone()[0]
    rows = raw.execute("SELECT patient_id, kind, revision, occurred_on FROM complications "
                       "WHERE withdrawn_reason IS NULL").fetchall()
    pain = {}
    for patient, timepoint, value, day in raw.execute(
            "SELECT v.patient_id, v.timepoint, s.value, v.completed_on FROM scores s JOIN responses r "
            "ON r.id = s.response_id JOIN visits v ON v.id = r.visit_id WHERE r.instrument = 'nrs' "
            "AND s.name = 'lumbar'"):
        pain[(patient, timepoint)] = (value, day)
    raw.close()

    def share(count: int) -> dict:
        return {"n": count, "pct": count / cohort * 100, "ci95": wilson(count, cohort)}

    expected = {
        "n_patients_with_any": len({r[0] for r in rows}),
        "n_events": len(rows),
        "any": share(len({r[0] for r in rows})),
        "by_kind": {kind: {**share(len({r[0] for r in rows if r[1] == kind})),
                           "events": sum(1 for r in rows if r[1] == kind)} for kind in COMPLICATION_KINDS},
        "reoperation": share(len({r[0] for r in rows if r[2]})),
    }
    judged = [(patient, pain[(patient, "baseline")][0] - value, day) for (patient, tp), (value, day) in pain.items()
              if tp == "w6" and (patient, "baseline") in pain]
    wins = sum(1 for patient, gain, day in judged if gain >= 2 and not any(
        r[0] == patient and r[2] and r[3] <= day for r in rows))
    return expected, {"n": len(judged), "n_success": wins, "pct": wins / len(judged) * 100,
                      "ci95": wilson(wins, len(judged))}


def test_complications_and_success_equal_an_independent_recomputation(clinic_file: Path) -> None:
    with trusted(str(clinic_file), clock=FixedClock(dt.date(2024, 6, 3))) as clinic:
        summary = clinic.cohort.summary().as_dict()
    expected, success = recomputed(clinic_file)
    got = summary["complications"]
    assert got.keys() == expected.keys() and got["by_kind"].keys() == expected["by_kind"].keys()
    assert (got["n_patients_with_any"], got["n_events"]) == (3, 5)  # the withdrawn one does not count
    for kind in COMPLICATION_KINDS:
        assert got["by_kind"][kind]["n"] == expected["by_kind"][kind]["n"]
        assert got["by_kind"][kind]["pct"] == pytest.approx(expected["by_kind"][kind]["pct"], abs=1e-6)
        assert got["by_kind"][kind]["events"] == expected["by_kind"][kind]["events"]
        assert got["by_kind"][kind]["ci95"] == pytest.approx(expected["by_kind"][kind]["ci95"], abs=1e-6)
    for key in ("any", "reoperation"):
        assert got[key]["n"] == expected[key]["n"]
        assert got[key]["pct"] == pytest.approx(expected[key]["pct"], abs=1e-6)
        assert got[key]["ci95"] == pytest.approx(expected[key]["ci95"], abs=1e-6)
    assert got["reoperation"]["n"] == 2 and got["by_kind"]["wound_infection"]["events"] == 2
    # P1 improved 5 points without revision; P2 improved 5 but was reoperated before w6; P3 improved 1
    assert {k: v for k, v in summary["success"]["w6"].items() if k != "ci95"} == {
        k: pytest.approx(v, abs=1e-6) for k, v in success.items() if k != "ci95"}
    assert summary["success"]["w6"]["ci95"] == pytest.approx(success["ci95"], abs=1e-6)
    assert (summary["success"]["w6"]["n"], summary["success"]["w6"]["n_success"]) == (3, 1)
    assert summary["success"]["last"]["n_success"] == 1 and summary["success"]["m3"]["n"] == 0


def test_the_cohort_pdf_prints_the_complications_as_the_json_has_them(clinic_file: Path) -> None:
    with trusted(str(clinic_file), clock=FixedClock(dt.date(2024, 6, 3))) as clinic:
        summary = clinic.cohort.summary()
    pdf = cohort_pdf(summary, generated_at=dt.datetime(2024, 6, 3, 12))
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in ("Complications and reoperations", "Any complication 3 (60.0%) [23.1–88.2%] 5",
                     "Superficial wound infection 1 (20.0%) [3.6–62.4%] 2", "Implant malposition 0 (0.0%)",
                     "Reoperation (revision) 2 (40.0%) [11.8–76.9%]", "Success: 6 weeks (n = 3) 1 (33.3%)",
                     "improved by at least 2 points without a reoperation"):
        assert expected in text, expected
    empty = cohort_pdf(dataclasses.replace(summary, complications={**summary.complications, "n_events": 0}),
                       generated_at=dt.datetime(2024, 6, 3, 12))
    assert "Complications and reoperations" not in " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(empty)).pages)
