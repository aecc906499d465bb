"""Complications and reoperations after surgery: recorded with every problem listed at once, corrected or
withdrawn with a reason, each step in the audit trail; ``sijpro verify`` stays clean after normal use and
names a complication edited with the ``sqlite3`` program behind the app's back."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.errors import InputErrors, UserError
from sijpro.records import ComplicationDraft
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import verify
from tests.factories import operated_patient, patient_draft
from tests.trusted import trusted

SURGERY = dt.date(2024, 1, 15)  # the fixed clock says 2024-06-03


def test_a_complication_is_recorded_corrected_and_withdrawn_with_its_reasons_audited(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    infection = clinic.complications.record(patient.id, ComplicationDraft(
        dt.date(2024, 2, 1), "wound_infection", side="left", notes="  oral antibiotics  "))
    assert (infection.kind, infection.side, infection.revision, infection.notes) == (
        "wound_infection", "left", False, "oral antibiotics")
    with pytest.raises(UserError, match="a reason is required"):
        clinic.complications.update(infection.id, {"kind": "deep_infection"}, expected_version=1, reason=" ")
    deep = clinic.complications.update(infection.id, {"kind": "deep_infection", "revision": True},
                                       expected_version=infection.row_version, reason="washout in theatre")
    assert deep.kind == "deep_infection" and deep.revision and deep.row_version == 2
    with pytest.raises(UserError, match="changed"):  # a stale copy is refused
        clinic.complications.update(infection.id, {"side": "right"}, expected_version=1, reason="side")
    mistake = clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 3, 1), "haematoma"))
    withdrawn = clinic.complications.withdraw(mistake.id, "entered on the wrong patient", expected_version=1)
    assert withdrawn.withdrawn_reason == "entered on the wrong patient"
    with pytest.raises(UserError, match="withdrawn"):
        clinic.complications.withdraw(mistake.id, "again", expected_version=withdrawn.row_version)
    assert [c.id for c in clinic.complications.for_patient(patient.id)] == [infection.id, mistake.id]
    assert [c.id for c in clinic.complications.for_patient(patient.id, withdrawn=False)] == [infection.id]
    events = clinic.audit.events(entity="complication", entity_id=infection.id)
    assert [(e.field, e.old, e.new, e.reason) for e in events if e.field] == [
        ("kind", "wound_infection", "deep_infection", "washout in theatre"),
        ("revision", False, True, "washout in theatre")]
    assert events[0].field is None and events[0].new["kind"] == "wound_infection"
    [gone] = [e for e in clinic.audit.events(entity="complication", entity_id=mistake.id) if e.field]
    assert (gone.field, gone.new, gone.reason) == ("withdrawn_reason", "entered on the wrong patient",
                                                   "entered on the wrong patient")
    assert verify(clinic) == []


def test_every_problem_of_a_complication_is_listed_and_nothing_is_written(clinic: Clinic) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    with pytest.raises(InputErrors) as refused:
        clinic.complications.record(patient.id, ComplicationDraft(
            dt.date(2024, 1, 1), "fracture", side="both", revision="yes", notes="x" * 501))  # type: ignore[arg-type]
    assert list(map(str, refused.value.problems)) == [
        "field 'occurred_on': 2024-01-01 is before the surgery on 2024-01-15",
        "field 'kind': 'fracture' is not one of " + ", ".join((
            "wound_infection", "deep_infection", "implant_malposition", "nerve_injury", "haematoma",
            "thromboembolism", "non_union", "other")),
        "field 'side': 'both' is not one of left, right, bilateral",
        "field 'revision': expected yes or no, found 'yes'",
        "field 'notes': longer than 500 characters"]
    with pytest.raises(InputErrors, match="in the future"):
        clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 6, 4), "haematoma"))
    with pytest.raises(InputErrors, match="say what the complication was"):
        clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 2, 4), "other", notes=" "))
    unoperated = clinic.patients.register(patient_draft("MRN002"), confirm_duplicate=True)
    with pytest.raises(InputErrors, match="no surgery recorded"):
        clinic.complications.record(unoperated.id, ComplicationDraft(dt.date(2024, 2, 4), "haematoma"))
    assert clinic.complications.for_patient(patient.id) == []
    assert clinic.audit.events(entity="complication") == []


def test_a_complication_edited_behind_the_apps_back_is_named_by_verify(tmp_path: Path, clock,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clinic.sqlite"
    Clinic.init(str(path), clock=clock)
    with trusted(str(path), "nina", clock=clock) as clinic:
        patient = operated_patient(clinic, surgery=SURGERY)
        clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 2, 1), "non_union", revision=True))
    assert main(["--db", str(path), "verify"]) == 0
    result = subprocess.run(["sqlite3", str(path)], input="UPDATE complications SET revision = 0;",
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    capsys.readouterr()
    assert main(["--db", str(path), "verify"]) == 1
    assert "complication 1 (row 1 of table complications)" in capsys.readouterr().err


def test_the_patient_pdf_lists_the_complications_that_stand(clinic: Clinic) -> None:
    import io

    import pypdf

    from sijpro.reports import patient_pdf

    def text_of(patient_id: int) -> str:
        pdf = patient_pdf(clinic.outcomes.patient(patient_id), generated_at=dt.datetime(2024, 6, 3, 12),
                          language="en")
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) == 1  # still the one page the surgeon goes through
        return " ".join(pages[0].extract_text().split())

    patient = operated_patient(clinic, surgery=SURGERY)
    assert "Complications and reoperations No complication recorded." in text_of(patient.id)
    clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 3, 5), "non_union", side="left",
                                                              revision=True, notes="revised with a third implant"))
    mistake = clinic.complications.record(patient.id, ComplicationDraft(dt.date(2024, 2, 1), "thromboembolism"))
    clinic.complications.withdraw(mistake.id, "another patient's", expected_version=mistake.row_version)
    text = text_of(patient.id)
    assert "5 Mar 2024 Implant loosening / non-union left Yes revised with a third implant" in text
    assert "Thromboembolism" not in text and "No complication recorded" not in text
