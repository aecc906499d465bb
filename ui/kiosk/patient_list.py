"""The nurse's list of patients with questionnaires due, as a Qt model with an accent-blind search.

Typing "helene" finds "Hélène" and "0042" finds the MRN: a nurse in a hurry should not have to type
accents on a tablet keyboard.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from sijpro.instruments import get_instrument
from ui.i18n import language, tr
from ui.kiosk.backend import DuePatient

ModelIndex = QModelIndex | QPersistentModelIndex

PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def folded(text: str) -> str:
    """Lower case without accents, for searching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class DuePatientModel(QAbstractListModel):
    def __init__(self, rows: Sequence[DuePatient] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def set_rows(self, rows: Sequence[DuePatient]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DuePatient:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        due = self._rows[index.row()]
        patient = due.patient
        if role in {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole}:
            titles = ", ".join(get_instrument(p.instrument).short_title[language()] for p in due.planned)
            when = ", ".join(label.get(language(), label.get("en", "")) for label in due.timepoints)
            late = f" · {tr('kiosk.nurse.overdue')}" if due.overdue else ""
            late += f" · {tr('kiosk.nurse.held_by', device=due.held_by)}" if due.held_by else ""
            born = f" · {patient.birth_date.isoformat()}" if patient.birth_date else ""
            return f"{patient.display_name} · {tr('kiosk.nurse.mrn', mrn=patient.mrn)}{born}\n{when}{late}: {titles}"
        if role == PATIENT_ID_ROLE:
            return patient.id
        if role == SEARCH_ROLE:
            return folded(f"{patient.family_name} {patient.given_name} {patient.mrn}")
        return None


class PatientFilter(QSortFilterProxyModel):
    """Keeps the rows whose name or MRN contains every word typed, accents and case ignored."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._words = folded(text).split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = folded(text).split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:  # noqa: N802 - Qt's name
        source = self.sourceModel()
        haystack = str(source.data(source.index(source_row, 0, source_parent), SEARCH_ROLE) or "")
        return all(word in haystack for word in self._words)
