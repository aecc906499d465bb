"""The day's follow-up contacts on the desk: the reminder plan of ``sijpro remind`` (e-mails, letters,
calls, what was skipped and why, what was not delivered), with one action per step: send the day's
e-mails, write the day's letters with their paper packs into a folder (``sijpro remind --letters``),
record a call's outcome (and, when the patient answers there and then, take the answers by phone in
paper entry), open the patient. "To call" shows the calls alone: the nurse's list for the day.
"""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from sijpro.access import Capability, can
from sijpro.errors import UserError
from sijpro.mail import SMTP_URL_VARIABLE, SmtpServer
from sijpro.records import UserRecord
from sijpro.reminders import ContactAttemptRecord
from sijpro.services.clinic import Clinic
from sijpro.services.letters import LettersReport
from sijpro.services.reminders import PlanEntry, ReminderPlan, SendReport
from ui.errors import show_error
from ui.i18n import tr
from ui.staff.call_dialog import CallDialog
from ui.staff.files import ask_folder, documents_folder
from ui.staff.page import StaffPage
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import on_selection, record_table, selected_row
from ui.staff.timeline import CHANNEL_KEYS
from ui.tasks import start_task

STATUS_KEYS = {
    "no_consent": "staff.followup.skip.no_consent", "declined": "staff.followup.skip.declined",
    "no_email": "staff.followup.skip.no_email", "no_address": "staff.followup.skip.no_address",
    "no_phone": "staff.followup.skip.no_phone", "prefers_other": "staff.followup.skip.prefers_other",
    "refused": "staff.followup.undelivered.refused", "failed": "staff.followup.undelivered.failed",
    "sending": "staff.followup.undelivered.sending", "letter_sent": "staff.followup.letter_sent",
}
VIEWS = ("all", "phone")


class Row:
    """One line of the page: a step to make, skipped, or not delivered."""

    def __init__(self, entry: PlanEntry, status: str = "", attempt: ContactAttemptRecord | None = None) -> None:
        self.entry, self.status, self.attempt = entry, status, attempt

    @property
    def actionable(self) -> bool:
        return not self.status


def _status_text(row: Row) -> str:
    if not row.status:
        return tr("staff.followup.to_do")
    text = tr(STATUS_KEYS[row.status])
    return f"{text}: {row.attempt.detail}" if row.attempt is not None and row.attempt.detail else text


COLUMNS = (
    Column[Row]("staff.followup.column.channel", lambda r: tr(CHANNEL_KEYS[r.entry.step.channel])),
    Column[Row]("staff.followup.column.mrn", lambda r: r.entry.patient.mrn),
    Column[Row]("staff.followup.column.patient", lambda r: r.entry.patient.display_name),
    Column[Row]("staff.followup.column.timepoint", lambda r: r.entry.visit.timepoint),
    Column[Row]("staff.followup.column.step", lambda r: r.entry.step.step),
    Column[Row]("staff.followup.column.days_open", lambda r: str(r.entry.step.days_open),
                sort_key=lambda r: r.entry.step.days_open, numeric=True),
    Column[Row]("staff.followup.column.to", lambda r: r.entry.to.replace("\n", ", ")),
    Column[Row]("staff.followup.column.status", _status_text),
)


class FollowUpPage(StaffPage):
    title_key = "staff.page.followup"

    def __init__(self, clinic: Clinic, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followUpPage")
        self.clinic = clinic
        self.user = user
        self.plan: ReminderPlan | None = None
        self.letters_written: list[tuple[dt.date, PlanEntry]] = []
        """The letter rungs written from this page: shown as sent on their day, no longer in the plan."""
        self.heading = heading_label(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("followUpSummary")
        self.summary.setWordWrap(True)
        self.view_buttons = {view: QPushButton(self) for view in VIEWS}
        group = QButtonGroup(self)
        for view, button in self.view_buttons.items():
            button.setCheckable(True)
            button.setObjectName(f"followUpView_{view}")
            group.addButton(button)
        self.view_buttons["all"].setChecked(True)
        group.buttonToggled.connect(lambda *_: self._apply_view())
        self.model: RecordTableModel[Row] = RecordTableModel(COLUMNS, self)
        self.table = record_table(self.model, "followUpTable", self)
        self.table.doubleClicked.connect(lambda _index: self.act())
        self.send_button = push_button(self, self.send_emails, "followUpSend")
        self.letters_button = push_button(self, self.write_letters, "followUpLetters")
        # the core's Letters.write needs both: a user without them is not offered the button
        self.letters_button.setVisible(can(user, Capability.REMINDERS) and can(user, Capability.CONTACTS))
        self.call_button = push_button(self, self.record_call, "followUpCall")
        self.patient_button = push_button(self, self.show_selected_patient, "followUpPatient")
        self.refresh_button = push_button(self, self.refresh, "followUpRefresh")
        on_selection(self.table, self._selection_changed)
        self._lay_out()
        self.retranslate()
        self.refresh()

    def _lay_out(self) -> None:
        views = QHBoxLayout()
        for button in self.view_buttons.values():
            views.addWidget(button)
        views.addStretch(1)
        views.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        for button in (self.send_button, self.letters_button, self.call_button, self.patient_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addLayout(views)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

    def retranslate(self) -> None:
        self.heading.setText(tr("staff.page.followup"))
        self.view_buttons["all"].setText(tr("staff.followup.view.all"))
        self.send_button.setText(tr("staff.followup.send"))
        self.letters_button.setText(tr("staff.followup.letters"))
        self.call_button.setText(tr("staff.followup.call"))
        self.patient_button.setText(tr("staff.followup.patient"))
        self.refresh_button.setText(tr("staff.followup.refresh"))
        self.model.retranslate()
        self._show_summary()

    # --- content ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            self.plan = self.clinic.reminders.plan()
        except UserError as error:
            show_error(self, error)
            return
        rows = [Row(entry) for entry in self.plan.entries]
        rows += [Row(entry, attempt.outcome, attempt) for entry, attempt in self.plan.undelivered]
        rows += [Row(entry, entry.step.skipped or "") for entry in self.plan.skipped]
        rows += [Row(entry, "letter_sent") for day, entry in self.letters_written if day == self.plan.day]
        self.model.set_rows(rows)
        self._apply_view()
        self._show_summary()

    def _show_summary(self) -> None:
        if self.plan is None:
            return
        counts = self.plan.counts
        self.summary.setText(tr("staff.followup.summary", day=self.plan.day.isoformat(), emails=counts["email"],
                                letters=counts["post"], calls=counts["phone"], skipped=counts["skipped"],
                                undelivered=counts["undelivered"]))
        self.view_buttons["phone"].setText(tr("staff.followup.view.phone", count=counts["phone"]))
        smtp = os.environ.get(SMTP_URL_VARIABLE, "").strip()
        self.send_button.setEnabled(bool(smtp) and counts["email"] > 0)
        self.send_button.setToolTip("" if smtp else tr("staff.followup.no_smtp", variable=SMTP_URL_VARIABLE))
        self.letters_button.setEnabled(counts["post"] > 0)

    def _apply_view(self) -> None:
        calls_only = self.view_buttons["phone"].isChecked()
        self.model.set_filter((lambda row: row.entry.step.channel == "phone" and row.actionable) if calls_only
                              else None)
        self._selection_changed()

    def selected(self) -> Row | None:
        row = selected_row(self.table)
        return None if row is None else self.model.record(row)

    def _selection_changed(self) -> None:
        row = self.selected()
        self.call_button.setEnabled(row is not None and row.actionable and row.entry.step.channel == "phone")
        self.patient_button.setEnabled(row is not None)

    # --- actions ---------------------------------------------------------------------------------------

    def act(self) -> None:
        """Double-click or Enter: record a call on a call's line, else open the patient."""
        row = self.selected()
        if row is not None and row.actionable and row.entry.step.channel == "phone":
            self.record_call()
        elif row is not None:
            self.show_selected_patient()

    def show_selected_patient(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_patient.emit(row.entry.patient.id)

    def record_call(self) -> ContactAttemptRecord | None:
        row = self.selected()
        if row is None or not row.actionable or row.entry.step.channel != "phone":
            return None
        dialog = CallDialog(self.clinic, row.entry, self)
        if dialog.exec() != CallDialog.DialogCode.Accepted or dialog.saved is None:
            return None
        self.refresh()
        if dialog.saved.outcome == "reached":  # the answers are taken there and then, by phone
            self.paper_entry_requested.emit(row.entry.patient.id)
        return dialog.saved

    def send_emails(self) -> None:
        """Send the day's e-mails in the background (one call into the core), then show what happened."""
        try:
            server = SmtpServer.from_url(os.environ.get(SMTP_URL_VARIABLE, ""))
        except UserError as error:
            show_error(self, error)
            return
        self.send_button.setEnabled(False)
        start_task(self, tr("staff.followup.send"), tr("staff.followup.sending"),
                   lambda progress: self.clinic.reminders.send(server, progress=progress),
                   on_done=self._sent, on_error=self._task_failed, cancellable=False)

    def _sent(self, report: SendReport) -> None:
        self.refresh()
        self.summary.setText(tr("staff.followup.sent", sent=len(report.sent), refused=len(report.refused),
                                failed=len(report.failed) + len(report.not_tried))
                             + (f" {report.unreachable}." if report.unreachable else "") + "\n" + self.summary.text())

    def _task_failed(self, error: Exception) -> None:
        self.refresh()
        show_error(self, error if isinstance(error, UserError) else UserError(str(error)))

    def write_letters(self) -> None:
        """Write the day's letters with their paper packs into a folder the user chooses, in the background
        (one call into the core, which records each letter as a contact), then say how many and where."""
        if self.plan is None:
            return
        folder = ask_folder(self, tr("staff.followup.letters.folder"), documents_folder())
        if folder is None:
            return
        day, planned = self.plan.day, self.plan.of("post")
        self.letters_button.setEnabled(False)
        start_task(self, tr("staff.followup.letters"), tr("staff.followup.letters.writing"),
                   lambda progress: self.clinic.letters.write(folder, day, progress=progress),
                   on_done=lambda report: self._letters_written(report, day, planned),
                   on_error=self._task_failed, cancellable=False)

    def _letters_written(self, report: LettersReport, day: dt.date, planned: tuple[PlanEntry, ...]) -> None:
        written = {(letter.visit.id, letter.step) for letter in report.letters}
        self.letters_written += [(day, entry) for entry in planned if (entry.visit.id, entry.step.step) in written
                                 and (day, entry) not in self.letters_written]
        self.refresh()
        self.summary.setText(tr("staff.followup.letters.written", new=len(report.new), again=len(report.again),
                                folder=str(report.folder), batch=report.batch or "-")
                             + "\n" + self.summary.text())
