"""Every output path of the command line is checked the same way before any work (``commands.outputs``):
a folder given for a file, or a file for a folder, exits 1 naming the option and path, writes nothing."""

from __future__ import annotations

import pytest

from sijpro.cli import main
from sijpro.services.clinic import Clinic


@pytest.fixture
def signed_in_db(tmp_path, clock, cli_as) -> str:
    url = str(tmp_path / "clinic.sqlite")
    Clinic.init(url, clock=clock)
    cli_as(url)
    return url


@pytest.mark.parametrize("command", [
    ["report", "cohort", "-o", "{dir}"],
    ["report", "patient", "MRN1", "-o", "{dir}"],
    ["report", "cohort", "-o", "{ok}", "--json", "{dir}"],
    ["export", "fhir", "-o", "{dir}"],
    ["backup", "-o", "{dir}"],
])
def test_folder_as_output_file_is_refused_before_any_work(signed_in_db, tmp_path, capsys, command) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    ok = tmp_path / "ok.pdf"
    argv = ["--db", signed_in_db, *(part.format(dir=folder, ok=ok) for part in command)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    option = command[command.index("{dir}") - 1]
    assert f"sijpro: {option} {folder}: is a folder" in err
    assert "unexpected" not in err and "crash" not in err
    assert not ok.exists() and list(folder.iterdir()) == []


def test_score_output_folder_refused(tmp_path, capsys) -> None:
    source = tmp_path / "in.csv"
    source.write_text("nrs_pain\n5\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["score", "nrs", str(source), "-o", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"sijpro: -o {folder}: is a folder" in err and "unexpected" not in err


def test_file_as_output_folder_refused(signed_in_db, tmp_path, capsys) -> None:
    existing = tmp_path / "not-a-folder"
    existing.write_text("keep me", encoding="utf-8")
    assert main(["--db", signed_in_db, "report", "all", "--out-dir", str(existing)]) == 1
    assert f"--out-dir {existing}: is a file, not a folder" in capsys.readouterr().err
    assert main(["--db", signed_in_db, "export", "csv", "-o", str(existing)]) == 1
    assert f"-o {existing}: is a file, not a folder" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_missing_parent_folder_refused(tmp_path, capsys) -> None:
    source = tmp_path / "in.csv"
    source.write_text("nrs_pain\n5\n", encoding="utf-8")
    target = tmp_path / "nowhere" / "out.csv"
    assert main(["score", "nrs", str(source), "-o", str(target)]) == 1
    assert f"-o {target}: folder {tmp_path / 'nowhere'} does not exist" in capsys.readouterr().err
