"""The kiosk's staff side: the locked screen, the nurse's unlock, and the choice of patient.

Nothing here is visible to a patient: the locked screen names only the clinic, and the nurse screens
exist only between an unlock and the next lock (they are rebuilt from the database each time).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr, tr_n
from ui.kiosk.backend import DuePatient, Unfinished
from ui.kiosk.keyboard import OnScreenKeyboard
from ui.kiosk.patient_list import PATIENT_ID_ROLE, DuePatientModel, PatientFilter
from ui.kiosk.screens import KioskScreen, footer, page_layout
from ui.kiosk.widgets import WrapButton, button, label


def waiting_label(parent: QWidget) -> QLabel:
    """The count of answers given on this tablet that wait for the clinic database: hidden at zero."""
    shown = label("", "small", parent)
    shown.hide()
    return shown


def show_waiting(shown: QLabel, count: int) -> None:
    shown.setText(tr_n("kiosk.nurse.waiting", count, count=count) if count else "")
    shown.setVisible(count > 0)


class LockedScreen(KioskScreen):
    """Calm and anonymous: the clinic's name and what to do with the tablet."""

    unlock_requested = Signal()

    def __init__(self, clinic_name: str, device: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=32)
        layout.addStretch(2)
        name = label(clinic_name or tr("common.app_name"), "title", self)
        name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(name)
        self.message = label(tr("kiosk.locked.message"), "question", self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.waiting = waiting_label(self)
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.waiting)
        self.notice = label("", "error", self)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.call = label("", "error", self)
        self.call.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.call.hide()
        layout.addWidget(self.call)
        layout.addStretch(3)
        # the name other tablets give when they refuse a visit this one holds
        self.device = label(tr("kiosk.locked.device", device=device) if device else "", "small", self)
        self.primary = button(tr("kiosk.locked.staff"), "secondary", self)
        self.primary.clicked.connect(self.unlock_requested)
        row = QHBoxLayout()
        row.addWidget(self.device, 3, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.primary, 1)
        layout.addLayout(row)


    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_call(self, called_at: str | None) -> None:
        """A patient at this tablet asked for a nurse: said on the locked screen until a nurse unlocks it."""
        self.call.setText(tr("kiosk.locked.called", time=called_at) if called_at else "")
        self.call.setVisible(bool(called_at))


class UnlockScreen(KioskScreen):
    """PIN (with a keypad for a tablet without keyboard) or user name and password."""

    back_keys = (QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left),)  # Backspace edits the fields

    submitted = Signal(str, str)
    """User name (may be empty with a PIN) and the PIN or password."""
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=14)
        layout.addWidget(label(tr("kiosk.unlock.title"), "title", self))
        self.username = QLineEdit(self)
        self.username.setPlaceholderText(tr("kiosk.unlock.username"))
        self.username.setAccessibleName(tr("kiosk.unlock.username"))
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(tr("kiosk.unlock.secret"))
        self.secret.setAccessibleName(tr("kiosk.unlock.secret"))
        self._field = self.username
        """The field the on-screen keyboard types into: the one last tapped or focused."""
        for field in (self.username, self.secret):
            layout.addWidget(field)
            field.installEventFilter(self)
        self.username.returnPressed.connect(self.secret.setFocus)
        self.keypad = self._keypad()
        layout.addWidget(self.keypad)
        # letters for a user name and a password: the kiosk session has no system keyboard
        self.keyboard = OnScreenKeyboard(self._typed_into, lower_case=True, parent=self)
        self.keyboard.hide()
        layout.addWidget(self.keyboard)
        # under the keys, so a refusal never moves them under a finger about to tap again
        self.error = label("", "error", self)
        self.error.hide()
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.back = button(tr("kiosk.unlock.cancel"), "secondary", self)
        self.keyboard_button = button(tr("kiosk.keyboard.show"), "secondary", self)
        self.keyboard_button.setCheckable(True)
        self.keyboard_button.toggled.connect(self._show_keyboard)
        self.primary = button(tr("kiosk.unlock.submit"), "primary", self)
        self.back.clicked.connect(self.cancelled)
        self.primary.clicked.connect(
            lambda: self.submitted.emit(self.username.text().strip(), self.secret.text()))
        layout.addLayout(footer(self.back, self.primary, self.keyboard_button))

    def _keypad(self) -> QWidget:
        """Digits for a PIN, in the telephone order, with clear and erase."""
        pad = QWidget(self)
        keypad = QGridLayout()
        keypad.setSpacing(8)
        keys = [*"123456789", "clear", "0", "erase"]
        self.keys: dict[str, QPushButton] = {}
        for position, key in enumerate(keys):
            if key == "clear":
                key_button = button(tr("kiosk.unlock.clear"), "secondary", pad)
                key_button.clicked.connect(self.secret.clear)
            elif key == "erase":
                key_button = button("\u232b", "secondary", pad, name=tr("kiosk.unlock.erase"))
                key_button.clicked.connect(self.secret.backspace)
            else:
                key_button = button(key, "scale", pad)
                key_button.clicked.connect(lambda _checked=False, digit=key: self.secret.insert(digit))
            key_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            keypad.addWidget(key_button, position // 3, position % 3)
            self.keys[key] = key_button
        pad_row = QHBoxLayout(pad)
        pad_row.setContentsMargins(0, 0, 0, 0)
        pad_row.addStretch(1)
        pad_row.addLayout(keypad, 2)
        pad_row.addStretch(1)
        return pad

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in {QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress} and watched in (
                self.username, self.secret):
            self._field = watched
        return False

    def _typed_into(self) -> QLineEdit:
        return self._field

    def _show_keyboard(self, shown: bool) -> None:
        self.keypad.setVisible(not shown)
        self.keyboard.setVisible(shown)
        if shown:
            self._field.setFocus()

    def refused(self, detail: str = "") -> None:
        """Say the unlock failed; ``detail`` is the clinic's own reason (a wait, a lock-out), worded here."""
        self.error.setText(f"{tr('kiosk.unlock.wrong')}\n{detail}" if detail else tr("kiosk.unlock.wrong"))
        self.error.show()
        self.secret.clear()
        self.secret.setFocus()

    def reset(self) -> None:
        self.username.clear()
        self.secret.clear()
        self.error.hide()
        self.keyboard_button.setChecked(False)
        self._field = self.username



class NurseScreen(KioskScreen):
    """Who to hand the tablet to: interrupted runs first, then everyone due today, with a search."""

    back_keys = (QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left),)  # Backspace edits the search

    hand_over = Signal(int)
    take_over = Signal(int, str)
    """The patient whose visit another tablet holds, and that tablet: the nurse takes it over."""
    lock_requested = Signal()
    exit_requested = Signal()

    def __init__(self, staff_name: str, due: Sequence[DuePatient], unfinished: Sequence[Unfinished], *,
                 can_exit: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=12)
        layout.addWidget(label(tr("kiosk.nurse.title"), "title", self))
        layout.addWidget(label(tr("kiosk.nurse.signed_in", name=staff_name), "small", self))
        self.resume_buttons: dict[int, WrapButton] = {}
        self._add_unfinished(layout, unfinished)
        self._add_search(layout)
        self.model = DuePatientModel(due, self)
        self.filter = PatientFilter(self)
        self.filter.setSourceModel(self.model)
        self.list = QListView(self)
        self.list.setModel(self.filter)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        self.list.setAccessibleName(tr("kiosk.nurse.list"))
        layout.addWidget(self.list, 1)
        self.empty = label(tr("kiosk.nurse.none_due"), "body", self)
        self.empty.setVisible(not due)
        layout.addWidget(self.empty)
        self.waiting = waiting_label(self)
        layout.addWidget(self.waiting)
        self._add_notice(layout)
        self.search.textChanged.connect(self.filter.set_query)
        self.search.textChanged.connect(lambda _text: self._update_buttons())
        self.list.doubleClicked.connect(lambda _index: self._hand_over_selected())
        self.back = button(tr("kiosk.nurse.lock"), "secondary", self)
        self.exit_button: QPushButton | None = None
        middle: list[QWidget] = []
        if can_exit:
            self.exit_button = button(tr("kiosk.nurse.exit"), "secondary", self)
            self.exit_button.clicked.connect(self.exit_requested)
            middle.append(self.exit_button)
        self.primary = button(tr("kiosk.nurse.hand_over"), "primary", self)
        self.back.clicked.connect(self.lock_requested)
        self.primary.clicked.connect(self._hand_over_selected)
        layout.addLayout(footer(self.back, self.primary, *middle))
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()  # nothing is chosen for the nurse: Hand over waits for a tap on a patient

    def _add_unfinished(self, layout: QVBoxLayout, unfinished: Sequence[Unfinished]) -> None:
        if not unfinished:
            return
        layout.addWidget(label(tr("kiosk.nurse.unfinished"), "heading", self))
        for run in unfinished[:3]:
            text = tr("kiosk.nurse.resume", name=run.patient.display_name, mrn=run.patient.mrn,
                      answered=run.answered, total=run.total)
            if run.held_by:
                text += f" · {tr('kiosk.nurse.held_by', device=run.held_by)}"
            resume = WrapButton(text, "option", self)
            resume.clicked.connect(lambda _checked=False, pid=run.patient.id: self.hand_over.emit(pid))
            layout.addWidget(resume)
            self.resume_buttons[run.patient.id] = resume

    def _add_search(self, layout: QVBoxLayout) -> None:
        """The search field, and the on-screen keyboard a tablet without a keyboard types into it with."""
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(tr("kiosk.nurse.search"))
        self.search.setAccessibleName(tr("kiosk.nurse.search"))
        self.search.setClearButtonEnabled(True)
        self.keyboard_button = button(tr("kiosk.keyboard.show"), "secondary", self)
        self.keyboard_button.setCheckable(True)
        search_row = QHBoxLayout()
        search_row.setSpacing(12)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.keyboard_button)
        layout.addLayout(search_row)
        self.keyboard = OnScreenKeyboard(self.search, parent=self)
        self.keyboard.hide()
        self.keyboard_button.toggled.connect(self.keyboard.setVisible)
        layout.addWidget(self.keyboard)

    def _add_notice(self, layout: QVBoxLayout) -> None:
        """Why a hand-over was refused, and (when another tablet holds the visit) the way to take it over."""
        self.notice = label("", "error", self)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.take_over_button = button("", "secondary", self)
        self.take_over_button.hide()
        self._take_over_target: tuple[int, str] | None = None
        self.take_over_button.clicked.connect(self._take_over_clicked)
        layout.addWidget(self.take_over_button)

    def _update_buttons(self) -> None:
        if self.primary is not None:
            self.primary.setEnabled(self.selected_patient() is not None)

    def selected_patient(self) -> int | None:
        rows = self.list.selectionModel().selectedIndexes()
        if not rows:
            return None
        return int(rows[0].data(PATIENT_ID_ROLE))

    def select_patient(self, patient_id: int) -> bool:
        for row in range(self.filter.rowCount()):
            index: QModelIndex = self.filter.index(row, 0)
            if index.data(PATIENT_ID_ROLE) == patient_id:
                self.list.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                return True
        return False

    def _hand_over_selected(self) -> None:
        patient_id = self.selected_patient()
        if patient_id is not None:
            self.hand_over.emit(patient_id)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self._take_over_target = None
        self.take_over_button.hide()

    def offer_take_over(self, patient_id: int, device: str) -> None:
        """Under the notice that another tablet holds the visit: the button that takes it over."""
        self._take_over_target = (patient_id, device)
        text = tr("kiosk.nurse.take_over", device=device)
        self.take_over_button.setText(text.replace("&", "&&"))
        self.take_over_button.setAccessibleName(text)
        self.take_over_button.show()

    def _take_over_clicked(self) -> None:
        if self._take_over_target is not None:
            self.take_over.emit(*self._take_over_target)

