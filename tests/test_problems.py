"""Problems are data: the core says which field, which rule and which values; the CLI words them in
English, the desktop in the user's language by their code. Every code has words in every language."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from sijpro import i18n
from sijpro.errors import InputErrors, UserError
from sijpro.problems import WORDS, Problem
from sijpro.records import ComplicationDraft, PatientDraft, ProcedureDraft


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_code_has_words_in_every_language(language: str) -> None:
    catalogue = i18n.messages(language)
    missing = [code for code in WORDS if f"staff.problem.{code}" not in catalogue]
    assert missing == []
    for code, (english, _named) in WORDS.items():
        shown = catalogue[f"staff.problem.{code}"][0]
        assert fields(shown) <= fields(english), f"{code}: the {language} words quote a value the core never gives"


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown problem code"):
        Problem("bmi", "bmi_too_big")


def test_a_patient_with_bad_values_is_refused_with_each_problem_as_data(clinic) -> None:
    draft = PatientDraft(mrn="-K1", family_name="Dupont", given_name="Anne", birth_date=dt.date(1850, 1, 1),
                         bmi=95.0, prior_lumbar_surgeries=31, site="bad site!")
    with pytest.raises(InputErrors) as refused:
        clinic.patients.register(draft)
    assert refused.value.problems == [
        Problem("mrn", "mrn_formula"),
        Problem("birth_date", "birth_date", {"day": "1850-01-01"}),
        Problem("bmi", "bmi_range", {"value": "95.0", "low": "10", "high": "90"}),
        Problem("site", "site_code", {"value": "'bad site!'"}),
        Problem("prior_lumbar_surgeries", "count_range", {"value": "31", "high": "30"}),
    ]
    assert str(refused.value).splitlines()[2] == "field 'bmi': 95.0 is not a BMI between 10 and 90"  # the CLI's


def test_refusals_name_their_field(clinic) -> None:
    patient = clinic.patients.register(PatientDraft(mrn="AB-1", family_name="Dupont", given_name="Anne"))
    with pytest.raises(UserError) as taken:
        clinic.patients.register(PatientDraft(mrn="ab-1", family_name="Martin", given_name="Paul"))
    assert taken.value.problem == Problem("mrn", "mrn_taken_as", {"mrn": "ab-1", "held": "AB-1"})
    assert str(taken.value) == "MRN ab-1 is already registered (as AB-1)"
    clinic.procedures.record(patient.id, ProcedureDraft(surgery_date=clinic.today - dt.timedelta(days=10)))
    with pytest.raises(InputErrors) as early:
        clinic.complications.record(patient.id, ComplicationDraft(
            occurred_on=clinic.today - dt.timedelta(days=20), kind="other"))
    assert [(p.field, p.code) for p in early.value.problems] == [("occurred_on", "before_surgery"),
                                                                 ("notes", "other_needs_notes")]
    with pytest.raises(UserError) as weak:
        clinic.auth.add_user("bob", "Bob", "admin", "short")
    assert weak.value.problem == Problem("password", "password_length", {"count": "10"})
