"""One patient's record: identity and history, procedures, complications, the follow-up timeline, and what
can be done.

Each action opens its dialog (edit, record a procedure, reschedule) or asks the window to do it (hand
over the tablet, type a paper questionnaire, show the dashboard); the record reloads after a change so
the nurse always sees what was saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijpro.access import Capability, can
from sijpro.contact import ContactDetails
from sijpro.i18n import decimal
from sijpro.records import ComplicationRecord, PatientRecord, ProcedureRecord, UserRecord
from sijpro.reminders import ContactAttemptRecord
from sijpro.services.session import Session
from ui.i18n import language, tr
from ui.staff.complications import ComplicationsView
from ui.staff.inputs import choice_text
from ui.staff.invitation_dialog import InvitationDialog
from ui.staff.live_text import follow_language
from ui.staff.patient_dialog import LANGUAGES, SEXES, PatientDialog
from ui.staff.procedure_actions import ProceduresView
from ui.staff.procedure_dialog import ProcedureDialog
from ui.staff.reschedule_dialog import RescheduleDialog
from ui.staff.style import heading_label, push_button
from ui.staff.timeline import TimelineView, attempt_text, timepoint_labels

DETAIL_FIELDS = (
    ("mrn", "staff.patient.mrn"), ("site", "staff.patient.site"), ("birth_date", "staff.patient.birth_date"),
    ("sex", "staff.patient.sex"),
    ("language", "staff.patient.language"), ("bmi", "staff.patient.bmi"), ("fbss", "staff.patient.fbss"),
    ("prior_lumbar_surgeries", "staff.patient.prior_lumbar_surgeries"),
    ("prior_lumbosacral_fusion", "staff.patient.prior_lumbosacral_fusion"),
    ("prior_interventions", "staff.patient.prior_interventions"),
)


def _flag(value: bool | None) -> str:
    return tr("staff.answer.unknown") if value is None else tr("yes") if value else tr("no")


def detail_text(patient: PatientRecord, name: str) -> str:
    value = getattr(patient, name)
    if name == "site":
        return str(value) or "–"
    if name == "sex":
        return choice_text(value, SEXES)
    if name == "language":
        return choice_text(value, LANGUAGES)
    if name in {"fbss", "prior_lumbosacral_fusion"}:
        return _flag(value)
    if name == "prior_interventions":
        if value is None:
            return tr("staff.answer.unknown")
        return ", ".join(f"{code} ({tr(code).lower()})" for code in sorted(value)) or \
            tr("staff.intervention.none")
    if value is None:
        return tr("staff.answer.unknown")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return decimal(language(), value) if isinstance(value, float) else str(value)


def contact_text(contact: ContactDetails) -> str:
    """The patient's contact details and consent, one line each, as the record shows them."""
    unknown = "–"
    channel = {"email": "staff.contact.channel.email", "post": "staff.contact.channel.post",
               "phone": "staff.contact.channel.phone", "none": "staff.contact.channel.none"}.get(contact.channel)
    consent = None if contact.consent is None else "yes" if contact.consent else "no"
    lines = [
        f"{tr('staff.contact.phone')}: {contact.phone or unknown}"
        + (f" ({contact.phone_e164})" if contact.phone_e164 and contact.phone_e164 != contact.phone else ""),
        f"{tr('staff.contact.email')}: {contact.email or unknown}",
        f"{tr('staff.contact.address')}: {contact.address.replace(chr(10), ', ') or unknown}",
        f"{tr('staff.contact.channel')}: {tr(channel) if channel else tr('staff.contact.channel.unstated')}",
        f"{tr('staff.contact.consent')}: {tr(consent) if consent else tr('staff.contact.consent.unasked')}",
    ]
    return "\n".join(lines)


def attempts_text(attempts: list[ContactAttemptRecord], timepoints: dict[int, str]) -> str:
    """Every follow-up contact made or tried, newest first: when, how, which step, the outcome and by whom."""
    if not attempts:
        return tr("staff.record.no_contacts")
    lines = [attempt_text(attempt, timepoints.get(attempt.visit_id, "")) for attempt in reversed(attempts)]
    return "\n".join(lines)


class PatientRecordView(QWidget):
    hand_over_requested = Signal(int)
    paper_entry_requested = Signal(int)
    dashboard_requested = Signal(int)
    changed = Signal(int)
    """A patient was saved (the search list may need to show the new name)."""

    def __init__(self, clinic: Session, user: UserRecord, *, has_dashboard: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientRecord")
        self.clinic = clinic
        self.user = user
        self.patient: PatientRecord | None = None
        self.procedures: list[ProcedureRecord] = []
        self.name = heading_label(self)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_box = QGroupBox(self)
        self.details = QFormLayout(self.details_box)
        self.detail_values: dict[str, tuple[QLabel, QLabel]] = {}
        for name, _key in DETAIL_FIELDS:
            title, value = QLabel(self.details_box), QLabel(self.details_box)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addRow(title, value)
            self.detail_values[name] = (title, value)
        self.procedures_box = QGroupBox(self)
        procedure_layout = QVBoxLayout(self.procedures_box)
        self.procedure_lines = QLabel(self.procedures_box)
        self.procedure_lines.setObjectName("procedureLines")
        self.procedure_lines.setProperty("role", "muted")
        procedure_layout.addWidget(self.procedure_lines)
        self.procedure_list = ProceduresView(clinic, self._run, can_edit=can(user, Capability.PROCEDURES),
                                             parent=self.procedures_box)
        procedure_layout.addWidget(self.procedure_list)
        self.complications: list[ComplicationRecord] = []
        self.complications_box = QGroupBox(self)
        self.complication_list = ComplicationsView(clinic, self._run, can_edit=can(user, Capability.PROCEDURES),
                                                   parent=self.complications_box)
        QVBoxLayout(self.complications_box).addWidget(self.complication_list)
        self._build_contacts(user)
        self.timeline_box = QGroupBox(self)
        timeline_layout = QVBoxLayout(self.timeline_box)
        self.timeline = TimelineView(self.timeline_box)
        timeline_layout.addWidget(self.timeline)

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, capability, handler in (
            ("edit", Capability.EDIT_PATIENT, self.edit_patient),
            ("procedure", Capability.PROCEDURES, self.record_procedure),
            ("reschedule", Capability.RESCHEDULE, self.reschedule),
            ("paper", Capability.PAPER_ENTRY, lambda: self._emit(self.paper_entry_requested)),
            ("hand_over", Capability.HAND_OVER, lambda: self._emit(self.hand_over_requested)),
            ("invite", Capability.INVITE, self.invite),
            ("dashboard", Capability.DASHBOARD, lambda: self._emit(self.dashboard_requested)),
        ):
            if not can(user, capability) or (key == "dashboard" and not has_dashboard):
                continue
            button = push_button(self, handler, f"record_{key}")
            self.buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addLayout(actions)
        layout.addWidget(self.details_box)
        layout.addWidget(self.procedures_box)
        layout.addWidget(self.complications_box)
        layout.addWidget(self.contacts_box)
        layout.addWidget(self.timeline_box, 1)
        follow_language(self, self.retranslate)
        self.show_patient(None)

    def _build_contacts(self, user: UserRecord) -> None:
        """The patient's contact details and every follow-up contact made or tried, for the roles that may
        read them."""
        self.shows_contacts = can(user, Capability.CONTACTS) and can(user, Capability.REMINDERS)
        self.contacts_box = QGroupBox(self)
        self.contacts_box.setObjectName("recordContacts")
        contacts_layout = QVBoxLayout(self.contacts_box)
        self.contact_details = QLabel(self.contacts_box)
        self.contact_details.setObjectName("contactDetails")
        self.contact_history = QLabel(self.contacts_box)
        self.contact_history.setObjectName("contactHistory")
        for label in (self.contact_details, self.contact_history):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            contacts_layout.addWidget(label)
        self.contact: ContactDetails | None = None
        self.attempts: list[ContactAttemptRecord] = []
        self.visit_timepoints: dict[int, str] = {}

    def _emit(self, signal: SignalInstance) -> None:
        if self.patient is not None:
            signal.emit(self.patient.id)

    # --- content ------------------------------------------------------------------------------------

    def show_patient(self, patient_id: int | None) -> None:
        """Load the patient (four reads: identity, procedures, complications, visits) or show that none is
        chosen."""
        if patient_id is None:
            self.patient, self.procedures, self.complications, visits = None, [], [], []
        else:
            self.patient = self.clinic.patients.get(patient_id)
            self.procedures = self.clinic.procedures.for_patient(patient_id)
            self.complications = self.clinic.complications.for_patient(patient_id)
            visits = self.clinic.schedule.course(patient_id)
        self.contact, self.attempts = None, []
        self.visit_timepoints = {entry.visit.id: entry.visit.timepoint for entry in visits}
        if patient_id is not None and self.shows_contacts:
            self.contact = self.clinic.contacts.get(patient_id)
            self.attempts = self.clinic.reminders.attempts_of(patient_id)
        self.contacts_box.setVisible(self.contact is not None)
        self.timeline.show_visits(visits, timepoint_labels(self.clinic.protocols.versions()) if visits else {},
                                 self.attempts)
        self.procedure_list.show_procedures(self.patient, self.procedures)
        self.complication_list.show_complications(self.patient, self.complications)
        for box in (self.details_box, self.procedures_box, self.timeline_box):
            box.setVisible(self.patient is not None)
        self.complications_box.setVisible(self.patient is not None and bool(self.procedures))
        self.retranslate()

    def reload(self) -> None:
        if self.patient is not None:
            self.show_patient(self.patient.id)
            self.changed.emit(self.patient.id)

    @property
    def index_procedure(self) -> ProcedureRecord | None:
        return next((p for p in self.procedures if p.is_index), None)

    def retranslate(self) -> None:
        patient = self.patient
        self.name.setText(tr("staff.record.none") if patient is None else
                          tr("staff.record.title", name=patient.display_name, mrn=patient.mrn))
        self.details_box.setTitle(tr("staff.record.details"))
        self.procedures_box.setTitle(tr("staff.record.procedures"))
        self.complications_box.setTitle(tr("staff.record.complications"))
        self.timeline_box.setTitle(tr("staff.record.timeline"))
        self.contacts_box.setTitle(tr("staff.record.contacts"))
        self.contact_details.setText(contact_text(self.contact) if self.contact is not None else "")
        self.contact_history.setText(attempts_text(self.attempts, self.visit_timepoints))
        for name, key in DETAIL_FIELDS:
            title, value = self.detail_values[name]
            title.setText(tr(key))
            value.setText(detail_text(patient, name) if patient is not None else "")
        self.procedure_lines.setText("" if self.procedures else tr("staff.record.no_procedure"))
        self.procedure_lines.setVisible(not self.procedures)
        self.procedure_list.setVisible(bool(self.procedures))
        texts = {"edit": "staff.record.edit", "procedure": "staff.record.add_procedure",
                 "reschedule": "staff.record.reschedule", "paper": "staff.record.paper",
                 "hand_over": "staff.record.hand_over", "invite": "staff.record.invite",
                 "dashboard": "staff.record.dashboard"}
        for key, button in self.buttons.items():
            button.setText(tr(texts[key]))
            button.setEnabled(patient is not None)
        if "reschedule" in self.buttons:
            self.buttons["reschedule"].setEnabled(self.index_procedure is not None)

    # --- dialogs ------------------------------------------------------------------------------------

    def edit_patient(self) -> None:
        if self.patient is not None:
            self._run(PatientDialog(self.clinic, self.patient, self))

    def record_procedure(self) -> None:
        if self.patient is not None:
            self._run(ProcedureDialog(self.clinic, self.patient, parent=self))

    def reschedule(self) -> None:
        index = self.index_procedure
        if self.patient is not None and index is not None:
            self._run(RescheduleDialog(self.clinic, self.patient, index, self))

    def invite(self) -> None:
        if self.patient is not None:
            self._run(InvitationDialog(self.clinic, self.patient, self))

    def _run(self, dialog: QDialog) -> None:
        """Show the dialog; whatever happened (saved, refused as a conflict), show what is saved now."""
        dialog.exec()
        self.reload()
