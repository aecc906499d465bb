"""The paper pack's cover letter carries the visit's invitation to answer at home when the clinic runs the
web app: the web app's address shown plainly and the short code, read back from the real PDF (pypdf),
open the patient's door; the code is the one the visit's e-mail carried days before (one invitation per
visit across the rungs of the ladder), the same when the day's letters are written again, and in French
for a French patient; without a web address the letter is as before and no invitation is issued."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.services.invitations import WebDoor
from tests.reminder_clinic import DAY
from tests.test_remind_at_home import CODE, LINK, WEB, flat, send
from tests.test_remind_send import Inbox, smtp_server  # noqa: F401  # the SMTP server fixture
from tests.trusted import trusted


def letters(path: Path, folder: Path, day: dt.date) -> None:
    """The day's letters as ``remind --letters`` writes them, on a clinic whose clock reads ``day`` (an
    invitation is issued for a visit open on the clock's day)."""
    with trusted(str(path), "nina", clock=FixedClock(day)) as clinic:
        clinic.letters.write(folder, day)


def cover(pdf: Path) -> str:
    return flat(PdfReader(pdf).pages[0].extract_text())


def look(clinic_path: Path, day: dt.date, code: str) -> tuple[str, str]:
    clock = FixedClock(day)
    with Clinic.open(str(clinic_path), clock=clock) as opened:
        state = WebDoor(opened.database, clock).look(code)
        return state.status, state.language


def test_the_cover_letter_gives_the_visits_code_to_answer_at_home(clinic_path, tmp_path, monkeypatch,
                                                                  smtp_server) -> None:  # noqa: F811
    monkeypatch.setenv("SIJPRO_WEB_URL", WEB + "/")
    letters(clinic_path, tmp_path / "post", DAY)
    english = cover(tmp_path / "post" / "R-15-m3.pdf")
    found = re.search(r"You can also answer at home on your phone or computer: go to (\S+) and type the code "
                      r"(\S+) \(until (\d+ \w+ \d{4})\)\.", english)
    assert found is not None, english
    assert found.group(1) == WEB and LINK.search(english) is None  # the start page, plainly; not the token link
    code = found.group(2)
    assert CODE.fullmatch(code) and look(clinic_path, DAY, code) == ("needs_birth_date", "en")
    before = (tmp_path / "post" / "R-15-m3.pdf").read_bytes()
    letters(clinic_path, tmp_path / "post", DAY)  # written again the same day
    assert (tmp_path / "post" / "R-15-m3.pdf").read_bytes() == before

    # R-8 is e-mailed on DAY and sent a letter six days later: the letter gives the e-mail's code
    inbox = Inbox()
    send(clinic_path, smtp_server(inbox), DAY)
    (mail,) = [message for message in inbox.messages if str(message["To"]) == "r-8@example.org"]
    mailed = CODE.search(mail.get_content())
    assert mailed is not None
    later = DAY + dt.timedelta(days=6)
    letters(clinic_path, tmp_path / "later", later)
    french = cover(tmp_path / "later" / "R-8-m3.pdf")
    assert (f"Vous pouvez aussi répondre chez vous, sur votre téléphone ou votre ordinateur : allez sur {WEB} et "
            f"tapez le code {mailed.group()} (jusqu’au 6 août 2024).") in french, french
    assert look(clinic_path, later, mailed.group()) == ("needs_birth_date", "fr")
    with trusted(str(clinic_path), "check", clock=FixedClock(later)) as clinic:
        for mrn in ("R-15", "R-8"):
            patient = clinic.patients.by_mrn(mrn)
            assert [record.state for record in clinic.invitations.for_patient(patient.id)] == ["issued"], mrn


def test_without_a_web_address_the_letter_is_as_before(clinic_path, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SIJPRO_WEB_URL", raising=False)
    letters(clinic_path, tmp_path / "post", DAY)
    english = cover(tmp_path / "post" / "R-15-m3.pdf")
    assert "What to do" in english and "answer at home" not in english and CODE.search(english) is None
    with trusted(str(clinic_path), "check", clock=FixedClock(DAY)) as clinic:
        patient = clinic.patients.by_mrn("R-15")
        assert clinic.invitations.for_patient(patient.id) == []
