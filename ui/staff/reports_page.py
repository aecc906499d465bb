"""Reports and data: every patient's PDF into a folder, the exports, and (administrators) imports.

Each is slow on a big clinic, so each runs in the background with a progress dialog and Cancel
(``ui.tasks``); what it did, or why it was refused, is said plainly afterwards. Only the sections the
user's role allows are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijpro.access import Capability, can
from sijpro.errors import InputErrors
from sijpro.progress import Progress
from sijpro.records import UserRecord
from sijpro.services.session import Session
from ui.errors import problem_words
from ui.i18n import tr, tr_n
from ui.staff.inputs import ChoiceBox
from ui.staff.page import StaffPage
from ui.staff.style import heading_label
from ui.tasks import default_error, start_task

if TYPE_CHECKING:
    from sijpro.services.exports import ExportKind
    from sijpro.services.imports import ImportSummary

T = TypeVar("T")

REPORT_LANGUAGES = (("en", "staff.language.en"), ("fr", "staff.language.fr"))
EXPORT_KINDS = (("csv", "staff.reports.kind_csv"), ("redcap", "staff.reports.kind_redcap"),
                ("fhir", "staff.reports.kind_fhir"))
MAX_LISTED_PROBLEMS = 30
CHOICE_WIDTH = 380


class ReportsPage(StaffPage):
    title_key = "staff.page.reports"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.clinic = clinic
        self.user = user
        self.heading = heading_label(self)
        self.pdf_box, self.pdf_text, self.pdf_button = self._section("reportsPdf", self.write_reports)
        self.pdf_language = ChoiceBox(REPORT_LANGUAGES, blank_key="staff.reports.own_language")
        self.pdf_language.setMaximumWidth(CHOICE_WIDTH)
        self._box_layout(self.pdf_box).insertWidget(1, self.pdf_language)
        self.export_box, self.export_text, self.export_button = self._section("reportsExport", self.export)
        self.export_kind = ChoiceBox(EXPORT_KINDS, value="csv")
        self.export_kind.setMaximumWidth(CHOICE_WIDTH)
        self.deidentify = QCheckBox(self)
        self.deidentify.setChecked(True)
        self._box_layout(self.export_box).insertWidget(1, self.export_kind)
        self._box_layout(self.export_box).insertWidget(2, self.deidentify)
        self.import_box, self.import_text, self.import_button = self._section("reportsImport", self.import_files)
        self.import_box.setVisible(can(user, Capability.IMPORT))
        self.export_box.setVisible(can(user, Capability.EXPORT))
        self.outcome = QLabel(self)
        self.outcome.setObjectName("reportsOutcome")
        self.outcome.setProperty("role", "notice")
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        for box in (self.pdf_box, self.export_box, self.import_box):
            layout.addWidget(box)
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        self.retranslate()

    @staticmethod
    def _box_layout(box: QGroupBox) -> QVBoxLayout:
        """The column ``_section`` gave a box (text, then the button's row)."""
        column = box.layout()
        assert isinstance(column, QVBoxLayout)
        return column

    def _section(self, name: str, action: object) -> tuple[QGroupBox, QLabel, QPushButton]:
        box = QGroupBox(self)
        box.setObjectName(name)
        text = QLabel(box)
        text.setWordWrap(True)
        button = QPushButton(box)
        button.setObjectName(f"{name}Button")
        button.clicked.connect(action)
        column = QVBoxLayout(box)
        column.addWidget(text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        column.addLayout(row)
        return box, text, button

    def retranslate(self) -> None:
        self.heading.setText(tr("staff.reports.heading"))
        self.pdf_box.setTitle(tr("staff.reports.pdf_title"))
        self.pdf_text.setText(tr("staff.reports.pdf_text"))
        self.pdf_button.setText(tr("staff.reports.pdf_button"))
        self.export_box.setTitle(tr("staff.reports.export_title"))
        self.export_text.setText(tr("staff.reports.export_text"))
        self.export_button.setText(tr("staff.reports.export_button"))
        self.deidentify.setText(tr("staff.reports.deidentify"))
        self.import_box.setTitle(tr("staff.reports.import_title"))
        self.import_text.setText(tr("staff.reports.import_text"))
        self.import_button.setText(tr("staff.reports.import_button"))

    # --- choosing where (tests replace these) --------------------------------------------------------

    def choose_folder(self, title: str) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, title)
        return Path(chosen) if chosen else None

    def choose_save_file(self, title: str, pattern: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, "", pattern)
        return Path(chosen) if chosen else None

    def choose_files(self, title: str, pattern: str) -> list[Path]:
        chosen, _ = QFileDialog.getOpenFileNames(self, title, "", pattern)
        return [Path(path) for path in chosen]

    # --- the jobs -----------------------------------------------------------------------------------

    def _run(self, label: str, work: Callable[[Progress], T], then: Callable[[T], None]) -> None:
        """Run ``work(progress)`` in the background, then ``then(result)``; a cancel or a refusal is said."""
        start_task(self, tr("staff.page.reports"), label, work, on_done=then, on_error=self._refused,
                   on_cancelled=lambda: self._say(tr("staff.reports.cancelled")))

    def _refused(self, error: Exception) -> None:
        if isinstance(error, InputErrors):
            self._show_problems(error)
        else:
            default_error(self, error)

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()

    def write_reports(self) -> None:
        folder = self.choose_folder(tr("staff.reports.pdf_title"))
        if folder is None:
            return
        from sijpro.services.file_jobs import patient_reports

        clinic, chosen = self.clinic, self.pdf_language.value()
        language = None if chosen is None else str(chosen)
        name = clinic.settings.load().name
        now = dt.datetime.now().replace(microsecond=0)

        def work(progress: Progress) -> list[Path]:
            return patient_reports(clinic, folder, generated_at=now, clinic_name=name,
                                   language=language, progress=progress)

        self._run(tr("staff.reports.pdf_progress"), work, lambda paths: self._say(
            tr_n("staff.reports.pdf_done", len(paths), count=len(paths), folder=str(folder))))

    def export(self) -> None:
        kind = cast("ExportKind", str(self.export_kind.value()))
        title = tr("staff.reports.export_title")
        target = self.choose_save_file(title, "FHIR (*.json)") if kind == "fhir" else self.choose_folder(title)
        if target is None:
            return
        exports, deidentify = self.clinic.exports, self.deidentify.isChecked()

        def work(progress: Progress) -> object:
            return exports.write(kind, target, deidentify=deidentify, progress=progress)

        self._run(tr("staff.reports.export_progress"), work,
                  lambda _written: self._say(tr("staff.reports.export_done", where=str(target))))

    def import_files(self) -> None:
        if not can(self.user, Capability.IMPORT):
            return
        paths = self.choose_files(tr("staff.reports.import_title"), "CSV (*.csv)")
        if not paths:
            return
        from sijpro.services.file_jobs import import_files

        clinic = self.clinic

        def work(progress: Progress) -> ImportSummary:
            return import_files(clinic, paths, progress)

        self._run(tr("staff.reports.import_progress"), work, lambda summary: self._say(
            tr("staff.reports.import_done", patients=tr_n("n_patients", summary.patients),
               questionnaires=tr_n("staff.reports.questionnaires", summary.questionnaires))))

    def _show_problems(self, errors: InputErrors) -> None:
        listed = [problem_words(problem) for problem in errors.problems[:MAX_LISTED_PROBLEMS]]
        more = len(errors.problems) - len(listed)
        text = "\n".join(listed) + (f"\n{tr('staff.reports.more_problems', count=more)}" if more else "")
        count = len(errors.problems)
        box = QMessageBox(QMessageBox.Icon.Warning, tr("staff.page.reports"),
                          tr_n("staff.reports.import_refused", count, count=count), parent=self)
        box.setDetailedText(text)
        box.setInformativeText("\n".join(listed[:5]))
        box.exec()
        self._say(tr_n("staff.reports.import_refused", count, count=count))
