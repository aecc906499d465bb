"""The nurse's patient list: a well-behaved Qt model, searched by name or MRN without accents."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.records import PatientRecord
from ui.kiosk.backend import DuePatient
from ui.kiosk.flow import Planned
from ui.kiosk.patient_list import PATIENT_ID_ROLE, DuePatientModel, PatientFilter, folded

pytestmark = pytest.mark.gui


def due(patient_id: int, family: str, given: str, mrn: str, overdue: bool = False) -> DuePatient:
    patient = PatientRecord(id=patient_id, mrn=mrn, family_name=family, given_name=given,
                            birth_date=dt.date(1948, 5, 17))
    planned = (Planned(patient_id * 10, "nrs"), Planned(patient_id * 10, "odi"))
    return DuePatient(patient, planned, ({"en": "6 weeks", "fr": "6 semaines"},), overdue)


ROWS = [due(1, "Lefèvre", "Hélène", "A-0042"), due(2, "Martin", "Paul", "A-0107", overdue=True),
        due(3, "Smith", "Helen", "B-0001")]


def test_models_pass_the_qt_model_tester(qtmodeltester) -> None:
    model = DuePatientModel(ROWS)
    qtmodeltester.check(model)
    proxy = PatientFilter()
    proxy.setSourceModel(model)
    proxy.set_query("hel")
    qtmodeltester.check(proxy)
    model.set_rows(ROWS[:1])
    qtmodeltester.check(proxy)


def test_rows_show_name_mrn_birth_date_timepoint_and_what_is_due() -> None:
    model = DuePatientModel(ROWS)
    text = model.index(1, 0).data()
    assert text.startswith("MARTIN, Paul · MRN A-0107 · 1948-05-17")
    assert "6 weeks · overdue: Pain (NRS), Oswestry (ODI)" in text
    assert model.index(0, 0).data(PATIENT_ID_ROLE) == 1
    assert model.index(5, 0).data() is None


@pytest.mark.parametrize(("query", "expected"), [
    ("helene", [1]), ("HÉLÈNE", [1]), ("hel", [1, 3]), ("0042", [1]), ("lefevre hel", [1]), ("", [1, 2, 3]),
    ("nobody", []),
])
def test_search_ignores_accents_and_case_and_matches_every_word(query, expected) -> None:
    proxy = PatientFilter()
    proxy.setSourceModel(DuePatientModel(ROWS))
    proxy.set_query(query)
    assert [proxy.index(row, 0).data(PATIENT_ID_ROLE) for row in range(proxy.rowCount())] == expected


def test_folding() -> None:
    assert folded("Çà Œuvre") == "ca œuvre"
