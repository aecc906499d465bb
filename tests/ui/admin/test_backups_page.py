"""Backups from the admin page: a backup written and checked, then restored over later changes (after a
confirmation, the replaced database kept); a damaged file refused with the database untouched; the policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sijpro.records import PatientDraft
from sijpro.services import backups
from tests.trusted import trusted
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
    assert page.back_up_now() == target
    assert page.result.text() == f"Backup written to {target} and checked: 80 patients, audit trail intact, no fault."
    assert backups.check_backup(target).ok

    late = page.clinic.patients.register(PatientDraft("LATE-1", "Tardif", "Jean"))
    assert page.clinic.patients.by_mrn("LATE-1") is not None
    restored = []
    page.database_restored.connect(lambda: restored.append(True))

    dialogs.answer = False
    assert page.restore(target) is False  # checked, then the admin said no
    assert "passed every check (80 patients" in dialogs.texts("question")[-1]
    assert page.clinic.patients.by_mrn("LATE-1") is not None and restored == []

    dialogs.answer = True
    assert page.restore(target) is True
    assert restored == [True]
    assert page.clinic.patients.by_mrn("LATE-1") is None  # the clinic reads the restored file at once
    assert page.clinic.patients.by_mrn(page.clinic.outcomes.cohort()[0].patient.mrn) is not None
    assert page.result.text().startswith(f"Restored {target}: 80 patients. The database replaced was kept as ")
    kept = [page.model.record(row) for row in range(page.model.rowCount())]
    assert [item.reason for item in kept] == ["before-restore"]
    assert page.model.data(page.model.index(0, 1)) == "before a restore"
    with trusted(str(kept[0].path)) as previous:  # the replaced database, whole
        assert previous.patients.by_mrn("LATE-1").id == late.id


def test_a_damaged_backup_is_refused_and_nothing_changes(page, tmp_path: Path, dialogs) -> None:
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    page.clinic.patients.register(PatientDraft("KEEP-1", "Garde", "Anne"))
    assert page.restore(damaged) is False
    assert page.result.text().startswith(f"{damaged} was not restored and the database is unchanged:")
    assert page.result.property("role") == "error"
    assert dialogs.texts("question") == []  # never asked: the check failed first
    assert page.clinic.patients.by_mrn("KEEP-1") is not None


def test_restoring_the_selected_automatic_backup(page, dialogs, qtmodeltester) -> None:
    path = backups.auto_backup(page.clinic, reason="daily")
    page.clinic.patients.register(PatientDraft("LATE-2", "Tardif", "Paul"))
    page.refresh()
    qtmodeltester.check(page.model)
    assert page.model.data(page.model.index(0, 3)) == path.name
    assert not page.buttons["restore_selected"].isEnabled()
    page.table.selectRow(0)
    assert page.buttons["restore_selected"].isEnabled()
    assert page.restore_selected() is True
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
