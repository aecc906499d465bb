"""REDCap export: the project definition is self-consistent, follows REDCap's rules, and its calc fields
score exactly as SIJ-PRO does."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sijpro.exchange import redcap
from sijpro.exchange.subjects import prepare_export
from sijpro.exchange.variables import naming_problems
from sijpro.instruments import get_instrument
from sijpro.protocol import default_protocol, parse_protocol
from sijpro.scoring import score_answers
from tests.exchange_data import make_courses
from tests.redcap_logic import evaluate, referenced_fields

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def generated_event_name(row: dict[str, str]) -> str:
    """What REDCap names a new event (as REDCapR's fixtures show it: see test_redcap_rules)."""
    return re.sub(r"[^a-z0-9]", "_", row["event_name"].lower())[:18] + f"_arm_{row['arm_num']}"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module", params=[False, True], ids=["identified", "deidentified"])
def exported(request, tmp_path_factory) -> tuple[Path, bool]:
    deidentify = request.param
    directory = tmp_path_factory.mktemp("redcap")
    export = prepare_export(make_courses(15, seed=3), default_protocol(), EXPORTED_AT, deidentify=deidentify)
    redcap.write_redcap_export(export, directory)
    return directory, deidentify


def test_dictionary_has_the_standard_header_and_valid_names(exported) -> None:
    directory, _ = exported
    with (directory / redcap.FILES["dictionary"]).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == redcap.DICTIONARY_HEADER and len(rows[0]) == 18
    assert all(len(row) == 18 for row in rows)
    names = [row[0] for row in rows[1:]]
    assert names[0] == "record_id"
    assert naming_problems(names) == []
    forms = [row[1] for row in rows[1:]]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", form) for form in forms)
    # a form's fields are contiguous, as the Designer requires
    assert len({form for form in forms}) == len([f for i, f in enumerate(forms) if i == 0 or forms[i - 1] != f])


def test_every_import_column_is_a_field_of_the_dictionary(exported) -> None:
    directory, _ = exported
    dictionary = {row["Variable / Field Name"]: row for row in read(directory / redcap.FILES["dictionary"])}
    forms = {row["Form Name"] for row in dictionary.values()}
    with (directory / redcap.FILES["data"]).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:2] == ["record_id", "redcap_event_name"]
    for column in header[2:]:
        if column.endswith("_complete") and column.removesuffix("_complete") in forms:
            continue
        base, _, code = column.partition("___")
        assert base in dictionary, column
        field = dictionary[base]
        assert field["Field Type"] != "calc", f"{column}: REDCap computes calc fields itself"
        if code:
            assert field["Field Type"] == "checkbox"
            assert code in redcap.choice_codes(field["Choices, Calculations, OR Slider Labels"])


def test_values_fit_their_fields(exported) -> None:
    """Radio codes among the choices, integers in range, dates as Y-M-D, complete = 2."""
    directory, deidentify = exported
    dictionary = {row["Variable / Field Name"]: row for row in read(directory / redcap.FILES["dictionary"])}
    events = {generated_event_name(row) for row in read(directory / redcap.FILES["events"])}
    rows = read(directory / redcap.FILES["data"])
    assert rows
    checked = 0
    for row in rows:
        assert row["redcap_event_name"] in events
        for column, value in row.items():
            if not value or column in ("record_id", "redcap_event_name"):
                continue
            if column.endswith("_complete"):
                assert value == "2"
                continue
            field = dictionary[column.partition("___")[0]]
            kind, validation = field["Field Type"], field["Text Validation Type OR Show Slider Number"]
            if kind == "radio":
                assert value in redcap.choice_codes(field["Choices, Calculations, OR Slider Labels"]), column
            elif kind in ("yesno", "checkbox"):
                assert value in ("0", "1")
            elif validation == "integer":
                number = int(value)
                if field["Text Validation Min"]:
                    assert float(field["Text Validation Min"]) <= number <= float(field["Text Validation Max"])
            elif validation == "number":
                float(value)
            elif validation == "date_ymd":
                assert not deidentify
                dt.date.fromisoformat(value)
            checked += 1
    assert checked > 100


def test_mapping_forms_and_events_exist(exported) -> None:
    directory, _ = exported
    forms = {row["Form Name"] for row in read(directory / redcap.FILES["dictionary"])}
    events = read(directory / redcap.FILES["events"])
    assert all(row["unique_event_name"] == "" for row in events)  # new events: REDCap generates the name
    unique = {generated_event_name(row) for row in events}
    assert [generated_event_name(row) for row in events] == [f"{tp}_arm_1" for tp in default_protocol().codes]
    mapping = read(directory / redcap.FILES["mapping"])
    assert {row["form"] for row in mapping} == forms
    assert {row["unique_event_name"] for row in mapping} == unique
    assert ("baseline_arm_1", "sf12") in {(row["unique_event_name"], row["form"]) for row in mapping}
    assert ("w6_arm_1", "sf12") not in {(row["unique_event_name"], row["form"]) for row in mapping}
    # every form filled in the data is mapped to that event
    mapped = {(row["unique_event_name"], row["form"]) for row in mapping}
    for row in read(directory / redcap.FILES["data"]):
        for column, value in row.items():
            if column.endswith("_complete") and value:
                assert (row["redcap_event_name"], column.removesuffix("_complete")) in mapped


def test_radio_choices_parse_and_calc_fields_refer_to_existing_fields(exported) -> None:
    directory, _ = exported
    rows = read(directory / redcap.FILES["dictionary"])
    names = {row["Variable / Field Name"] for row in rows}
    calcs = 0
    for row in rows:
        choices = row["Choices, Calculations, OR Slider Labels"]
        if row["Field Type"] in ("radio", "checkbox"):
            parts = [part.strip() for part in choices.split("|")]
            codes = [part.split(",", 1)[0].strip() for part in parts]
            assert all("," in part and part.split(",", 1)[1].strip() for part in parts), row
            assert len(set(codes)) == len(codes)
            assert all(re.fullmatch(r"[A-Za-z0-9_]+", code) for code in codes)
        if row["Field Type"] == "calc":
            calcs += 1
            assert referenced_fields(choices) <= names
            assert referenced_fields(choices)
    assert calcs == 9  # NRS 2, ODI 1, SF-12 2, satisfaction 2, relief 2 (percent, worse)


def test_identifiers_are_flagged_or_absent(exported) -> None:
    directory, deidentify = exported
    rows = read(directory / redcap.FILES["dictionary"])
    flagged = {row["Variable / Field Name"] for row in rows if row["Identifier?"] == "y"}
    names = {row["Variable / Field Name"] for row in rows}
    if deidentify:
        assert flagged == set()
        assert not names & {"family_name", "given_name", "birth_date", "surgery_date", "odi_date"}
        assert {"age_at_surgery", "odi_day"} <= names
    else:
        assert {"mrn", "family_name", "given_name", "birth_date", "surgery_date", "odi_date"} <= flagged
        assert "record_id" not in flagged


def calc_expressions(protocol=None) -> dict[str, tuple[str, str, str]]:
    """score variable -> (instrument, score name, expression), and the item variables of each form."""
    fields = redcap.project_fields(protocol or default_protocol(), identified=True)
    return {field.name: (field.form, field.choices) for field in fields if field.type == "calc"}


def answers_strategy(instrument_id: str):
    instrument = get_instrument(instrument_id)
    return st.fixed_dictionaries({
        item.code: st.one_of(st.none(), st.sampled_from(item.accepted_values())) for item in instrument.items
    })


@pytest.mark.parametrize("instrument_id", ["nrs", "odi", "sf12", "satisfaction", "relief"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_calc_fields_reproduce_our_scoring(instrument_id: str, data) -> None:
    instrument = get_instrument(instrument_id)
    answers = data.draw(answers_strategy(instrument_id))
    fields = redcap.instrument_fields(instrument, default_protocol(), identified=True)
    item_fields = fields[1: 1 + len(instrument.items)]
    values = {field.name: answers[item.code] for field, item in zip(item_fields, instrument.items, strict=True)}
    expected = score_answers(instrument_id, answers).values
    calcs = [field for field in fields if field.type == "calc"]
    assert len(calcs) == len(instrument.scores)
    for field, spec in zip(calcs, instrument.scores, strict=True):
        got = evaluate(field.choices, values)
        want = expected[spec.name]
        if want is None:
            assert got is None, (field.name, answers)
        else:
            # REDCap writes the score at its stated precision, as the exports do
            assert got == round(got, spec.decimals), (field.name, answers)
            assert got == pytest.approx(want, abs=0.5 * 10 ** -spec.decimals + 1e-9), (field.name, answers)


def test_odi_calc_follows_the_protocol_missing_allowance() -> None:
    strict = default_protocol().to_mapping() | {"scoring": {"odi": {"max_missing": 0}}}
    protocol = parse_protocol(strict)
    instrument = get_instrument("odi")
    odi_field = next(f for f in redcap.instrument_fields(instrument, protocol, True) if f.type == "calc")
    one_missing = {f"odi{n}": 3 for n in range(1, 11)} | {"odi8": None}
    assert evaluate(odi_field.choices, one_missing) is None
    assert evaluate(odi_field.choices, one_missing | {"odi8": 3}) == pytest.approx(60.0)


def test_sf12_extremes_match_the_published_anchors() -> None:
    fields = {f.name: f for f in redcap.instrument_fields(get_instrument("sf12"), default_protocol(), True)}
    best = dict(zip([f"sf12_{c.lower()}" for c in get_instrument("sf12").item_codes],
                    [1, 3, 3, 2, 2, 2, 2, 1, 1, 1, 6, 5], strict=True))
    assert evaluate(fields["sf12_pcs"].choices, best) == 56.58  # 56.57706 at the stated 2 decimals
    assert evaluate(fields["sf12_mcs"].choices, best) == 60.76  # 60.75781


def test_each_subject_has_one_baseline_row_with_the_patient_form(exported) -> None:
    directory, _ = exported
    rows = read(directory / redcap.FILES["data"])
    baseline = [row for row in rows if row["redcap_event_name"] == "baseline_arm_1"]
    assert len(baseline) == 15 == len({row["record_id"] for row in rows})
    assert all(row["patient_complete"] == "2" for row in baseline)
    assert all(row["patient_complete"] == "" for row in rows if row["redcap_event_name"] != "baseline_arm_1")
    keys = [(row["record_id"], row["redcap_event_name"]) for row in rows]
    assert len(keys) == len(set(keys))
