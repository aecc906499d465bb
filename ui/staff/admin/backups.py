"""Backups: one now (checked once written), the automatic ones and their policy, and a restore that checks
the backup, asks, keeps the database it replaces, and only then replaces it.

After a restore the page's clinic reconnects to the restored file; ``database_restored`` tells the window,
which should sign the user out (the restored accounts may differ from the ones in use).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.records import UserRecord
from sijpro.reports.texts import Words
from sijpro.services import backups
from sijpro.services.backups import AutomaticBackup, BackupCheck, BackupSettings, RestoreReport
from sijpro.services.maintenance import backup
from sijpro.services.session import Session
from ui.errors import sentence
from ui.i18n import language, tr
from ui.staff.admin.messages import message_label, say
from ui.staff.files import ask_open_path, ask_save_path, documents_folder
from ui.staff.page import StaffPage
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row
from ui.tasks import default_error, start_task


def kind_text(item: AutomaticBackup) -> str:
    kind = {"close": tr("admin.backups.kind.close"), "daily": tr("admin.backups.kind.daily"),
            "before-restore": tr("admin.backups.kind.before_restore")}.get(item.reason, item.reason)
    return tr("admin.backups.kind.faulty", kind=kind) if item.faulty else kind


def size_text(item: AutomaticBackup) -> str:
    try:
        return tr("admin.backups.megabytes", size=Words(language()).number(item.path.stat().st_size / 1_000_000))
    except OSError:
        return ""


BACKUP_COLUMNS: tuple[Column[AutomaticBackup], ...] = (
    Column("admin.backups.col.taken", lambda b: b.taken_at.strftime("%Y-%m-%d %H:%M:%S"),
           sort_key=lambda b: b.taken_at),
    Column("admin.backups.col.kind", kind_text),
    Column("admin.backups.col.size", size_text),
    Column("admin.backups.col.file", lambda b: b.path.name),
)


class BackupsPage(StaffPage):
    title_key = "admin.backups.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupsPage")
        self.clinic = clinic
        self.user = user
        self.last_backup: Path | None = None
        """The copy the last "Back up now" wrote."""
        self.restored: RestoreReport | None = None
        """What the last restore put in place (None when it was refused or declined)."""
        self.database = clinic.database.file
        self.heading = heading_label(self)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.result = message_label(self, "backupResult", "notice")
        self.buttons = {name: QPushButton(self) for name in ("backup", "restore_file", "restore_selected")}
        for name, button in self.buttons.items():
            button.setObjectName(f"backups_{name}")
        self.buttons["backup"].clicked.connect(self.back_up_now)
        self.buttons["restore_file"].clicked.connect(self.restore_from_file)
        self.buttons["restore_selected"].clicked.connect(self.restore_selected)
        self.list_title = heading_label(self)
        self.model = RecordTableModel(BACKUP_COLUMNS, self)
        self.table = record_table(self.model, "backupsTable", self)
        for column, width in enumerate((170, 170, 90)):
            self.table.setColumnWidth(column, width)
        on_selection(self.table, self._enable)
        self._make_settings()
        self._lay_out()
        self.retranslate()

    def _make_settings(self) -> None:
        self.settings_box = QGroupBox(self)
        self.keep = QSpinBox(self)
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(1, backups.MAX_KEEP)
        self.on_close, self.daily = QCheckBox(self), QCheckBox(self)
        self.folder = QLineEdit(self)
        self.folder.setObjectName("backupFolder")
        self.save_settings_button = push_button(self, self.save_settings, "backupSaveSettings")
        self.setting_labels = {name: QLabel(self) for name in ("keep", "folder")}
        self.folder.setMinimumWidth(360)
        form = QFormLayout(self.settings_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.setting_labels["keep"], self.keep)
        form.addRow("", self.on_close)
        form.addRow("", self.daily)
        form.addRow(self.setting_labels["folder"], self.folder)
        form.addRow("", self.save_settings_button)

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list_title)
        left.addWidget(self.table, 1)
        right = QVBoxLayout()
        right.addWidget(self.settings_box)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.where)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addLayout(columns, 1)

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.backups.title"))
        self.buttons["backup"].setText(tr("admin.backups.backup_now"))
        self.buttons["restore_file"].setText(tr("admin.backups.restore_file"))
        self.buttons["restore_selected"].setText(tr("admin.backups.restore_selected"))
        self.list_title.setText(tr("admin.backups.automatic"))
        self.settings_box.setTitle(tr("admin.backups.policy"))
        self.setting_labels["keep"].setText(tr("admin.backups.keep"))
        self.setting_labels["folder"].setText(tr("admin.backups.folder"))
        self.on_close.setText(tr("admin.backups.on_close"))
        self.daily.setText(tr("admin.backups.daily"))
        self.folder.setPlaceholderText(tr("admin.backups.folder_default" if self.database
                                          else "admin.backups.folder_none"))
        self.save_settings_button.setText(tr("admin.backups.save_settings"))
        self.model.retranslate()
        self._show_where()

    def _show_where(self) -> None:
        folder = self.backup_folder()
        if self.database is None:
            self.where.setText(tr("admin.backups.server", where=self.clinic.where,
                                  folder=str(folder) if folder else tr("admin.backups.no_folder")))
            return
        self.where.setText(tr("admin.backups.where", database=str(self.database), folder=str(folder)))

    def backup_folder(self) -> Path | None:
        return backups.backup_folder(self.clinic, backups.load_settings(self.clinic))

    def refresh(self) -> None:
        settings = backups.load_settings(self.clinic)
        self.keep.setValue(settings.keep)
        self.on_close.setChecked(settings.on_close)
        self.daily.setChecked(settings.daily)
        self.folder.setText(settings.folder)
        folder = backups.backup_folder(self.clinic, settings)
        self.model.set_rows(list(reversed(backups.automatic_backups(folder))) if folder else [])
        self._show_where()
        self._enable()

    def _enable(self) -> None:
        self.buttons["restore_selected"].setEnabled(selected_row(self.table) is not None)

    def _passphrase(self) -> str | None:
        return self.clinic.database.passphrase

    # --- backing up -------------------------------------------------------------------------------------

    def back_up_now(self) -> None:
        """A copy where the admin chooses (a USB stick, a network folder), checked once written; said on
        the page, and the copy kept in ``last_backup``."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        suggested = (self.backup_folder() or documents_folder()) / f"sijpro-backup-{stamp}.sqlite"
        path = ask_save_path(self, tr("admin.backups.backup_now"), suggested, tr("admin.backups.filter"))
        if path is None:
            return
        passphrase = self._passphrase()

        def work(progress: object) -> BackupCheck:
            return backups.check_backup(backup(self.clinic, path), passphrase)

        def written(check: BackupCheck) -> None:
            if check.ok:
                say(self.result, tr("admin.backups.written", path=str(path), patients=check.patients), "notice")
            else:
                say(self.result, tr("admin.backups.written_faulty", path=str(path), faults=self._faults(check)),
                    "error")
            self.last_backup = path
            self.refresh()

        start_task(self, tr("admin.backups.title"), tr("admin.backups.working", path=str(path)), work,
                   on_done=written, on_error=self._refused, cancellable=False)

    def _refused(self, error: Exception) -> None:
        if isinstance(error, UserError):
            say(self.result, sentence(str(error)), "error")
        else:
            default_error(self, error)

    @staticmethod
    def _faults(check: BackupCheck) -> str:
        return "; ".join(str(fault) for fault in check.faults[:5])

    # --- restoring --------------------------------------------------------------------------------------

    def restore_selected(self) -> None:
        row = selected_row(self.table)
        if row is not None:
            self.restore(self.model.record(row).path)

    def restore_from_file(self) -> None:
        folder = self.backup_folder() or documents_folder()
        path = ask_open_path(self, tr("admin.backups.restore_file"), folder, tr("admin.backups.filter"))
        if path is not None:
            self.restore(path)

    def restore(self, source: Path) -> None:
        """Check ``source`` (in the background); if sound and confirmed, replace the database by it. What
        was restored is said, and kept in ``restored``."""
        self.restored = None
        passphrase = self._passphrase()
        start_task(self, tr("admin.backups.restore_title"), tr("admin.backups.checking", path=str(source)),
                   lambda progress: backups.check_backup(source, passphrase),
                   on_done=lambda check: self._confirm_restore(source, check), on_error=self._refused,
                   cancellable=False)

    def _confirm_restore(self, source: Path, check: BackupCheck) -> None:
        if not check.ok:
            say(self.result, tr("admin.backups.refused", path=str(source), faults=self._faults(check)), "error")
            return
        question = tr("admin.backups.confirm", path=str(source), patients=check.patients)
        if QMessageBox.question(self, tr("admin.backups.restore_title"), question) != QMessageBox.StandardButton.Yes:
            return
        passphrase, folder, database = self._passphrase(), self.backup_folder(), self.clinic.database.address
        self.clinic.database.engine.dispose()  # no connection of ours may outlive the file it points to

        def restored(report: RestoreReport) -> None:
            self.clinic.database.engine.dispose()
            self.restored = report
            kept = str(report.kept_previous) if report.kept_previous else tr("admin.backups.nothing_kept")
            say(self.result, tr("admin.backups.restored", path=str(source), patients=report.check.patients,
                                kept=kept), "notice")
            self.refresh()
            self.database_restored.emit(str(source), report.check.patients)

        def failed(error: Exception) -> None:
            self.clinic.database.engine.dispose()
            self._refused(error)

        start_task(self, tr("admin.backups.restore_title"), tr("admin.backups.restoring"),
                   lambda progress: backups.restore(database, source, passphrase=passphrase, backups_folder=folder,
                                                    progress=progress),
                   on_done=restored, on_error=failed, cancellable=False)

    # --- policy -----------------------------------------------------------------------------------------

    def save_settings(self) -> BackupSettings | None:
        wanted = BackupSettings(keep=self.keep.value(), folder=self.folder.text().strip(),
                                on_close=self.on_close.isChecked(), daily=self.daily.isChecked())
        try:
            saved = backups.save_settings(self.clinic, wanted)
        except UserError as error:
            say(self.result, sentence(str(error)), "error")
            return None
        say(self.result, tr("admin.backups.settings_saved"), "notice")
        self.refresh()
        return saved
