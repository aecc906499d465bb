"""Register a patient, or edit one with a reason: the form, then one call to the patients service.

Problems come back at their fields. A possible duplicate (same birth date, similar name) is listed in
the dialog itself, and the nurse registers anyway only by saying so; changing the name or birth date
withdraws that confirmation. An edit made while someone else changed the patient is refused by the
service (nothing overwritten) and said plainly.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sijpro.access import Capability
from sijpro.contact import ContactDetails, ContactDraft
from sijpro.records import PRIOR_INTERVENTIONS, PatientDraft, PatientRecord, draft_changes
from sijpro.services.patients import DuplicateWarning
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, read_values
from ui.staff.inputs import SEXES, ChoiceBox, DateEdit, NumberEdit
from ui.staff.live_text import follow_language
from ui.staff.style import error_label, heading_label

LANGUAGES = (("en", "staff.language.en"), ("fr", "staff.language.fr"))
YES_NO = ((True, "yes"), (False, "no"))
CHANNELS = (("email", "staff.contact.channel.email"), ("post", "staff.contact.channel.post"),
            ("phone", "staff.contact.channel.phone"), ("none", "staff.contact.channel.none"))
CONSENT = YES_NO


class PatientDialog(QDialog):
    def __init__(self, clinic: Session, patient: PatientRecord | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientDialog")
        self.clinic = clinic
        self.patient = patient
        self.saved: PatientRecord | None = None
        self._confirmed_duplicate = False
        self._candidates: list[PatientRecord] = []
        self.form = CheckedForm(self)
        self._build_fields(patient)
        self.duplicates = QWidget(self)
        self.duplicates.setObjectName("duplicateWarning")
        box = QVBoxLayout(self.duplicates)
        box.setContentsMargins(0, 0, 0, 0)
        self.duplicate_text = error_label(self.duplicates)
        self.duplicate_text.setProperty("role", "warning")
        self.duplicate_text.show()
        box.addWidget(self.duplicate_text)
        self.duplicates.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # not a standard OK button: Qt would reset its text ("Register anyway") on a language change
        self.ok = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("patientOk")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.heading = heading_label(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.form)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.buttons)
        for edit in (self.family_name, self.given_name, self.birth_date):
            edit.textEdited.connect(self._withdraw_confirmation)
        self.setMinimumWidth(600)
        follow_language(self, self._retranslate)
        self.mrn.setFocus()

    def _build_fields(self, p: PatientRecord | None) -> None:
        self.mrn = self.form.add("mrn", "staff.patient.mrn", QLineEdit(p.mrn if p else ""))
        self.site = self.form.add("site", "staff.patient.site", QLineEdit(p.site if p else ""))
        self.site.setObjectName("patientSite")
        self.family_name = self.form.add("family_name", "staff.patient.family_name",
                                         QLineEdit(p.family_name if p else ""))
        self.given_name = self.form.add("given_name", "staff.patient.given_name", QLineEdit(p.given_name if p else ""))
        self.birth_date = self.form.add("birth_date", "staff.patient.birth_date", DateEdit(p.birth_date if p else None))
        self.sex = self.form.add("sex", "staff.patient.sex", ChoiceBox(SEXES, blank_key="staff.answer.unknown",
                                                                       value=p.sex if p else None))
        self.language = self.form.add("language", "staff.patient.language",
                                      ChoiceBox(LANGUAGES, value=p.language if p else "en"))
        self.bmi = self.form.add("bmi", "staff.patient.bmi", NumberEdit(p.bmi if p else None))
        self.fbss = self.form.add("fbss", "staff.patient.fbss", ChoiceBox(YES_NO, blank_key="staff.answer.unknown",
                                                                          value=p.fbss if p else None))
        self.prior_lumbar_surgeries = self.form.add(
            "prior_lumbar_surgeries", "staff.patient.prior_lumbar_surgeries",
            NumberEdit(p.prior_lumbar_surgeries if p else None, whole=True))
        self.prior_lumbosacral_fusion = self.form.add(
            "prior_lumbosacral_fusion", "staff.patient.prior_lumbosacral_fusion",
            ChoiceBox(YES_NO, blank_key="staff.answer.unknown", value=p.prior_lumbosacral_fusion if p else None))
        interventions = QWidget()
        row = QHBoxLayout(interventions)
        row.setContentsMargins(0, 0, 0, 0)
        self.interventions: dict[str, QCheckBox] = {}
        known = p.prior_interventions if p else None
        for code in PRIOR_INTERVENTIONS:
            box = QCheckBox(code)
            box.setChecked(bool(known and code in known))
            box.toggled.connect(self._intervention_toggled)
            self.interventions[code] = box
            row.addWidget(box)
        # 'None' says none were had; no box at all says nobody knows (exported as not known, not as none)
        self.no_intervention = QCheckBox()
        self.no_intervention.setChecked(known == frozenset())
        self.no_intervention.toggled.connect(self._none_toggled)
        row.addWidget(self.no_intervention)
        row.addStretch(1)
        self.form.add("prior_interventions", "staff.patient.prior_interventions", interventions)
        self._build_contact_fields(p)
        self.reason = self.form.add("reason", "staff.edit.reason", QLineEdit())
        self.form.set_visible("reason", p is not None)

    def _build_contact_fields(self, p: PatientRecord | None) -> None:
        """Phone, e-mail, address, channel and consent: shown only to a role that may read them."""
        self.shows_contact = self.clinic.can(Capability.CONTACTS)
        known = (self.clinic.contacts.get(p.id) if p is not None and self.shows_contact
                 else ContactDetails(0))
        self.contact_before = known
        self.phone = self.form.add("phone", "staff.contact.phone", QLineEdit(known.phone))
        self.phone.setObjectName("contactPhone")
        self.email = self.form.add("email", "staff.contact.email", QLineEdit(known.email))
        self.email.setObjectName("contactEmail")
        self.address = self.form.add("address", "staff.contact.address", QPlainTextEdit(known.address))
        self.address.setObjectName("contactAddress")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.address.fontMetrics().lineSpacing() * 3 + 14)
        self.channel = self.form.add("channel", "staff.contact.channel", ChoiceBox(
            CHANNELS, blank_key="staff.contact.channel.unstated", value=known.channel or None))
        self.channel.setObjectName("contactChannel")
        self.consent = self.form.add("consent", "staff.contact.consent", ChoiceBox(
            CONSENT, blank_key="staff.contact.consent.unasked", value=known.consent))
        self.consent.setObjectName("contactConsent")
        for name in ("phone", "email", "address", "channel", "consent"):
            self.form.set_visible(name, self.shows_contact)

    def contact_draft(self) -> ContactDraft | None:
        """The contact details the form shows; None when this role does not see them."""
        if not self.shows_contact:
            return None
        return ContactDraft(self.phone.text(), self.email.text(), self.address.toPlainText(),
                            str(self.channel.value() or ""), self.consent.value())  # type: ignore[arg-type]  # see draft()

    def _retranslate(self) -> None:
        title = tr("staff.patient.edit_title") if self.patient else tr("staff.patient.register_title")
        self.setWindowTitle(title)
        self.heading.setText(title)
        for code, box in self.interventions.items():
            box.setToolTip(tr(code))  # the code is the key, as in Table 1 of the cohort report
        self.no_intervention.setText(tr("staff.intervention.none"))
        self.no_intervention.setToolTip(tr("staff.intervention.none_tip"))
        self.reason.setPlaceholderText(tr("staff.edit.reason_placeholder"))
        self.ok.setText(tr("staff.patient.register_anyway") if self._confirmed_duplicate
                   else tr("staff.patient.save") if self.patient else tr("staff.patient.register"))
        self.duplicate_text.setText(self._duplicate_message())

    # --- values -----------------------------------------------------------------------------------------

    def _intervention_toggled(self, checked: bool) -> None:
        if checked:
            self.no_intervention.setChecked(False)

    def _none_toggled(self, checked: bool) -> None:
        if checked:
            for box in self.interventions.values():
                box.setChecked(False)

    def _interventions(self) -> frozenset[str] | None:
        """The ticked codes; an empty set when 'None' is ticked; None (not known) when nothing is."""
        ticked = frozenset(code for code, box in self.interventions.items() if box.isChecked())
        if ticked or self.no_intervention.isChecked():
            return ticked
        return None

    def draft(self) -> PatientDraft:
        """What the form says; a value that is not even a date or a number is refused at its field."""
        typed: dict[str, Any] = read_values({
            "birth_date": self.birth_date.value, "bmi": self.bmi.value,
            "prior_lumbar_surgeries": self.prior_lumbar_surgeries.value,
        })
        # The boxes hold only their own codes (or None, not known); the core checks every field again
        return PatientDraft(
            mrn=self.mrn.text(), family_name=self.family_name.text(), given_name=self.given_name.text(),
            sex=self.sex.value(), language=str(self.language.value()), fbss=self.fbss.value(),  # type: ignore[arg-type]  # see above
            prior_lumbosacral_fusion=self.prior_lumbosacral_fusion.value(),  # type: ignore[arg-type]  # see above
            prior_interventions=self._interventions(), site=self.site.text().strip(),
            **typed,
        )

    # --- saving -----------------------------------------------------------------------------------------

    def accept(self) -> None:
        try:
            saved = self.form.submit(self, lambda: self._save(self.draft()), passing=(DuplicateWarning,))
        except DuplicateWarning as warning:
            self._show_duplicates(warning.candidates)
            return
        if saved is not None:
            self.saved = saved
            super().accept()

    def _save(self, draft: PatientDraft) -> PatientRecord:
        contact = self.contact_draft()
        if self.patient is None:
            return self.clinic.patients.register(draft, confirm_duplicate=self._confirmed_duplicate, contact=contact)
        changes = draft_changes(self.patient, draft)
        if contact is not None and contact == self.contact_before.draft():
            contact = None
        if not changes and contact is None:
            return self.patient
        return self.clinic.patients.update(self.patient.id, changes, expected_version=self.patient.row_version,
                                           reason=self.reason.text(), contact=contact)

    def _duplicate_message(self) -> str:
        if not self._candidates:
            return ""
        lines = [tr("staff.patient.duplicate_line", name=c.display_name, mrn=c.mrn,
                    born=c.birth_date.isoformat() if c.birth_date else "?") for c in self._candidates]
        return "\n".join([tr("staff.patient.duplicate_intro"), *lines, tr("staff.patient.duplicate_confirm")])

    def _show_duplicates(self, candidates: list[PatientRecord]) -> None:
        self._candidates = list(candidates)
        self._confirmed_duplicate = True
        self.duplicates.show()
        self._retranslate()

    def _withdraw_confirmation(self) -> None:
        if self._confirmed_duplicate:
            self._confirmed_duplicate = False
            self._candidates = []
            self.duplicates.hide()
            self._retranslate()
