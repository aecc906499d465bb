"""After a backup is restored the desk says what happened: everyone signs in again, and until someone does
the title and the sign-in screen name the backup restored (not 'Signed out')."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.trusted import as_system
from tests.ui.background import finish_tasks
from tests.ui.staff.clicks import click
from ui.i18n import set_language
from ui.staff.admin import backups as backups_page

pytestmark = pytest.mark.gui


def test_the_title_and_sign_in_screen_say_the_database_was_restored(signed_in, monkeypatch, tmp_path: Path,
                                                                   qtbot) -> None:
    window = signed_in("ada")
    page = window.workspace.open_page("backups")
    target = tmp_path / "usb" / "monday.sqlite"
    target.parent.mkdir()
    monkeypatch.setattr(backups_page, "ask_save_path", lambda *args: target)
    monkeypatch.setattr(backups_page, "ask_open_path", lambda *args: target)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Yes))
    click(page.buttons["backup"])
    assert target.exists()
    click(page.buttons["restore_file"])
    finish_tasks(qtbot)
    assert window.user is None and window.stack.currentWidget() is window.login
    patients = len(as_system(window.clinic).patients.search("-", limit=500))
    assert window.login.notice.text().startswith(
        f"The database was restored from the backup monday.sqlite ({patients} patients); everyone signs in again.")
    assert window.windowTitle() == "SIJ-PRO — Clinique du Parc — restored from monday.sqlite"
    set_language("fr")
    assert window.windowTitle().endswith("restaurée depuis monday.sqlite")
    assert window.login.notice.text().startswith("La base a été restaurée depuis la sauvegarde monday.sqlite")
    set_language("en")
    from tests.ui.staff.conftest import sign_in

    sign_in(window, "ada")
    assert window.user is not None and window.windowTitle() == "SIJ-PRO — Clinique du Parc"
