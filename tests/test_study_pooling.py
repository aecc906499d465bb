"""A study database pooling several centres' de-identified exports (DESIGN.md: sites; issue 17 item 1).

Three clinics, each with its own demo cohort and site code, each run ``export csv --deidentify``; a study
coordinator imports the six files into a study database of their own. Its cohort summary has every
centre's patients, and each centre's numbers (``--where site=`` and ``--compare site``) are the ones that
centre's own database gives, completeness included; the ages are top-coded at 90 as the export writes
them. A centre imported twice, or one (site, study ID) in two files, is refused naming file, line and
field, and nothing is imported.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.exchange.subjects import AGE_TOP_CODE
from sijpro.services.clinic import Clinic
from tests.conftest import TODAY
from tests.trusted import trusted

CENTRES = {"CH-A": 41, "CH-B": 42, "CH-C": 43}
PATIENTS = {"CH-A": 40, "CH-B": 25, "CH-C": 33}


def differences(own: object, pooled: object, path: str = "") -> list[str]:
    """Every place two summaries differ (numbers to 1e-9), leaving out the mixed model's estimates, which
    an optimiser gives to about 1e-8 whatever the order of the patients (compared to 1e-4 below)."""
    if isinstance(own, dict) and isinstance(pooled, dict):
        found = [f"{path}/{key}: only on one side" for key in set(own) ^ set(pooled)]
        for key in set(own) & set(pooled):
            found += differences(own[key], pooled[key], f"{path}/{key}")
        return found
    if isinstance(own, list) and isinstance(pooled, list) and len(own) == len(pooled):
        return [d for i, (a, b) in enumerate(zip(own, pooled, strict=True)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(own, int | float) and isinstance(pooled, int | float) and not isinstance(own, bool):
        return [] if math.isclose(own, pooled, rel_tol=1e-9, abs_tol=1e-9) else [f"{path}: {own} != {pooled}"]
    return [] if own == pooled else [f"{path}: {own!r} != {pooled!r}"]


def comparable(summary: dict) -> dict:
    """A summary without what differs by design: the filters echoed, the model (compared on its own), and
    the ages (top-coded at 90 in a de-identified export)."""
    kept = {key: value for key, value in summary.items() if key not in ("filters", "model", "compare")}
    kept["baseline"] = {key: value for key, value in summary["baseline"].items() if key != "age"}
    kept["lost_vs_followed"] = {key: value for key, value in summary["lost_vs_followed"].items()
                                if key != "tests"}
    for group in ("followed", "lost"):
        kept["lost_vs_followed"][group] = {key: value for key, value in summary["lost_vs_followed"][group].items()
                                           if key != "age"}
    return kept


@pytest.fixture(scope="module")
def centres(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    """site -> (its de-identified export folder, its own cohort summary as JSON)."""
    from sijpro.services.context import FixedClock

    clock = FixedClock(TODAY)
    made = {}
    for site, seed in CENTRES.items():
        root = tmp_path_factory.mktemp(site)
        url = str(root / "clinic.sqlite")
        Clinic.init(url, clock=clock)
        with trusted(url, "nurse1", clock=clock) as clinic:
            clinic.imports.load(generate_demo_cohort(PATIENTS[site], seed, today=TODAY, site=site))
            clinic.exports.write("csv", root / "export", deidentify=True)
            own = json.loads(json.dumps(clinic.cohort.summary().as_dict()))
        made[site] = (root / "export", own)
    return made


def files_of(centres: dict[str, tuple[Path, dict]], *sites: str) -> list[str]:
    return [str(centres[site][0] / name) for site in sites
            for name in ("patients.csv", "responses.csv", "complications.csv")]


def cohort_json(url: str, tmp_path: Path, *options: str) -> dict:
    out = tmp_path / "cohort.json"
    assert main(["--db", url, "report", "cohort", "-o", str(tmp_path / "cohort.pdf"), "--json", str(out),
                 *options]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def pooled_complications(url: str) -> int:
    with trusted(url) as clinic:
        return sum(len(outcomes.complications) for outcomes in clinic.outcomes.cohort())


def patient_count(url: str) -> int:
    with trusted(url) as clinic:
        return len(clinic.outcomes.cohort())


@pytest.fixture
def study(tmp_path: Path, clock, cli_as) -> str:
    """An empty study database, the command line signed in as its administrator."""
    url = str(tmp_path / "study.sqlite")
    Clinic.init(url, clock=clock)
    cli_as(url, "admin")
    return url


@pytest.fixture
def any_engine_study(database_url: str, clock, cli_as) -> str:
    """An empty study database on SQLite and on PostgreSQL."""
    Clinic.init(database_url, clock=clock)
    cli_as(database_url, "admin")
    return database_url


def test_pooled_cohort_is_the_sum_and_each_centre_is_its_own(centres, any_engine_study, tmp_path, capsys) -> None:
    study = any_engine_study
    assert main(["--db", study, "import", *files_of(centres, *CENTRES)]) == 0
    assert "imported 98 patients" in capsys.readouterr().out
    assert pooled_complications(study) > 0
    pooled = cohort_json(study, tmp_path, "--compare", "site")
    assert pooled["n_patients"] == sum(PATIENTS.values())
    groups = pooled["compare"]["groups"]
    assert sorted(groups) == sorted(CENTRES)
    chosen = cohort_json(study, tmp_path, "--where", "site=CH-B")
    for site, (_, own) in centres.items():
        for summary in (groups[site], chosen) if site == "CH-B" else (groups[site],):
            assert summary["n_patients"] == PATIENTS[site]
            assert differences(comparable(own), comparable(summary)) == [], site
            ages = own["baseline"]["age"]
            assert summary["baseline"]["age"]["n"] == ages["n"]
            assert summary["baseline"]["age"]["max"] == min(ages["max"], AGE_TOP_CODE)
            for key, model in own["model"].items():
                for timepoint, estimate in model["timepoints"].items():
                    if estimate["mean"] is not None:
                        assert summary["model"][key]["timepoints"][timepoint]["mean"] == pytest.approx(
                            estimate["mean"], abs=1e-4), (site, key, timepoint)
    completeness = groups["CH-B"]["completeness"]
    assert sum(row["not_yet_due"] for row in completeness.values()) > 0  # the data lock kept what was open
    assert sum(row["pending"] for row in completeness.values()) + sum(
        row["missed"] for row in completeness.values()) > 0


def test_a_centre_imported_twice_is_refused_and_nothing_is_added(centres, study, tmp_path, capsys) -> None:
    assert main(["--db", study, "import", *files_of(centres, "CH-A")]) == 0
    capsys.readouterr()
    assert main(["--db", study, "import", *files_of(centres, "CH-A", "CH-B")]) == 1
    errors = capsys.readouterr().err
    assert "patients.csv, line 2, field site: centre CH-A is already in this study database" in errors
    assert "nothing was imported" in errors
    assert patient_count(study) == PATIENTS["CH-A"]  # CH-B, which was fine, is not half-imported either


def test_one_site_and_study_id_in_two_files_is_refused_naming_both_lines(centres, study, tmp_path, capsys) -> None:
    export = centres["CH-C"][0]
    lines = (export / "patients.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    copy = tmp_path / "late_patients.csv"
    copy.write_text(lines[0] + lines[3], encoding="utf-8")
    study_id = lines[3].split(",", 1)[0]
    assert main(["--db", study, "import", *files_of(centres, "CH-C"), str(copy)]) == 1
    errors = capsys.readouterr().err
    assert (f"late_patients.csv, line 2, field study_id: patient CH-C/{study_id} appears twice "
            f"(also patients.csv, line 4)") in errors
    assert "late_patients.csv, line 2, field site: centre CH-C is also in patients.csv" in errors
    assert patient_count(study) == 0


def test_two_centres_exports_are_told_apart_by_their_folders(centres, study, capsys) -> None:
    """Every centre's files are called patients.csv: a problem names the one it is in by its path."""
    again = files_of(centres, "CH-A") + files_of(centres, "CH-A")
    assert main(["--db", study, "import", *again]) == 1
    errors = capsys.readouterr().err
    assert f"{centres['CH-A'][0] / 'patients.csv'}, line 2, field study_id" in errors


def test_identified_and_deidentified_patients_never_share_a_database(centres, study, tmp_path, capsys,
                                                                     cli_as) -> None:
    assert main(["--db", study, "import", *files_of(centres, "CH-B")]) == 0
    identified = tmp_path / "patients.csv"
    identified.write_text("mrn,surgery_date\nH-1,2024-01-10\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", study, "import", str(identified)]) == 1
    assert "this is a study database pooling de-identified exports" in capsys.readouterr().err
    clinic_url = str(tmp_path / "clinic.sqlite")
    Clinic.init(clinic_url)
    cli_as(clinic_url, "admin")
    assert main(["--db", clinic_url, "import", str(identified)]) == 0
    assert main(["--db", clinic_url, "import", *files_of(centres, "CH-C")]) == 1
    assert "de-identified exports are pooled in a study database of their own" in capsys.readouterr().err
    assert patient_count(clinic_url) == 1


def test_visit_states_that_contradict_the_responses_are_refused(centres, study, tmp_path, capsys) -> None:
    export = centres["CH-A"][0]
    header, *rows = (export / "patients.csv").read_text(encoding="utf-8").splitlines()
    answered = next(i for i in range(1, len(rows)) if "w6=answered" in rows[i])
    rows[answered] = rows[answered].replace("w6=answered", "w6=not_yet_due")
    rows[0] = rows[0].rsplit(",", 1)[0] + ",baseline=answered;w6=sometime"
    (tmp_path / "patients.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert main(["--db", study, "import", str(tmp_path / "patients.csv"), str(export / "responses.csv")]) == 1
    errors = capsys.readouterr().err
    assert f"line {answered + 2}, field visits: w6 is not yet due, but the responses have a questionnaire" in errors
    assert "line 2, field visits: 'w6=sometime' is not timepoint=state" in errors
    assert patient_count(study) == 0


def test_an_export_folder_given_whole_names_its_files_for_reading(centres, study, capsys) -> None:
    """``import lyon/*.csv`` also gives the analysis file and the data dictionary: each is named as a file
    for reading, not taken for another kind, and nothing is imported."""
    everything = sorted(str(path) for path in centres["CH-B"][0].glob("*.csv"))
    assert main(["--db", study, "import", *everything]) == 1
    errors = capsys.readouterr().err
    for name in ("analysis_wide.csv", "data_dictionary.csv"):
        assert f"{name}, line 1: an export's file for reading" in errors, errors
    assert "unknown column" not in errors and "cannot be imported together" not in errors
    assert patient_count(study) == 0


def test_an_export_without_site_codes_is_refused_once_per_patient(centres, study, tmp_path, capsys) -> None:
    """A clinic that kept no site code exports empty sites: each patient line says how to give one; the
    responses and complications of those patients are not each refused as well."""
    export = centres["CH-A"][0]
    for name in ("patients.csv", "responses.csv", "complications.csv"):
        (tmp_path / name).write_text((export / name).read_text(encoding="utf-8").replace(",CH-A,", ",,"),
                                     encoding="utf-8")
    files = [str(tmp_path / name) for name in ("patients.csv", "responses.csv", "complications.csv")]
    assert main(["--db", study, "import", *files]) == 1
    errors = capsys.readouterr().err
    assert "patients.csv, line 2, field site: required, but the cell is empty: a study database knows a patient " \
           "by centre and study ID" in errors
    assert "responses.csv" not in errors and f"sijpro: {PATIENTS['CH-A']} problems" in errors
