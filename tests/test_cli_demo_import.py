"""``sijpro demo`` and ``sijpro import`` end to end on real databases (SQLite always, PostgreSQL when set)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sijpro.cli import main
from sijpro.demo import generate_demo_cohort
from sijpro.exchange.batch_csv import write_batch_csv
from sijpro.instruments import get_instrument
from sijpro.protocol import default_protocol
from sijpro.records import ImportBatch
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.conftest import TODAY
from tests.trusted import trusted

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def contents(url: str) -> tuple[int, int, int, int]:
    """(patients, visits, completed visits, audit events) in the database (each sign-in is an event)."""
    with trusted(url, clock=FixedClock(TODAY)) as clinic:
        cohort = clinic.outcomes.cohort()
        visits = [timepoint for course in cohort for timepoint in course.timepoints]
        completed = sum(timepoint.status == "completed" for timepoint in visits)
        return len(cohort), len(visits), completed, len(clinic.audit.events())


def test_demo_end_to_end_in_a_subprocess(tmp_path: Path, cli_as) -> None:
    database = tmp_path / "demo.sqlite"
    environment = {**os.environ, "SIJPRO_DATABASE_URL": ""}
    command = [sys.executable, "main.py", "--db", str(database), "demo", "--patients", "50", "--seed", "1",
               "--today", TODAY.isoformat()]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=120,
                          check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"demo (seed 1, as of {TODAY}): 50 patients, 300 visits (")
    # a new database has no account to sign in with: the demo fills it, and says how to make the first one
    assert done.stdout.rstrip().endswith(f"into {database}\nno account yet: add the first administrator with "
                                         "'sijpro users add NAME --role admin'")
    patients, visits, completed, events = contents(str(database))
    assert (patients, visits) == (50, 300)
    assert 100 < completed < 300 and events > 50

    cli_as(str(database), "nurse")
    environment = {**os.environ, "SIJPRO_DATABASE_URL": ""}
    due = subprocess.run([sys.executable, "main.py", "--db", str(database), "due", "--json", "--date",
                          TODAY.isoformat()], cwd=ROOT, capture_output=True, text=True, env=environment,
                         timeout=120, check=False)
    assert (due.returncode, due.stderr) == (0, "")
    worklist = json.loads(due.stdout)
    assert worklist["date"] == TODAY.isoformat()
    assert worklist["counts"]["due"] + worklist["counts"]["upcoming"] > 0
    listed = [entry for section in ("due", "overdue", "upcoming", "missed") for entry in worklist[section]]
    assert len(listed) == sum(worklist["counts"].values())
    assert all(entry["mrn"].startswith("DEMO-1-") and entry["pending"] for entry in listed)
    for entry in worklist["due"]:
        assert entry["window_start"] <= TODAY.isoformat() <= entry["window_end"]

    as_nurse = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=120,
                              check=False)
    assert (as_nurse.returncode, as_nurse.stderr) == (1, "sijpro: refused: import needs the admin role; cli-nurse "
                                                         "is signed in as nurse\n")
    cli_as(str(database))
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "SIJPRO_DATABASE_URL": ""}, timeout=120, check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == f"sijpro: the demo cohort of seed 1 is already in {database}: choose another --seed"
    assert contents(str(database))[:3] == (patients, visits, completed)


def test_demo_cohorts_of_two_seeds_add_up(database_url: str, capsys) -> None:
    for seed in (7, 8):
        status, out, err = run(capsys, "--db", database_url, "demo", "--patients", "12", "--seed", str(seed),
                               "--today", TODAY.isoformat())
        assert (status, err) == (0, ""), err
        assert f"demo (seed {seed}, as of {TODAY}): 12 patients, 72 visits" in out
    assert contents(database_url)[:2] == (24, 144)


@pytest.mark.parametrize("arguments", [["--patients", "0"], ["--patients", "many"], ["--seed", "1"],
                                       ["--patients", "3", "--today", "2024-02-30"]])
def test_demo_usage_errors_exit_2(tmp_path: Path, capsys, arguments: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(tmp_path / "x.sqlite"), "demo", *arguments])
    assert exit_.value.code == 2
    assert not (tmp_path / "x.sqlite").exists()


@pytest.fixture
def import_files(tmp_path: Path) -> tuple[ImportBatch, Path, Path]:
    batch = generate_demo_cohort(30, 11, today=TODAY)
    patients, responses = tmp_path / "patients.csv", tmp_path / "responses.csv"
    write_batch_csv(batch, patients, responses)
    return batch, patients, responses


@pytest.fixture
def empty_db(database_url: str, cli_as) -> str:
    """No patient yet; the command line signed in as an administrator (importing is theirs)."""
    Clinic.init(database_url, clock=FixedClock(TODAY))
    cli_as(database_url)
    return database_url


def test_import_loads_every_file_in_one_go(empty_db: str, import_files, capsys) -> None:
    batch, patients, responses = import_files
    status, out, err = run(capsys, "--db", empty_db, "import", str(responses), str(patients))
    assert (status, err) == (0, "")
    answers = sum(len(q.answers) for q in batch.questionnaires)
    with trusted(empty_db) as clinic:
        where = clinic.where
    assert out.strip() == (f"imported 30 patients and {len(batch.questionnaires):,} questionnaires "
                           f"({answers:,} answers) into {where}")
    patients_in, visits_in, completed, _ = contents(empty_db)
    assert (patients_in, visits_in) == (30, 180)
    answered: dict[tuple[str, str], set[str]] = {}
    for questionnaire in batch.questionnaires:
        answered.setdefault((questionnaire.mrn, questionnaire.timepoint), set()).add(questionnaire.instrument)
    wanted = {timepoint.code: set(timepoint.instruments) for timepoint in default_protocol().timepoints}
    # completed: every questionnaire of the visit is in; a visit answered in part is not
    assert completed == sum(given == wanted[timepoint] for (_, timepoint), given in answered.items())
    assert completed < len(answered)


def test_responses_for_patients_already_in_the_database(empty_db: str, import_files, capsys) -> None:
    batch, patients, responses = import_files
    assert run(capsys, "--db", empty_db, "import", str(patients))[0] == 0
    assert contents(empty_db)[2] == 0
    status, out, err = run(capsys, "--db", empty_db, "import", str(responses))
    assert (status, err) == (0, "")
    assert out.startswith(f"imported 0 patients and {len(batch.questionnaires):,} questionnaires")


def test_any_bad_line_lists_every_problem_and_imports_nothing(empty_db: str, import_files, tmp_path: Path,
                                                              capsys) -> None:
    _, patients, responses = import_files
    assert run(capsys, "--db", empty_db, "import", str(patients))[0] == 0
    before = contents(empty_db)
    extra = tmp_path / "more.csv"
    extra.write_text(
        "mrn,surgery_date,sex,bmi\n"
        "NEW-1,2024-01-10,F,31.2\n"
        "NEW-2,2024-13-10,Q,31.2\n"
        "DEMO-11-00001,2024-01-10,M,\n", encoding="utf-8")
    lines = responses.read_text(encoding="utf-8").splitlines()
    _, _, instrument, item, _, completed_on = lines[5].split(",")
    lines[5] = ",".join([*lines[5].split(",")[:4], "99", completed_on])
    wrong_value = get_instrument(instrument).item(item).problem_with(99)
    lines.append("NOBODY,w6,nrs,lumbar,3,2024-01-01")
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")

    status, out, err = run(capsys, "--db", empty_db, "import", str(extra), str(responses))
    assert (status, out) == (1, "")
    assert err.splitlines() == [
        "more.csv, line 3, field surgery_date: 2024-13-10 is not a real date",
        "more.csv, line 3, field sex: 'Q' is not one of F, M, X",
        "more.csv, line 4, field mrn: patient DEMO-11-00001 is already in the database",
        f"responses.csv, line 6, field value: {wrong_value}",
        f"responses.csv, line {len(lines)}, field mrn: patient NOBODY is neither in a patients file of this "
        "import nor in the database",
        "sijpro: 5 problems; nothing was imported",
    ]
    assert contents(empty_db)[:3] == before[:3]  # the trail records only the sign-in


def test_a_problem_found_by_the_loader_names_the_line_too(empty_db: str, import_files, capsys) -> None:
    batch, patients, responses = import_files
    assert run(capsys, "--db", empty_db, "import", str(patients), str(responses))[0] == 0
    before = contents(empty_db)
    status, _, err = run(capsys, "--db", empty_db, "import", str(responses))
    assert status == 1
    problems = err.splitlines()
    assert problems[-1] == f"sijpro: {len(batch.questionnaires)} problems; nothing was imported"
    assert problems[0].startswith("responses.csv, line 2, questionnaire ")
    assert problems[0].endswith("this questionnaire is already recorded (in the database or earlier in the import)")
    assert contents(empty_db)[:3] == before[:3]  # the trail records only the sign-in


def test_import_needs_an_initialised_database_and_readable_files(tmp_path: Path, import_files, capsys) -> None:
    _, patients, _ = import_files
    missing = tmp_path / "none.sqlite"
    status, _, err = run(capsys, "--db", str(missing), "import", str(patients))
    assert status == 1 and "run 'sijpro init'" in err
    assert not missing.exists()


def test_registered_mrns_in_one_query_per_chunk(clinic: Clinic) -> None:
    clinic.imports.load(generate_demo_cohort(5, 2, today=dt.date(2024, 6, 1)))
    assert clinic.patients.registered([" DEMO-2-00001", "DEMO-2-00005", "DEMO-2-00006", "X"]) == {
        "DEMO-2-00001", "DEMO-2-00005"}
    assert clinic.patients.registered([]) == frozenset()
