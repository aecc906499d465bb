"""``sijpro remind --letters DIR``: real PDFs parsed back (pypdf), their QR codes rendered (pdftoppm) and
read (zbarimg); each letter recorded and audited once per rung, the files kept when run again the same
day; the code of every page typed back finds its visit, and a mistyped, unknown, cancelled or answered
one is refused with the reason."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from sijpro.cli import main
from sijpro.services.letters import CodeRefused
from sijpro.visit_codes import ALPHABET, BadCode, check_character, parsed, shown, visit_code
from tests.factories import ANSWERS
from tests.reminder_clinic import DAY, NURSE, NURSE_PASSWORD, lettering_clinic
from tests.trusted import trusted

PAGES_M3 = {"nrs": 1, "odi": 5, "sf12": 4, "satisfaction": 1, "relief": 1}


@pytest.fixture(scope="module")
def reminder_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lettering_clinic(tmp_path_factory.mktemp("template") / "clinic.sqlite")


def letters(capsys, monkeypatch, clinic_path: Path, folder: Path, day: dt.date = DAY) -> tuple[int, str, str]:
    monkeypatch.setenv("SIJPRO_PASSWORD", NURSE_PASSWORD)
    status = main(["--db", str(clinic_path), "remind", "--date", day.isoformat(), "--user", NURSE,
                   "--letters", str(folder)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def post_attempts(clinic_path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(clinic_path) as connection:
        return connection.execute(
            "SELECT p.mrn, a.step, a.outcome, a.by FROM contact_attempts a JOIN patients p ON p.id = a.patient_id "
            "WHERE a.channel = 'post' ORDER BY a.id").fetchall()


def qr_of(pdf: Path, page: int, tmp_path: Path) -> str:
    stem = tmp_path / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile", "-png", str(pdf),
                    str(stem)], check=True, timeout=60)
    found = subprocess.run(["zbarimg", "-q", "--raw", f"{stem}.png"], capture_output=True, text=True, timeout=60,
                           check=False)
    return found.stdout.strip()


def code_of(clinic_path: Path, mrn: str) -> str:
    with trusted(str(clinic_path)) as clinic:
        patient = clinic.patients.by_mrn(mrn)
        visit = next(v for v in clinic.schedule.timeline(patient.id) if v.timepoint == "m3")
        return visit_code(clinic.database.audit_key, visit.id)


def test_the_days_letters_are_written_recorded_once_and_read_back(clinic_path, tmp_path, capsys,
                                                                    monkeypatch) -> None:
    folder = tmp_path / "post"
    status, out, err = letters(capsys, monkeypatch, clinic_path, folder)
    assert status == 0, err
    assert out.startswith("Letters for 2024-06-03: 1 new letter(s) recorded, 0 already recorded that day")
    code = code_of(clinic_path, "R-15")
    assert shown(code) in out
    assert sorted(path.name for path in folder.iterdir()) == ["R-15-m3.pdf", "letters-2024-06-03.pdf"]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in folder.iterdir()} == {0o600}
    pack = PdfReader(folder / "R-15-m3.pdf")
    assert len(pack.pages) == 1 + sum(PAGES_M3.values())
    texts = [page.extract_text() for page in pack.pages]
    letter = texts[0]
    for words in ("Centre du Rachis", "3 quai Claude Bernard", "Jo Patient R-15", "1 rue X", "69003 Lyon",
                  "3 June 2024", "04 72 00 00 00", "What to do"):
        assert words in letter, words
    for health in ("R-15-", "MRN", "m3", "sacroiliac", "fusion", "surgery", "Oswestry", "pain"):
        assert health not in letter.replace("Patient R-15", ""), health
    assert all(shown(code) in text for text in texts)
    assert all(f"Page {number} of {len(texts)}" in text for number, text in enumerate(texts, start=1))
    assert "Pain rating scale (0 to 10)" in texts[1] and "Today's date" in texts[1]
    assert "Section 1 – Pain intensity" in texts[2] and "I have no pain at the moment" in texts[2]
    assert "Knowing what you know now" in "".join(texts)
    assert qr_of(folder / "R-15-m3.pdf", 1, tmp_path) == shown(code)
    assert qr_of(folder / "R-15-m3.pdf", 4, tmp_path) == shown(code)
    assert len(PdfReader(folder / "letters-2024-06-03.pdf").pages) == len(texts)
    assert post_attempts(clinic_path) == [("R-15", "letter", "sent", NURSE)]
    with sqlite3.connect(clinic_path) as connection:
        audited = connection.execute("SELECT new FROM audit_events WHERE entity = 'contact_attempt'").fetchall()
    assert len(audited) == 1 and '"channel": "post"' in audited[0][0].replace('":"', '": "')

    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    status, out, err = letters(capsys, monkeypatch, clinic_path, folder)
    assert status == 0, err
    assert out.startswith("Letters for 2024-06-03: 0 new letter(s) recorded, 1 already recorded that day written "
                          "again")
    assert post_attempts(clinic_path) == [("R-15", "letter", "sent", NURSE)]
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert main(["--db", str(clinic_path), "verify"]) == 0, capsys.readouterr().err


def test_a_french_patients_letter_and_questionnaires_are_in_french(clinic_path, tmp_path, capsys,
                                                                   monkeypatch) -> None:
    folder = tmp_path / "post"
    day = DAY + dt.timedelta(days=6)  # R-8's window opened 14 days before: its letter
    status, _out, err = letters(capsys, monkeypatch, clinic_path, folder, day)
    assert status == 0, err
    texts = [page.extract_text() for page in PdfReader(folder / "R-8-m3.pdf").pages]
    assert "Madame Patient R-8," in texts[0] and "Comment faire" in texts[0] and "9 juin 2024" in texts[0]
    assert "Référence" in texts[0] and "Page 1 sur" in texts[0]
    assert "Échelle numérique de la douleur" in texts[1] and "Date du jour" in texts[1]
    assert "Je n’ai pas mal actuellement" in texts[2]
    # the batch holds the day's letters in the order of the patients' names
    batch = [page.extract_text() for page in PdfReader(folder / f"letters-{day.isoformat()}.pdf").pages]
    assert len(batch) == len(texts)


def test_a_code_catches_a_typo_and_reads_what_a_person_types() -> None:
    code = visit_code(b"k" * 32, 42)
    assert len(code) == 9 and set(code) <= set(ALPHABET)
    assert parsed(shown(code).lower().replace("-", " ")) == code
    assert visit_code(b"k" * 32, 43) != code and visit_code(b"other key" * 4, 42) != code
    for position in range(9):
        for character in ALPHABET:
            if character != code[position]:
                with pytest.raises(BadCode) as caught:
                    parsed(code[:position] + character + code[position + 1:])
                assert caught.value.reason == "check"
    assert check_character("0000000O".replace("O", "0")) == check_character("00000000")
    for text, reason in (("", "empty"), ("K7Q-M4X", "length"), ("K7Q-M4X-T?9", "characters")):
        with pytest.raises(BadCode) as caught:
            parsed(text)
        assert caught.value.reason == reason


def test_the_desk_finds_the_visit_of_a_code_and_refuses_a_wrong_one(clinic_path, tmp_path, capsys,
                                                                   monkeypatch) -> None:
    assert letters(capsys, monkeypatch, clinic_path, tmp_path / "post")[0] == 0
    code = code_of(clinic_path, "R-15")
    with trusted(str(clinic_path)) as clinic:
        found = clinic.letters.lookup(shown(code).lower())
        assert (found.patient.mrn, found.visit.timepoint) == ("R-15", "m3")
        assert found.instruments == ("nrs", "odi", "sf12", "satisfaction", "relief")
        typo = code[:3] + ALPHABET[(ALPHABET.index(code[3]) + 1) % 32] + code[4:]
        for text, reason in ((typo, "check"), ("", "empty"), (code_of(clinic_path, "R-0"), "unknown")):
            with pytest.raises(CodeRefused) as caught:
                clinic.letters.lookup(text)
            assert caught.value.reason == reason and str(caught.value).startswith("field 'code': ")
        clinic.collection.enter_paper(found.visit.id, {name: dict(ANSWERS[name]) for name in found.instruments},
                                      DAY, mode="post")
        with pytest.raises(CodeRefused) as caught:
            clinic.letters.lookup(code)
        assert caught.value.reason == "completed"


def test_the_code_of_a_cancelled_visit_is_refused(clinic_path, tmp_path, capsys, monkeypatch) -> None:
    assert letters(capsys, monkeypatch, clinic_path, tmp_path / "post")[0] == 0
    code = code_of(clinic_path, "R-15")
    with sqlite3.connect(clinic_path) as connection:
        connection.execute("UPDATE visits SET status = 'cancelled' WHERE id = (SELECT visit_id FROM contact_attempts "
                           "WHERE channel = 'post')")
    with trusted(str(clinic_path)) as clinic, pytest.raises(CodeRefused) as caught:
        clinic.letters.lookup(code)
    assert caught.value.reason == "cancelled" and caught.value.timepoint == "m3"


def test_a_pack_holds_only_the_questionnaires_still_to_be_answered(clinic_path, tmp_path, capsys,
                                                                   monkeypatch) -> None:
    with trusted(str(clinic_path)) as clinic:
        patient = clinic.patients.by_mrn("R-15")
        visit = next(v for v in clinic.schedule.timeline(patient.id) if v.timepoint == "m3")
        clinic.collection.enter_paper(visit.id, {"nrs": dict(ANSWERS["nrs"])}, DAY, mode="paper")
    assert letters(capsys, monkeypatch, clinic_path, tmp_path / "post")[0] == 0
    texts = [page.extract_text() for page in PdfReader(tmp_path / "post" / "R-15-m3.pdf").pages]
    assert len(texts) == 1 + sum(PAGES_M3.values()) - PAGES_M3["nrs"]
    assert "Pain rating scale (0 to 10)" not in "".join(texts) and "Oswestry" in texts[1]


def test_the_letters_of_two_mrns_that_clean_up_alike_never_share_a_file() -> None:
    from types import SimpleNamespace

    from sijpro.services.letters import file_stem
    slashed, plain = SimpleNamespace(mrn="A/1", id=7), SimpleNamespace(mrn="A_1", id=8)
    assert file_stem(plain, "m3") == "A_1-m3"  # an MRN safe as it is keeps its plain name
    assert file_stem(slashed, "m3") == "A_1~7-m3" != file_stem(plain, "m3")
