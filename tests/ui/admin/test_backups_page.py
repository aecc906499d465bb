"""Backups from the admin page: a backup written and checked, then restored over later changes (after a
confirmation, the replaced database kept); a damaged file refused with the database untouched; the policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sijpro.records import PatientDraft
from sijpro.services import backups
from sijpro.services.clinic import Clinic
from sijpro.services.maintenance import verify
from tests.conftest import POSTGRES_URL
from tests.factories import operated_patient
from tests.test_safety import worker
from tests.test_server_lock import Lines, stop
from tests.trusted import trusted
from tests.ui.background import click_and_finish, finish_tasks
from tests.ui.clinic_setup import cheap_hashing
from tests.ui.demo_clinic import PASSWORD
from tests.ui.staff.clicks import click_row
from ui.i18n import set_language
from ui.staff.admin import backups as backups_page
from ui.staff.admin.backups import BackupsPage

pytestmark = pytest.mark.gui


@pytest.fixture
def page(shown_page):
    return shown_page(BackupsPage)


def test_backup_then_restore_round_trip(page, qtbot, tmp_path: Path, monkeypatch, dialogs) -> None:
    target = tmp_path / "usb" / "before-changes.sqlite"
    target.parent.mkdir()
    monkeypatch.setattr(backups_page, "ask_save_path", lambda parent, title, suggested, kind: target)
    click_and_finish(qtbot, page.buttons["backup"])
    assert page.last_backup == target
    assert page.result.text() == f"Backup written to {target} and checked: 80 patients, audit trail intact, no fault."
    assert backups.check_backup(target).ok

    late = page.clinic.patients.register(PatientDraft("LATE-1", "Tardif", "Jean"))
    assert page.clinic.patients.by_mrn("LATE-1") is not None
    restored = []
    page.database_restored.connect(lambda: restored.append(True))

    dialogs.answer = False
    page.restore(target)
    finish_tasks(qtbot)
    assert page.restored is None  # checked, then the admin said no
    assert "passed every check (80 patients" in dialogs.texts("question")[-1]
    assert page.clinic.patients.by_mrn("LATE-1") is not None and restored == []

    dialogs.answer = True
    page.restore(target)
    finish_tasks(qtbot)
    assert page.restored is not None
    assert restored == [True]
    assert page.clinic.patients.by_mrn("LATE-1") is None  # the clinic reads the restored file at once
    assert page.clinic.patients.by_mrn(page.clinic.outcomes.cohort()[0].patient.mrn) is not None
    assert page.result.text().startswith(f"Restored {target}: 80 patients. The database replaced was kept as ")
    kept = [page.model.record(row) for row in range(page.model.rowCount())]
    assert [item.reason for item in kept] == ["before-restore"]
    assert page.model.data(page.model.index(0, 1)) == "before a restore"
    with trusted(str(kept[0].path)) as previous:  # the replaced database, whole
        assert previous.patients.by_mrn("LATE-1").id == late.id


def test_a_damaged_backup_is_refused_and_nothing_changes(page, qtbot, tmp_path: Path, dialogs) -> None:
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    page.clinic.patients.register(PatientDraft("KEEP-1", "Garde", "Anne"))
    page.restore(damaged)
    finish_tasks(qtbot)
    assert page.restored is None
    assert page.result.text().startswith(f"{damaged} was not restored and the database is unchanged:")
    assert page.result.property("role") == "error"
    assert dialogs.texts("question") == []  # never asked: the check failed first
    assert page.clinic.patients.by_mrn("KEEP-1") is not None


def test_restoring_the_selected_automatic_backup(page, qtbot, dialogs, qtmodeltester) -> None:
    path = backups.auto_backup(page.clinic, reason="daily")
    page.clinic.patients.register(PatientDraft("LATE-2", "Tardif", "Paul"))
    page.refresh()
    qtmodeltester.check(page.model)
    assert page.model.data(page.model.index(0, 3)) == path.name
    assert not page.buttons["restore_selected"].isEnabled()
    click_row(page.table, 0)
    assert page.buttons["restore_selected"].isEnabled()
    click_and_finish(qtbot, page.buttons["restore_selected"])
    assert page.restored is not None
    assert page.clinic.patients.by_mrn("LATE-2") is None


def test_policy_is_saved_and_audited(page) -> None:
    page.keep.setValue(3)
    page.daily.setChecked(False)
    page.save_settings_button.click()
    assert backups.load_settings(page.clinic) == backups.BackupSettings(keep=3, folder="", on_close=True, daily=False)
    assert page.result.text().startswith("The backup settings are saved")
    changed = {e.field for e in page.clinic.audit.events(entity="setting", actor="ada")}
    assert changed == {"backup.keep", "backup.daily"}
    page.folder.setText("relative/folder")
    assert page.save_settings() is None
    assert "is not an absolute path" in page.result.text()


def test_french(page) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Sauvegardes"
    assert page.buttons["backup"].text() == "Sauvegarder maintenant…"
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Prise le"
    backups.auto_backup(page.clinic, reason="daily")
    page.refresh()
    assert page.model.data(page.model.index(0, 2)).endswith(" Mo") and "," in page.model.data(page.model.index(0, 2))
    assert page.where.text().startswith("Base de données\u00a0:")


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")
def test_a_server_database_is_backed_up_and_restored_from_the_page(postgres_url: str, qtbot, tmp_path: Path,
                                                                    monkeypatch, dialogs) -> None:
    """On PostgreSQL: the backup is a checked file; the restore is refused while a kiosk process holds the
    database, naming it, and goes through once that process is gone (the desk's own lock is no obstacle)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the user's folder, for the copy kept
    Clinic.init(postgres_url)
    with trusted(postgres_url, "ada") as clinic, cheap_hashing():
        clinic.auth.add_user("ada", "Ada Admin", "admin", PASSWORD)
        operated_patient(clinic, "EARLY-1")
    clinic = Clinic.open(postgres_url)
    try:
        with cheap_hashing():
            ada = clinic.sign_in("ada", PASSWORD)
        page = BackupsPage(ada, ada.user)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitExposed(page)
        page.refresh()
        assert "no folder yet" in page.where.text() and page.buttons["restore_file"].isEnabled()
        target = tmp_path / "server.sqlite"
        monkeypatch.setattr(backups_page, "ask_save_path", lambda parent, title, suggested, kind: target)
        monkeypatch.setattr(backups_page, "ask_open_path", lambda parent, title, folder, kind: target)
        click_and_finish(qtbot, page.buttons["backup"])
        assert page.result.text().startswith(f"Backup written to {target} and checked: 1 patient")
        ada.patients.register(PatientDraft("LATE-1", "Tardif", "Jean"))
        dialogs.answer = True
        kiosk = worker("hold_open", postgres_url, "60")
        try:
            Lines(kiosk).expect("open")
            click_and_finish(qtbot, page.buttons["restore_file"])
            assert "1 other SIJ-PRO program has" in page.result.text() and "SIJ-PRO pid" in page.result.text()
            assert ada.patients.by_mrn("LATE-1") is not None
        finally:
            stop(kiosk)

        def restored() -> bool:
            page.restore(target)
            finish_tasks(qtbot)
            return page.restored is not None

        qtbot.waitUntil(restored, timeout=20_000)  # once the server has seen it go
        assert ada.patients.by_mrn("LATE-1") is None and ada.patients.by_mrn("EARLY-1") is not None
        assert page.model.rowCount() == 0  # no automatic backup folder is set for the server: none listed
        kept = list((tmp_path / "data" / "sijpro" / "backups").glob("*-before-restore.sqlite"))
        assert len(kept) == 1 and f"The database replaced was kept as {kept[0]}" in page.result.text()
        with trusted(str(kept[0])) as previous:  # the server's database as it was, whole, in one file
            assert previous.patients.by_mrn("LATE-1") is not None and verify(previous) == []
    finally:
        clinic.close()
