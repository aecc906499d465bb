"""The audit viewer: who changed what, when, from what to what and why, filtered by user, kind of record
and dates; and the check of the hash chain that shows whether anyone rewrote the trail."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import UserError
from sijpro.records import AuditEventRecord, UserRecord
from sijpro.services.audit import VerifyReport, canonical_json
from sijpro.services.session import Session
from ui.errors import show_error
from ui.i18n import tr, tr_n
from ui.staff.admin.messages import message_label, say
from ui.staff.page import StaffPage
from ui.staff.style import heading_label, push_button
from ui.staff.table_model import Column, RecordTableModel
from ui.staff.table_view import record_table
from ui.tasks import start_task

SHOWN = 2000
"""The newest events shown for a filter; narrower filters reach further back."""
VALUE_CHARACTERS = 160
COLUMN_WIDTHS = (70, 160, 100, 130, 80, 130, 240, 360)
"""Pixels per column but the last (the reason), which takes the rest."""


ENTITIES = {
    "patient": "admin.audit.entity.patient", "procedure": "admin.audit.entity.procedure",
    "visit": "admin.audit.entity.visit", "response": "admin.audit.entity.response", "user": "admin.audit.entity.user",
    "protocol": "admin.audit.entity.protocol", "setting": "admin.audit.entity.setting",
    "database": "admin.audit.entity.database", "contact": "admin.audit.entity.contact",
    "contact_attempt": "admin.audit.entity.contact_attempt", "complication": "admin.audit.entity.complication",
    "invitation": "admin.audit.entity.invitation",
}
"""The kinds of record the core writes in the audit trail, and the key of each one's name."""


def entity_text(entity: str) -> str:
    return tr(ENTITIES[entity]) if entity in ENTITIES else entity


def local_time(at: dt.datetime) -> str:
    """A stored time (naive UTC) on this computer's clock."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def value_text(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else canonical_json(value)
    return text if len(text) <= VALUE_CHARACTERS else text[:VALUE_CHARACTERS] + "…"


AUDIT_COLUMNS: tuple[Column[AuditEventRecord], ...] = (
    Column("admin.audit.col.id", lambda e: str(e.id), sort_key=lambda e: e.id, numeric=True),
    Column("admin.audit.col.at", lambda e: local_time(e.at), sort_key=lambda e: e.at),
    Column("admin.audit.col.actor", lambda e: e.actor),
    Column("admin.audit.col.entity", lambda e: entity_text(e.entity)),
    Column("admin.audit.col.entity_id", lambda e: "" if e.entity_id is None else str(e.entity_id),
           sort_key=lambda e: e.entity_id, numeric=True),
    Column("admin.audit.col.field", lambda e: e.field or ""),
    Column("admin.audit.col.old", lambda e: value_text(e.old)),
    Column("admin.audit.col.new", lambda e: value_text(e.new)),
    Column("admin.audit.col.reason", lambda e: e.reason or ""),
)


class AuditPage(StaffPage):
    title_key = "admin.audit.title"

    def __init__(self, clinic: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.clinic = clinic
        self.user = user
        self.report: VerifyReport | None = None
        """The outcome of the last check of the trail."""
        self.heading = heading_label(self)
        self.actor, self.entity = QComboBox(self), QComboBox(self)
        self.actor.setObjectName("auditActor")
        self.entity.setObjectName("auditEntity")
        for combo in (self.actor, self.entity):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(180)
        self.entity_id = QLineEdit(self)
        self.entity_id.setObjectName("auditEntityId")
        self.entity_id.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.entity_id.returnPressed.connect(self.apply)
        self.labels = {name: QLabel(self) for name in ("actor", "entity", "entity_id")}
        self.dates: dict[str, tuple[QCheckBox, QDateEdit]] = {}
        for name in ("since", "until"):
            check, edit = QCheckBox(self), QDateEdit(QDate.currentDate(), self)
            edit.setObjectName(f"audit_{name}")
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            self.dates[name] = (check, edit)
        self.show_button = push_button(self, self.apply, "auditShow")
        self.verify_button = push_button(self, self.verify, "auditVerify")
        self.count = QLabel(self)
        self.count.setProperty("role", "muted")
        self.chain = message_label(self, "auditChain", "notice")
        self.model = RecordTableModel(AUDIT_COLUMNS, self)
        self.table = record_table(self.model, "auditTable", self)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self._lay_out()
        self.retranslate()

    def _lay_out(self) -> None:
        filters = QGridLayout()
        for column, (name, widget) in enumerate((("actor", self.actor), ("entity", self.entity),
                                                 ("entity_id", self.entity_id))):
            filters.addWidget(self.labels[name], 0, column)
            filters.addWidget(widget, 1, column)
        for offset, (check, edit) in enumerate(self.dates.values(), start=3):
            filters.addWidget(check, 0, offset)
            filters.addWidget(edit, 1, offset)
        filters.addWidget(self.show_button, 1, 5)
        filters.setColumnStretch(6, 1)
        filters.addWidget(self.verify_button, 1, 7)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.chain)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)

    def retranslate(self) -> None:
        self.heading.setText(tr("admin.audit.title"))
        self.labels["actor"].setText(tr("admin.audit.filter.actor"))
        self.labels["entity"].setText(tr("admin.audit.filter.entity"))
        self.labels["entity_id"].setText(tr("admin.audit.filter.entity_id"))
        self.dates["since"][0].setText(tr("admin.audit.filter.since"))
        self.dates["until"][0].setText(tr("admin.audit.filter.until"))
        self.show_button.setText(tr("admin.audit.show"))
        self.verify_button.setText(tr("admin.audit.verify"))
        if self.actor.count():
            self.actor.setItemText(0, tr("admin.audit.filter.everyone"))
        if self.entity.count():
            self.entity.setItemText(0, tr("admin.audit.filter.all"))
        for index in range(1, self.entity.count()):
            self.entity.setItemText(index, entity_text(self.entity.itemData(index)))
        self.model.retranslate()
        self._show_count()

    def refresh(self) -> None:
        """New names in the filter lists, and the newest events."""
        for combo, names in ((self.actor, self.clinic.audit.actors()), (self.entity, self.clinic.audit.entities())):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("", None)
            for name in names:
                combo.addItem(entity_text(name) if combo is self.entity else name, name)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self.retranslate()
        self.apply()

    def filters(self) -> dict[str, object]:
        """The audit service's filters: dates are whole local days, turned into the stored UTC times."""
        chosen: dict[str, object] = {"actor": self.actor.currentData(), "entity": self.entity.currentData()}
        if self.entity_id.text().strip():
            chosen["entity_id"] = int(self.entity_id.text())
        for name, (check, edit) in self.dates.items():
            if check.isChecked():
                shown = edit.date()
                day = dt.date(shown.year(), shown.month(), shown.day())
                day = day + dt.timedelta(days=1) if name == "until" else day
                local_midnight = dt.datetime.combine(day, dt.time()).astimezone()
                chosen[name] = local_midnight.astimezone(dt.UTC).replace(tzinfo=None)
        return chosen

    def apply(self) -> None:
        try:
            events = self.clinic.audit.events(**self.filters(), limit=SHOWN, newest_first=True)
        except UserError as error:
            show_error(self, error)
            return
        self.model.set_rows(events)
        self._show_count()

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        self.count.setText(tr("admin.audit.newest", n=shown) if shown >= SHOWN else tr_n("admin.audit.count", shown))

    def verify(self) -> None:
        """Recompute every hash of the trail (in the background: a large trail takes seconds); the
        outcome is said on the page and kept in ``report``."""
        self.report = None
        start_task(self, tr("admin.audit.verify"), tr("admin.audit.verifying"),
                   lambda progress: self.clinic.audit.verify_chain(), on_done=self._verified, cancellable=False)

    def _verified(self, report: VerifyReport) -> None:
        self.report = report
        if report.ok:
            say(self.chain, tr("admin.audit.chain_ok", n=report.events_checked), "notice")
        else:
            say(self.chain, tr("admin.audit.chain_broken", problem=report.problem, n=report.events_checked), "error")
