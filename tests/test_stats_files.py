"""SPSS and Stata exports from a real database, read back: pyreadstat (ReadStat) for both, and pandas' own
Stata reader, which shares no code with the writer. One row per patient and scheduled timepoint, its visit
state by the one visit-state function, mode of collection, labels, and the three missing reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from sijpro.cli import main
from sijpro.demo.cohort import generate_demo_cohort
from sijpro.exchange.stats_files import FILES
from sijpro.instruments import get_instrument
from sijpro.services.clinic import Clinic
from sijpro.visit_state import STATE_CODES, course_states
from tests.conftest import TODAY
from tests.factories import answer_all, operated_patient
from tests.trusted import trusted


@pytest.fixture
def loaded(clinic: Clinic) -> Clinic:
    clinic.imports.load(generate_demo_cohort(12, seed=6, today=TODAY))
    patient = operated_patient(clinic, "KIOSK-1", surgery=TODAY + dt.timedelta(days=20), site="LYON-2")
    baseline = next(v for v in clinic.schedule.timeline(patient.id) if v.timepoint == "baseline")
    answer_all(clinic, baseline.id, ("nrs", "odi", "sf12"), mode="kiosk")
    return clinic


def expected_rows(clinic: Clinic) -> dict[tuple[str, str], str]:
    """(MRN, timepoint) -> visit state on the export day, straight from the database's visits."""
    found = {}
    for course in clinic.exports.courses():
        order = {code: index for index, code in enumerate(clinic.protocols.current().codes)}
        visits = sorted(course.visits, key=lambda visit: order[visit.timepoint])
        for visit, state in zip(visits, course_states(visits, TODAY), strict=True):
            found[(course.patient.mrn, visit.timepoint)] = state.code
    return found


def test_spss_file_reads_back_with_labels_states_and_missing_codes(loaded: Clinic, tmp_path: Path) -> None:
    loaded.exports.write("spss", tmp_path)
    path = tmp_path / FILES["spss"]
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    plain, _ = pyreadstat.read_sav(str(path))
    expected = expected_rows(loaded)
    assert len(frame) == len(expected)  # one row per patient and scheduled timepoint, answered or not
    timepoints = meta.variable_value_labels["timepoint"]
    states = meta.variable_value_labels["visit_state"]
    got = {(row.mrn, loaded.protocols.current().codes[int(row.timepoint) - 1]): states[row.visit_state]
           for row in frame.itertuples()}
    assert got == expected
    assert set(states.values()) >= set(STATE_CODES) and "missed" in got.values() and "completed" in got.values()
    assert timepoints[1.0] == loaded.protocols.current().timepoints[0].label["en"]
    assert meta.column_names_to_labels["odi_score"] == "Oswestry Disability Index (%)"
    assert all(meta.column_names_to_labels[name] for name in meta.column_names)
    odi1 = get_instrument("odi").items[0]
    assert meta.variable_value_labels["odi1"][0.0] == " ".join(odi1.options[0].text["en"].split())
    assert meta.variable_value_labels["sex"] == {1.0: "Female", 2.0: "Male", 3.0: "Other or not stated",
                                                  -99.0: "not administered", -98.0: "skipped", -97.0: "unknown"}
    assert {r["lo"] for r in meta.missing_ranges["odi1"]} == {-99.0, -98.0, -97.0}
    # not answered visits: not administered (-99), a user-missing value, so NaN for an analysis (a visit
    # answered in part is not completed, so only the states that never hold an answer are checked here)
    unanswered = frame[frame["visit_state"].map(states).isin({"cancelled", "scheduled", "upcoming"})]
    assert len(unanswered) and (unanswered["nrs_lumbar"] == -99).all()
    assert plain.loc[unanswered.index, "nrs_lumbar"].isna().all()
    modes = meta.variable_value_labels["mode"]
    answered = frame[frame["visit_state"].map(states) == "completed"]
    assert set(answered["mode"].map(modes)) <= {"import", "kiosk", "paper", "more than one mode"}
    kiosk = frame[frame["mrn"] == "KIOSK-1"]
    first = kiosk.iloc[0]
    assert (modes[first["mode"]], states[first["visit_state"]]) == ("kiosk", "completed")
    assert set(kiosk["site"]) == {"LYON-2"} and meta.column_names_to_labels["site"] == "Centre (site code)"
    assert set(frame["site"]) == {c.patient.site for c in loaded.exports.courses()}
    # the answers are the database's, scores at their stated precision
    courses = {c.patient.mrn: c for c in loaded.exports.courses()}
    for row in answered.itertuples():
        timepoint = loaded.protocols.current().codes[int(row.timepoint) - 1]
        response = next((q.response for q in courses[row.mrn].questionnaires
                         if q.timepoint == timepoint and q.response.instrument == "nrs"), None)
        if response is not None and response.answers.get("lumbar") is not None:
            assert row.nrs_lumbar == response.answers["lumbar"]


def test_stata_file_reads_back_in_pandas_own_reader(loaded: Clinic, tmp_path: Path) -> None:
    loaded.exports.write("stata", tmp_path, deidentify=True)
    path = tmp_path / FILES["stata"]
    with pd.io.stata.StataReader(path) as reader:
        labels = reader.variable_labels()
        value_labels = reader.value_labels()
    frame = pd.read_stata(path, convert_categoricals=False, convert_missing=True)
    expected = expected_rows(loaded)
    assert len(frame) == len(expected)
    assert "mrn" not in frame.columns and "birth_date" not in frame.columns
    assert frame["study_id"].str.match(r"S\d+").all()
    assert labels["visit_state"] == "Visit state on the day of the export"
    assert labels["sf12_pcs"] == "Physical component summary (PCS-12)"
    states = value_labels[next(name for name in value_labels if set(value_labels[name].values()) >= set(STATE_CODES))]
    assert sorted(frame["visit_state"].map(states).value_counts().to_dict()) == sorted(
        pd.Series(list(expected.values())).value_counts().to_dict())
    missing = frame["nrs_lumbar"][frame["nrs_lumbar"].map(lambda v: isinstance(v, pd.io.stata.StataMissingValue))]
    assert {value.string for value in missing} <= {".a", ".b", ".c"} and ".a" in {v.string for v in missing}
    again, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert "a" in set(again["nrs_lumbar"]) and set(meta.missing_user_values["nrs_lumbar"]) <= {"a", "b", "c"}


def test_cli_writes_both(tmp_path: Path, capsys, cli_as) -> None:
    database = tmp_path / "clinic.sqlite"
    Clinic.init(str(database))
    with trusted(str(database)) as clinic:
        clinic.imports.load(generate_demo_cohort(5, seed=2, today=TODAY))
    cli_as(str(database), "surgeon")
    for kind in ("spss", "stata"):
        assert main(["--db", str(database), "export", kind, "-o", str(tmp_path / kind)]) == 0
        assert (tmp_path / kind / FILES[kind]).stat().st_size > 1000
        assert oct((tmp_path / kind / FILES[kind]).stat().st_mode & 0o777) == "0o600"
    assert "exported 5 patients" in capsys.readouterr().out
