"""The day's letters written from the desk's follow-up page: a real click on "Write the day's letters…",
the folder chooser answered, the core's one call run in the background; the PDFs parsed back (pypdf),
the letter recorded once as a contact, its row shown as sent; a folder that cannot be written is said."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from sijpro.errors import UserError
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.reminder_clinic import DAY, NURSE, lettering_clinic
from tests.ui.background import click_and_finish
from ui.staff import followup_page
from ui.staff.followup_page import FollowUpPage

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def reminder_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lettering_clinic(tmp_path_factory.mktemp("template") / "clinic.sqlite")


@pytest.fixture
def page(clinic_path: Path, qtbot):
    with Clinic.open(str(clinic_path), clock=FixedClock(DAY)) as clinic:
        session = clinic.session(NURSE)
        shown = FollowUpPage(session, session.user)
        qtbot.addWidget(shown)
        shown.resize(1300, 700)
        shown.show()
        qtbot.waitExposed(shown)
        yield shown


def letter_rows(page: FollowUpPage) -> list[tuple[str, str, str]]:
    model = page.model
    return sorted((model.record(row).entry.patient.mrn, model.record(row).status, model.index(row, 7).data())
                  for row in range(model.rowCount()) if model.record(row).entry.step.channel == "post")


def post_attempts(clinic_path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(clinic_path) as connection:
        return connection.execute(
            "SELECT p.mrn, a.step, a.outcome, a.by FROM contact_attempts a JOIN patients p ON p.id = a.patient_id "
            "WHERE a.channel = 'post' ORDER BY a.id").fetchall()


def test_the_days_letters_are_written_from_the_desk(page, clinic_path, tmp_path, monkeypatch, qtbot) -> None:
    folder = tmp_path / "post room"
    folder.mkdir()
    asked: list[str] = []

    def chooser(parent, title: str, start: Path) -> Path:
        asked.append(title)
        return folder

    monkeypatch.setattr(followup_page, "ask_folder", chooser)
    assert page.letters_button.text() == "Write the day's letters…"
    assert letter_rows(page) == [("R-15", "", "To do"), ("R-NO", "no_consent", letter_rows(page)[1][2])]

    click_and_finish(qtbot, page.letters_button)

    assert asked == ["Folder for the day's letters"]
    assert sorted(path.name for path in folder.iterdir()) == ["R-15-m3.pdf", "letters-2024-06-03.pdf"]
    letter = "\n".join(p.extract_text() for p in PdfReader(folder / "R-15-m3.pdf").pages)
    assert "Centre du Rachis" in letter
    assert len(PdfReader(folder / "letters-2024-06-03.pdf").pages) == len(PdfReader(folder / "R-15-m3.pdf").pages)
    assert post_attempts(clinic_path) == [("R-15", "letter", "sent", NURSE)]
    assert page.summary.text().startswith(
        f"Wrote 1 new letter(s) and 0 already recorded today into {folder} (for the post room: "
        "letters-2024-06-03.pdf).\n")
    assert letter_rows(page)[0] == ("R-15", "letter_sent", "Letter sent")
    assert not page.letters_button.isEnabled()  # no letter left to write today
    page.refresh()  # the row stays shown as sent
    assert letter_rows(page)[0] == ("R-15", "letter_sent", "Letter sent")


def test_a_folder_that_cannot_be_written_is_said_and_nothing_recorded(page, clinic_path, tmp_path, monkeypatch,
                                                                      qtbot) -> None:
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("taken")
    monkeypatch.setattr(followup_page, "ask_folder", lambda *args: not_a_folder)
    shown: list[BaseException] = []
    monkeypatch.setattr(followup_page, "show_error", lambda parent, error: shown.append(error))
    click_and_finish(qtbot, page.letters_button)
    assert len(shown) == 1 and isinstance(shown[0], UserError), shown
    assert post_attempts(clinic_path) == []
    assert letter_rows(page)[0] == ("R-15", "", "To do") and page.letters_button.isEnabled()

