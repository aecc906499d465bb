"""What every page of the staff desk is: the workspace wires pages by this type, never by looking up
attribute names. A page emits the signals it needs (the others stay unconnected to anything it does),
and overrides what it offers: a search field for Ctrl+F, printing for Ctrl+P, showing one patient,
starting paper entry for a patient."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget


class StaffPage(QWidget):
    title_key: ClassVar[str] = ""
    """The translation key of the page's navigation entry and heading."""
    prints: ClassVar[bool] = False
    """Ctrl+P prints what the page shows (``print_page``)."""
    shows_patients: ClassVar[bool] = False
    """The page shows one patient when sent one (``show_patient``)."""

    open_patient = Signal(int)
    """A patient id: the workspace shows that patient on the dashboard when the user has one, else in the
    patient record."""
    hand_over_requested = Signal(int)
    """A patient id: the tablet goes to that patient (the window steps aside for the kiosk)."""
    paper_entry_requested = Signal(int)
    """A patient id: the paper entry page starts for that patient."""
    database_restored = Signal(str, int)
    """(the backup restored, its number of patients): every page may have changed."""
    clinic_settings_changed = Signal(object)
    """An administrator saved the clinic's settings (``ClinicSettings``)."""

    def refresh(self) -> None:
        """Called each time the page comes on screen, to show what others changed."""

    def retranslate(self) -> None:
        """Called after the language changed."""

    def search_field(self) -> QLineEdit | None:
        """The field Ctrl+F goes to; None when the page has none."""
        return None

    def print_page(self) -> None:
        """Ctrl+P, on a page that ``prints``: print what it shows."""

    def show_patient(self, patient_id: int) -> None:
        """Show one patient, on a page that ``shows_patients``."""

    def start_for(self, patient_id: int) -> None:
        """Start the page's work for a patient (paper entry); nothing for the other pages."""
