"""REDCap's own rules, checked against what REDCap itself produced: REDCapR's test fixture of a real
longitudinal project's events (``tests/reference/redcapr_longitudinal_events.csv``, from REDCapR's
``inst/test-data/projects/longitudinal/event.csv``, MIT licence) shows the unique names REDCap generated.
Also: the identified record_id is no one's identifier, an unknown checkbox is exported as unknown, and
rows are sorted by record."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from sijpro.errors import InputErrors
from sijpro.exchange import redcap
from sijpro.exchange.subjects import prepare_export
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses

FIXTURE = Path(__file__).parent / "reference" / "redcapr_longitudinal_events.csv"
EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_event_names_are_the_ones_redcap_generates() -> None:
    rows = read(FIXTURE)
    assert len(rows) == 12
    for row in rows:
        assert redcap.event_name(row["event_name"], int(row["arm_num"])) == row["unique_event_name"], row


def test_every_timepoint_code_gives_its_own_event_name() -> None:
    assert redcap.event_name_problems(default_protocol()) == []
    colliding = SimpleNamespace(codes=("baseline", "follow_up_month_12a", "follow_up_month_12b"))
    problems = redcap.event_name_problems(colliding)  # type: ignore[arg-type]
    assert problems == ["timepoints 'follow_up_month_12a' and 'follow_up_month_12b' both become REDCap event "
                        "'follow_up_month_12_arm_1': give them codes that differ in their first 18 characters"]


def courses_with_unknowns():
    """Twelve patients (so record numbers 10-12 sort after 9), the interventions of some not known."""
    courses = make_courses(12, seed=31)
    made = []
    for index, course in enumerate(courses):
        interventions = None if index % 3 == 0 else frozenset() if index % 3 == 1 else frozenset({"SCS", "RFA"})
        made.append(dataclasses.replace(course, patient=dataclasses.replace(
            course.patient, prior_interventions=interventions)))
    return made


@pytest.fixture(scope="module", params=[False, True], ids=["identified", "deidentified"])
def exported(request, tmp_path_factory):
    courses = courses_with_unknowns()
    export = prepare_export(courses, default_protocol(), EXPORTED_AT, deidentify=request.param, key=b"k")
    directory = tmp_path_factory.mktemp("redcap")
    redcap.write_redcap_export(export, directory)
    return directory, courses, export, request.param


def test_events_leave_the_unique_name_to_redcap(exported) -> None:
    directory, *_ = exported
    events = read(directory / redcap.FILES["events"])
    assert [row["unique_event_name"] for row in events] == [""] * len(default_protocol().codes)
    mapped = {row["unique_event_name"] for row in read(directory / redcap.FILES["mapping"])}
    assert mapped == {redcap.event_name(row["event_name"], int(row["arm_num"])) for row in events}


def test_record_id_is_not_the_mrn(exported) -> None:
    directory, courses, export, deidentify = exported
    rows = read(directory / redcap.FILES["data"])
    dictionary = {row["Variable / Field Name"]: row for row in read(directory / redcap.FILES["dictionary"])}
    assert dictionary["record_id"]["Identifier?"] == ""
    mrns = {course.patient.mrn for course in courses}
    assert not {row["record_id"] for row in rows} & mrns
    if deidentify:
        assert "mrn" not in dictionary
        assert {row["record_id"] for row in rows} == {subject.subject_id for subject in export.subjects}
    else:
        assert dictionary["mrn"]["Identifier?"] == "y" and dictionary["mrn"]["Form Name"] == "patient"
        by_number = {str(course.patient.id): course.patient.mrn for course in courses}
        baseline = [row for row in rows if row["patient_complete"] == "2"]
        assert {row["record_id"]: row["mrn"] for row in baseline} == by_number


def test_rows_are_sorted_by_record_then_event(exported) -> None:
    directory, _, _, deidentify = exported
    rows = read(directory / redcap.FILES["data"])
    events = [redcap.event_name(code) for code in default_protocol().codes]

    def key(row):
        record = row["record_id"]
        return (int(record) if not deidentify else record, events.index(row["redcap_event_name"]))

    assert [key(row) for row in rows] == sorted(key(row) for row in rows)
    if not deidentify:
        assert [row["record_id"] for row in rows][-1] == "12"  # numbers as numbers: 12 after 9


def test_an_unknown_checkbox_is_exported_as_unknown(exported) -> None:
    directory, _, export, _ = exported
    dictionary = {row["Variable / Field Name"]: row for row in read(directory / redcap.FILES["dictionary"])}
    choices = redcap.choice_codes(dictionary["prior_interventions"]["Choices, Calculations, OR Slider Labels"])
    assert choices == ["scs", "iss", "idds", "mild", "rfa", "inj", "none", "unknown"]
    rows = [row for row in read(directory / redcap.FILES["data"]) if row["patient_complete"] == "2"]
    by_record = {row["record_id"]: row for row in rows}
    seen = set()
    for subject in export.subjects:
        row = by_record[subject.record_number]
        ticked = {code for code in choices if row[f"prior_interventions___{code}"] == "1"}
        assert all(row[f"prior_interventions___{code}"] in ("0", "1") for code in choices)
        if subject.prior_interventions is None:
            assert ticked == {"unknown"}
        elif subject.prior_interventions == ():
            assert ticked == {"none"}
        else:
            assert ticked == {code.lower() for code in subject.prior_interventions}
        seen.add(frozenset(ticked))
    assert {frozenset({"unknown"}), frozenset({"none"}), frozenset({"scs", "rfa"})} <= seen


def test_a_colliding_protocol_is_refused_before_anything_is_written(tmp_path: Path, monkeypatch) -> None:
    export = prepare_export(make_courses(2, seed=1), default_protocol(), EXPORTED_AT, key=b"k")
    monkeypatch.setattr(redcap, "event_name_problems", lambda protocol: ["timepoints collide"])
    with pytest.raises(InputErrors, match="timepoints collide"):
        redcap.write_redcap_export(export, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("codes", "text"), [(None, ""), (frozenset(), "none"), (frozenset({"RFA", "SCS"}), "SCS;RFA"),
                                             (frozenset({"XYZ"}), "XYZ")])
def test_interventions_are_written_as_stored_and_read_back(codes, text: str) -> None:
    """Not known, none, codes in their fixed order; a stray code from a direct edit is kept, never 'none'."""
    from sijpro.records import interventions_from_text, interventions_text

    assert interventions_text(codes) == text
    assert interventions_from_text(text) == codes
