"""Invite a patient to answer at home: a new one-time link and short code for their open visit, shown to
be copied (into an e-mail, a text message, a letter), the patient's invitations with their state, and
revoking the one that still opens, with a reason. Each button is one call to ``session.invitations``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sijpro.records import PatientRecord
from sijpro.services.invitations import InvitationRecord, IssuedInvitation
from sijpro.services.session import Session
from ui.i18n import tr
from ui.staff.form import CheckedForm, grow_to_fit
from ui.staff.live_text import follow_language
from ui.staff.style import heading_label, push_button

LIVE = frozenset({"issued", "used"})
"""States in which an invitation still opens, so it can be revoked."""


def invitation_line(record: InvitationRecord) -> str:
    """One invitation as the list says it: visit, state, when made and by whom, until when."""
    return tr("staff.invite.line", timepoint=record.timepoint, state=tr(f"staff.invite.state.{record.state}"),
              issued=record.issued_at.date().isoformat(), by=record.issued_by,
              until=record.valid_until.isoformat())


class InvitationDialog(QDialog):
    def __init__(self, session: Session, patient: PatientRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("invitationDialog")
        self.session = session
        self.patient = patient
        self.issued: IssuedInvitation | None = None
        self.records: list[InvitationRecord] = []
        self.heading = heading_label(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.new_button = push_button(self, self.issue, "inviteNew")

        self.issued_box = QWidget(self)
        self.issued_box.setObjectName("inviteResult")
        shown = QFormLayout(self.issued_box)
        self.link = self._copyable("inviteLink")
        self.code = self._copyable("inviteCode")
        self.copy_link = push_button(self.issued_box, lambda: self._copy(self.link), "inviteCopyLink")
        self.copy_code = push_button(self.issued_box, lambda: self._copy(self.code), "inviteCopyCode")
        self.link_title, self.code_title, self.until_title = QLabel(self), QLabel(self), QLabel(self)
        self.until = QLabel(self.issued_box)
        self.until.setObjectName("inviteUntil")
        for title, field, button in ((self.link_title, self.link, self.copy_link),
                                     (self.code_title, self.code, self.copy_code)):
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(button)
            shown.addRow(title, row)
        shown.addRow(self.until_title, self.until)
        self.copied = QLabel(self.issued_box)
        self.copied.setObjectName("inviteCopied")
        self.copied.setProperty("role", "muted")
        shown.addRow(self.copied)
        self.local_only = QLabel(self)  # beside the form, not in it: a wrapped line there is cut to one row
        self.local_only.setObjectName("inviteLocalOnly")
        self.local_only.setWordWrap(True)
        self.local_only.setVisible(False)

        self.list_title = QLabel(self)
        self.listing = QLabel(self)
        self.listing.setObjectName("inviteList")
        self.listing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = CheckedForm(self)
        self.reason = self.form.add("reason", "staff.invite.reason", QLineEdit(self))
        self.reason.setObjectName("inviteReason")
        self.revoke_button = push_button(self, self.revoke, "inviteRevoke")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self.heading, self.intro, self.new_button, self.issued_box, self.local_only, self.list_title,
                       self.listing, self.form, self.revoke_button, self.buttons):
            layout.addWidget(widget)
        self.issued_box.setVisible(False)
        follow_language(self, self.retranslate)
        self.refresh()

    def _copyable(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setObjectName(name)
        field.setReadOnly(True)
        field.setMinimumWidth(560 if name == "inviteLink" else 160)
        return field

    def _copy(self, field: QLineEdit) -> None:
        QApplication.clipboard().setText(field.text())
        self.copied.setText(tr("staff.invite.copied"))

    @property
    def live(self) -> InvitationRecord | None:
        """The invitation that still opens (one visit is open at a time, so at most one)."""
        return next((record for record in self.records if record.state in LIVE), None)

    def refresh(self) -> None:
        self.records = self.session.invitations.for_patient(self.patient.id)
        live = self.live
        if live is not None and (self.issued is None or self.issued.invitation_id != live.invitation_id):
            again = self.session.invitations.current(live.visit_id)  # the patient on the phone lost the letter
            if again is not None:
                self._show(again)
        self.retranslate()
        grow_to_fit(self)  # after the words: the listing and the note may wrap onto more lines

    def issue(self) -> None:
        issued = self.form.submit(self, lambda: self.session.invitations.issue(self.patient.id))
        if issued is None:
            return
        self._show(issued)
        self.refresh()

    def _show(self, issued: IssuedInvitation) -> None:
        self.issued = issued
        self.link.setText(issued.link)
        self.code.setText(issued.printed_code)
        self.copied.setText("")
        self.local_only.setText(tr("staff.invite.local_only") if issued.local_only else "")
        self.local_only.setVisible(issued.local_only)
        self.issued_box.setVisible(True)

    def revoke(self) -> None:
        live = self.live
        if live is None:
            return
        done = self.form.submit(self, lambda: self.session.invitations.revoke(live.invitation_id,
                                                                              self.reason.text()) or True)
        if done is None:
            return
        self.reason.clear()
        if self.issued is not None and self.issued.invitation_id == live.invitation_id:
            self.issued = None
            self.link.clear()
            self.code.clear()
            self.issued_box.setVisible(False)
            self.local_only.setVisible(False)
        self.refresh()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("staff.invite.title"))
        self.heading.setText(tr("staff.invite.heading", name=self.patient.display_name, mrn=self.patient.mrn))
        self.intro.setText(tr("staff.invite.intro"))
        self.new_button.setText(tr("staff.invite.new") if self.live is None else tr("staff.invite.replace"))
        self.link_title.setText(tr("staff.invite.link"))
        self.code_title.setText(tr("staff.invite.code"))
        self.until_title.setText(tr("staff.invite.until"))
        self.copy_link.setText(tr("staff.invite.copy"))
        self.copy_code.setText(tr("staff.invite.copy"))
        if self.issued is not None:
            self.until.setText(self.issued.valid_until.isoformat())
        self.list_title.setText(tr("staff.invite.list"))
        self.listing.setText("\n".join(invitation_line(r) for r in self.records) or tr("staff.invite.none"))
        self.revoke_button.setText(tr("staff.invite.revoke"))
        live = self.live is not None
        self.revoke_button.setEnabled(live)
        self.form.set_visible("reason", live)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("staff.invite.close"))
