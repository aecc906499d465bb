"""The protocol editor: timepoints, offsets, windows and questionnaires, saved as a new version.

New patients follow the newest version; visits already scheduled keep the version they were scheduled
under, so an edit never rewrites anyone's past schedule. ``parse_protocol`` judges the draft and names
the timepoint and field of a problem, which is shown at that cell before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.protocol import Protocol, ProtocolError, check_protocol, parse_protocol
from sijpro.records import UserRecord
from sijpro.services.session import Session
from ui.errors import sentence, show_error
from ui.i18n import tr
from ui.staff.admin.messages import message_label
from ui.staff.admin.protocol_model import FIELDS, ProtocolModel, TextCellDelegate, column_titles
from ui.staff.admin.reminder_ladder import LadderEditor
from ui.staff.page import StaffPage
from ui.staff.style import heading_label

DETAIL = re.compile(r"field '[^']*': (?P<detail>.*)$", re.DOTALL)
DETAILS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"expected a whole number of at least (?P<least>\d+), found (?P<found>.*)$"),
     lambda m: tr("admin.protocol.detail.whole", least=m["least"], found=m["found"])),
    (re.compile(r"^missing$"), lambda m: tr("admin.protocol.detail.missing")),
    (re.compile(r"needs an English and a French text"), lambda m: tr("admin.protocol.detail.missing")),
    (re.compile(r"^expected a non-empty list$"), lambda m: tr("admin.protocol.detail.no_questionnaire")),
    (re.compile(r"codes must be unique"), lambda m: tr("admin.protocol.detail.unique")),
    (re.compile(r"increasing order of offset"), lambda m: tr("admin.protocol.detail.order")),
    (re.compile(r"the first timepoint must be"), lambda m: tr("admin.protocol.detail.baseline_first")),
    (re.compile(r"^(?P<days>\d+) days is outside the sensible bounds \(at most (?P<most>\d+) days"),
     lambda m: tr("admin.protocol.detail.bounds", days=m["days"], most=m["most"])),
    (re.compile(r"^the baseline is due on the day of surgery"), lambda m: tr("admin.protocol.detail.baseline_offset")),
    (re.compile(r"^a baseline is never collected after surgery"),
     lambda m: tr("admin.protocol.detail.baseline_after")),
    (re.compile(r"^a follow-up's window opens after the surgery day"),
     lambda m: tr("admin.protocol.detail.after_surgery")),
    (re.compile(r"^its window overlaps the window of (?P<other>\S+) \(with surgery on (?P<surgery>[\d-]+): opens "
                r"(?P<opens>[\d-]+), \S+ closes (?P<closes>[\d-]+)\)$"),
     lambda m: tr("admin.protocol.detail.overlap", other=m["other"], surgery=m["surgery"], opens=m["opens"],
                  closes=m["closes"])),
)
"""``parse_protocol``'s usual problems in the user's language; any other keeps the core's words."""


class ProtocolPage(StaffPage):
    title_key = "admin.protocol.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("protocolPage")
        self.clinic = clinic
        self.user = user
        self.current: Protocol | None = None
        self.dirty = False
        self.heading = heading_label(self)
        self.intro = QLabel(self)
        self.intro.setProperty("role", "muted")
        self.intro.setWordWrap(True)
        self.version = QLabel(self)
        self.version.setObjectName("protocolVersion")
        self.name = QLineEdit(self)
        self.name.setObjectName("protocolName")
        self.name.textEdited.connect(self._edited)
        self.odi_missing = QSpinBox(self)
        self.odi_missing.setObjectName("odiMaxMissing")
        self.odi_missing.setRange(0, 9)
        self.odi_missing.valueChanged.connect(self._edited)
        self.name.setMinimumWidth(420)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.name_label, self.odi_label = QLabel(self), QLabel(self)
        self.form.addRow(self.name_label, self.name)
        self.form.addRow(self.odi_label, self.odi_missing)
        self.model = ProtocolModel(self)
        self.model.dataChanged.connect(self._edited)
        self.table = QTableView(self)
        self.table.setObjectName("protocolTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(TextCellDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ladders = LadderEditor(self)
        self.ladders.edited.connect(self._edited)
        self.problem = message_label(self, "protocolProblem", "error")
        self.status = message_label(self, "protocolStatus", "notice")
        self._make_buttons()
        self._lay_out()
        self.retranslate()

    def _make_buttons(self) -> None:
        self.buttons = {name: QPushButton(self) for name in ("add", "remove", "revert", "save", "restore")}
        self.earlier_label = QLabel(self)
        self.earlier = QComboBox(self)
        self.earlier.setObjectName("protocolEarlier")
        self.earlier_label.setBuddy(self.earlier)
        self.buttons["restore"].setObjectName("protocolRestore")
        self.buttons["restore"].clicked.connect(self.restore)
        self.buttons["add"].clicked.connect(self.add_timepoint)
        self.buttons["remove"].clicked.connect(self.remove_timepoint)
        self.buttons["revert"].clicked.connect(self.revert)
        self.buttons["save"].clicked.connect(self.save)

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        for name in ("add", "remove"):
            row.addWidget(self.buttons[name])
        row.addStretch(1)
        for name in ("revert", "save"):
            row.addWidget(self.buttons[name])
        earlier = QHBoxLayout()
        earlier.addWidget(self.earlier_label)
        earlier.addWidget(self.earlier)
        earlier.addWidget(self.buttons["restore"])
        earlier.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.version)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 3)
        layout.addLayout(row)
        layout.addWidget(self.ladders, 2)
        layout.addLayout(earlier)

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.protocol.title"))
        self.intro.setText(tr("admin.protocol.intro"))
        self.name_label.setText(tr("admin.protocol.name"))
        self.odi_label.setText(tr("admin.protocol.odi_missing"))
        self.buttons["add"].setText(tr("admin.protocol.add"))
        self.buttons["remove"].setText(tr("admin.protocol.remove"))
        self.buttons["revert"].setText(tr("admin.protocol.revert"))
        self.buttons["save"].setText(tr("admin.protocol.save"))
        self.buttons["restore"].setText(tr("admin.protocol.restore"))
        self.earlier_label.setText(tr("admin.protocol.earlier"))
        self._list_earlier()
        self.ladders.retranslate()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._show_version()

    def _show_version(self) -> None:
        if self.current is not None:
            self.version.setText(tr("admin.protocol.current", name=self.current.name, version=self.current.version))

    def refresh(self) -> None:
        """Show the newest stored version, unless the admin is in the middle of editing it."""
        if not self.dirty:
            self.revert()

    def revert(self) -> None:
        self.current = self.clinic.protocols.current()
        self.name.setText(self.current.name)
        self.odi_missing.blockSignals(True)
        self.odi_missing.setValue(int(self.current.scoring_options("odi").get("max_missing", 1)))
        self.odi_missing.blockSignals(False)
        self.model.load(self.current)
        self.ladders.load(self.current)
        self.problem.hide()
        self.dirty = False
        self._show_version()
        self._list_earlier()

    def _list_earlier(self) -> None:
        """Every version before the current one, newest first, to restore."""
        versions = [p for p in self.clinic.protocols.versions() if self.current and p.version < self.current.version]
        self.earlier.clear()
        for protocol in reversed(versions):
            self.earlier.addItem(tr("admin.protocol.version_item", version=protocol.version, name=protocol.name),
                                 protocol.version)
        self.earlier.setEnabled(bool(versions))
        self.buttons["restore"].setEnabled(bool(versions))

    def restore(self) -> Protocol | None:
        """Make the chosen earlier version current again, after a confirmation (one service call)."""
        version = self.earlier.currentData()
        if version is None or self.current is None:
            return None
        question = tr("admin.protocol.restore_confirm", version=version, next=self.current.version + 1)
        if QMessageBox.question(self, tr("admin.protocol.restore"), question) != QMessageBox.StandardButton.Yes:
            return None
        try:
            restored = self.clinic.protocols.restore(int(version))
        except ProtocolError as error:
            show_error(self, UserError(self._detail(error)))
            return None
        except UserError as error:
            show_error(self, error)
            return None
        self.revert()
        self.status.setText(tr("admin.protocol.restored", version=version, next=restored.version))
        self.status.show()
        return restored

    def _edited(self, *_: object) -> None:
        self.dirty = True
        self.status.hide()

    def add_timepoint(self) -> None:
        row = self.model.add_row()
        self.table.setCurrentIndex(self.model.index(row, 0))
        self._edited()

    def remove_timepoint(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.model.remove_row(index.row())
            self._edited()

    # --- saving ----------------------------------------------------------------------------------------

    def draft(self) -> dict:
        """The protocol file the form describes, numbered as the next version."""
        assert self.current is not None
        scoring = {key: dict(value) for key, value in self.current.scoring.items()}
        scoring.setdefault("odi", {})["max_missing"] = self.odi_missing.value()
        return {"name": self.name.text().strip(), "version": self.current.version + 1, "scoring": scoring,
                "timepoints": self.model.timepoints(), "reminders": self.ladders.mapping()}

    def save(self) -> Protocol | None:
        """Check the draft; if sound and confirmed, store it as the next version (one service call)."""
        self.problem.hide()
        self.model.show_problem(None, 0, "")
        try:
            protocol = parse_protocol(self.draft(), "protocol")
            check_protocol(protocol, "protocol")
        except ProtocolError as error:
            self.show_problem(error)
            return None
        question = tr("admin.protocol.confirm", version=protocol.version)
        if QMessageBox.question(self, tr("admin.protocol.save"), question) != QMessageBox.StandardButton.Yes:
            return None
        try:
            saved = self.clinic.protocols.save_new_version(protocol)
        except UserError as error:
            show_error(self, error)
            return None
        self.dirty = False
        self.revert()
        self.status.setText(tr("admin.protocol.saved", version=saved.version))
        self.status.show()
        return saved

    @staticmethod
    def _detail(error: ProtocolError) -> str:
        """The core's problem in the user's language when it is a usual one, else its own words."""
        match = DETAIL.search(str(error))
        detail = match["detail"] if match else str(error)
        return next((words(found) for pattern, words in DETAILS if (found := pattern.search(detail))),
                    sentence(detail))

    def show_problem(self, error: ProtocolError) -> None:
        """The problem at its cell (highlighted, selected) and in words above the table."""
        detail = self._detail(error)
        if error.field == "reminders":
            self.ladders.table.setFocus()
            text = tr("admin.reminders.problem", problem=detail)
        elif error.position is not None and 0 <= error.position < self.model.rowCount():
            column = self.model.column_of(error.field)
            code = self.model.rows[error.position].values["code"] or f"#{error.position + 1}"
            title = column_titles()[FIELDS[column]] if column < len(FIELDS) else tr("admin.protocol.questionnaires")
            self.model.show_problem(error.position, column, detail)
            index = self.model.index(error.position, column)
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.table.scrollTo(index)
            self.table.setFocus()
            text = tr("admin.protocol.problem_at", timepoint=code, column=title, problem=detail)
        elif error.field == "name":
            self.name.setFocus()
            text = tr("admin.protocol.problem_name", problem=detail)
        elif error.field == "scoring.odi.max_missing":
            self.odi_missing.setFocus()
            text = tr("admin.protocol.problem_odi", problem=detail)
        else:
            text = detail
        self.problem.setText(text)
        self.problem.show()
