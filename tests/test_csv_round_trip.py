"""``export csv`` then ``import`` into a new database is a true round trip of what the clinic recorded:
contact details and consent, cancelled visits, and exactly the answers given (no item the clinic never
recorded, such as "worse" beside a relief percentage, appears as an empty answer); exporting the new
database gives the same files, but for the moment ``datapackage.json`` says it was created."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sijpro.cli import main

FILES = ("patients.csv", "responses.csv", "complications.csv", "analysis_wide.csv", "data_dictionary.csv")
RECORDED = {
    "contacts": "SELECT p.mrn, c.phone, c.phone_e164, c.email, c.address, c.channel, c.consent "
                "FROM patient_contacts c JOIN patients p ON p.id = c.id ORDER BY p.mrn",
    "visits": "SELECT p.mrn, v.timepoint, v.status, v.due_date, v.completed_on FROM visits v "
              "JOIN patients p ON p.id = v.patient_id ORDER BY p.mrn, v.seq",
    "answers": "SELECT p.mrn, v.timepoint, r.instrument, a.item, a.value FROM answers a "
               "JOIN responses r ON r.id = a.response_id JOIN visits v ON v.id = r.visit_id "
               "JOIN patients p ON p.id = v.patient_id ORDER BY 1, 2, 3, 4",
}


def _recorded(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as connection:
        return {name: connection.execute(query).fetchall() for name, query in RECORDED.items()}


def _new_clinic(path: Path, cli_as: Callable[..., str]) -> Path:
    assert main(["--db", str(path), "init"]) == 0
    cli_as(str(path))
    return path


def test_identified_csv_export_imports_back_whole(tmp_path: Path, cli_as: Callable[..., str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    first = _new_clinic(tmp_path / "first.sqlite", cli_as)
    assert main(["--db", str(first), "demo", "--patients", "40", "--seed", "5"]) == 0
    assert main(["--db", str(first), "export", "csv", "-o", str(tmp_path / "one")]) == 0
    recorded = _recorded(first)
    assert any(status == "cancelled" for _, _, status, _, _ in recorded["visits"])
    assert len(recorded["contacts"]) >= 30 and {row[6] for row in recorded["contacts"]} >= {1, None}
    assert any(instrument == "relief" and item == "percent" for _, _, instrument, item, _ in recorded["answers"])

    second = _new_clinic(tmp_path / "second.sqlite", cli_as)
    one = tmp_path / "one"
    assert main(["--db", str(second), "import", *(str(one / name) for name in FILES[:3])]) == 0
    assert _recorded(second) == recorded
    assert main(["--db", str(second), "export", "csv", "-o", str(tmp_path / "two")]) == 0
    for name in FILES:
        assert (one / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    package = [json.loads((tmp_path / folder / "datapackage.json").read_text("utf-8")) for folder in ("one", "two")]
    assert [{key: value for key, value in made.items() if key != "created"} for made in package] == \
        [{key: value for key, value in package[0].items() if key != "created"}] * 2
    header = (one / "patients.csv").read_text("utf-8").splitlines()[0].split(",")
    assert header[-6:] == ["phone", "email", "address", "contact_channel", "consent", "cancelled_visits"]
    capsys.readouterr()


def test_patients_file_consent_and_cancelled_visits_are_checked(tmp_path: Path, cli_as: Callable[..., str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = _new_clinic(tmp_path / "clinic.sqlite", cli_as)
    capsys.readouterr()
    patients = tmp_path / "patients.csv"
    patients.write_text("mrn,surgery_date,consent,cancelled_visits\nA-1,2024-01-10,yes,m12\n"
                        "A-2,2024-01-10,1,m12;m99\nA-3,2024-01-10,0,m24;m12\n", encoding="utf-8")
    assert main(["--db", str(db), "import", str(patients)]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "consent" in err and "'yes' is not 0 (no) or 1 (yes)" in err
    assert "line 3" in err and "cancelled_visits" in err and "'m99' is not a timepoint" in err
    assert "line 4" not in err
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM patients").fetchone() == (0,)
    patients.write_text("mrn,surgery_date,consent,cancelled_visits\nA-3,2024-01-10,0,m24;m12\n", encoding="utf-8")
    assert main(["--db", str(db), "import", str(patients)]) == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT timepoint FROM visits WHERE status = 'cancelled' ORDER BY seq").fetchall() \
            == [("m12",), ("m24",)]
        assert connection.execute("SELECT channel, consent FROM patient_contacts").fetchall() == [("", 0)]
