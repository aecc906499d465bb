"""Patient screens around the questions: welcome with the language choice, instructions, thanks.

Each screen is built for one step of the flow and thrown away after it; it only signals what the
patient did, and the runner decides what happens next.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QPushButton, QVBoxLayout, QWidget

from sijpro.instruments import Instrument
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, tr, tr_in
from ui.kiosk.widgets import button, label

PAGE_MARGIN = 24
"""Left and right margin of a page: enough to keep a thumb resting on the bezel off the answers."""


class KioskScreen(QWidget):
    """A full-window page: a primary action on Enter, Back on Alt+Left (and Backspace, without text fields).

    Back keys are shortcuts because a focused push button would take Alt+Left as "focus the previous
    button"; a shortcut of a hidden or disabled (overlaid) screen does not fire.
    """

    back_keys: tuple[QKeySequence, ...] = (
        QKeySequence(Qt.Key.Key_Backspace), QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left),
    )
    enter_presses_primary = True
    """Enter (and the first keyboard focus) goes to the primary action; not on a screen that sends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("screen", True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.primary: QPushButton | None = None
        self.back: QPushButton | None = None
        for sequence in self.back_keys:
            shortcut = QShortcut(sequence, self)
            shortcut.activated.connect(self.press_back)

    def press_back(self) -> None:
        _press(self.back)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Act on a key nobody else took; True when it was used."""
        if event.key() in {Qt.Key.Key_Return, Qt.Key.Key_Enter}:
            return _press(self.primary) if self.enter_presses_primary else True
        return False

    def hold_taps(self, seconds: float) -> None:
        """Ignore taps for ``seconds`` after the screen appears.

        A double tap on the button that brought this screen lands its second tap here 150-200 ms later:
        the screen lets mouse (and touch-made mouse) events fall through to the window, which drops them,
        until a hand could have moved on purpose.
        """
        if seconds <= 0:
            return
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        QTimer.singleShot(round(seconds * 1000), self, self.release_taps)

    def release_taps(self) -> None:
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, False)

    @property
    def taking_taps(self) -> bool:
        return not self.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def needed_size(self, width: int) -> QSize:
        """The smallest size that shows everything at ``width`` (height-for-width aware)."""
        layout = self.layout()
        if layout is None:
            return QSize(0, 0)
        _invalidate(layout)  # a child shown or hidden while the page is off screen leaves stale sizes
        minimum = layout.totalMinimumSize()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else minimum.height()
        return QSize(minimum.width(), max(height, minimum.height()))

    def prepare(self, size: QSize) -> None:
        """Adapt to the room available before the size check (the review pages its rows here)."""


def _invalidate(layout: QLayout) -> None:
    layout.invalidate()
    for index in range(layout.count()):
        item = layout.itemAt(index)
        child = item.layout() if item is not None else None
        if child is not None:
            _invalidate(child)


def _press(target: QPushButton | None) -> bool:
    if target is None or not target.isVisible() or not target.isEnabled():
        return False
    target.click()
    return True


def page_layout(screen: QWidget, spacing: int = 12) -> QVBoxLayout:
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(PAGE_MARGIN, 12, PAGE_MARGIN, 12)
    layout.setSpacing(spacing)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    return layout


def footer(back: QPushButton | None, primary: QPushButton | None, *middle: QWidget) -> QHBoxLayout:
    """Back on the left, the way forward on the right, where a thumb expects them.

    ``middle`` widgets sit in the centre quarter-columns, clear of where the way forward is on other screens.
    """
    row = QHBoxLayout()
    row.setSpacing(16)
    if back is not None:
        row.addWidget(back, 1)
    row.addStretch(1 if middle else 2)
    for widget in middle:
        row.addWidget(widget, 1)
    if middle:
        row.addStretch(1)
    if primary is not None:
        row.addWidget(primary, 1)
    return row


class IdentityScreen(KioskScreen):
    """"Is this you?": the full name and birth date the nurse chose, before anything else is shown.

    The two answers sit in the middle of the page, stacked, so the nurse's "Hand over" tap (bottom right)
    repeated by accident finds neither of them.
    """

    confirmed = Signal()
    not_me = Signal()

    def __init__(self, full_name: str, born: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=24)
        layout.addStretch(1)
        for text, role in ((tr("kiosk.identity.title"), "question"), (full_name, "title"),
                           (tr("kiosk.identity.born", date=born) if born else "", "question")):
            if text:
                line = label(text, role, self)
                line.setAlignment(Qt.AlignmentFlag.AlignCenter)
                layout.addWidget(line)
        layout.addSpacing(16)
        self.primary = button(tr("kiosk.identity.yes"), "primary", self)
        self.no = button(tr("kiosk.identity.no"), "secondary", self)
        self.primary.clicked.connect(self.confirmed)
        self.no.clicked.connect(self.not_me)
        add_centered(layout, self.primary)
        add_centered(layout, self.no)
        layout.addStretch(2)

    enter_presses_primary = False
    """A key pressed by whoever holds the tablet says nothing about who they are: only a tap confirms."""


class WelcomeScreen(KioskScreen):
    """Greets the patient by first name and asks the language, in both languages."""

    language_chosen = Signal(str)

    def __init__(self, first_name: str, resume_at: int | None, total: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=24)
        layout.addStretch(1)
        hello = label(tr("kiosk.welcome.hello", name=first_name), "title", self)
        hello.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hello)
        if resume_at is None:
            intro = tr("kiosk.welcome.intro", total=total)
        else:
            intro = tr("kiosk.welcome.resume", number=resume_at, total=total)
        intro_label = label(intro, "body", self)
        intro_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(intro_label)
        for code in LANGUAGES:
            prompt = label(tr_in(code, "kiosk.welcome.choose_language"), "question", self)
            prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(prompt)
        row = QHBoxLayout()
        row.setSpacing(32)
        row.addStretch(1)
        self.language_buttons: dict[str, QPushButton] = {}
        for code in LANGUAGES:
            choice = button(LANGUAGE_NAMES[code], "language", self)
            choice.clicked.connect(lambda _checked=False, code=code: self.language_chosen.emit(code))
            row.addWidget(choice, 2)
            self.language_buttons[code] = choice
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Digits pick a language in the order shown (1 English, 2 French)."""
        index = event.key() - Qt.Key.Key_1
        if 0 <= index < len(LANGUAGES):
            self.language_buttons[LANGUAGES[index]].click()
            return True
        return super().handle_key(event)


class InstructionsScreen(KioskScreen):
    """The instrument's own title and instructions, in its published wording."""

    go_next = Signal()
    go_back = Signal()

    def __init__(self, instrument: Instrument, number: int, count: int, language: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self)
        if count > 1:
            layout.addWidget(label(tr("kiosk.instructions.part", number=number, count=count), "heading", self))
        layout.addWidget(label(instrument.title[language], "title", self))
        layout.addWidget(label(instrument.instructions[language], "lead", self))
        layout.addStretch(1)
        self.back = button(tr("kiosk.back"), "secondary", self)
        self.primary = button(tr("kiosk.start"), "primary", self)
        self.back.clicked.connect(self.go_back)
        self.primary.clicked.connect(self.go_next)
        layout.addLayout(footer(self.back, self.primary))


class ThanksScreen(KioskScreen):
    """The end: thanks, and the one thing left to do, give the tablet back."""

    done = Signal()

    def __init__(self, first_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = page_layout(self, spacing=28)
        layout.addStretch(1)
        for text, role in (
            (tr("kiosk.thanks.title", name=first_name), "title"),
            (tr("kiosk.thanks.saved"), "question"),
            (tr("kiosk.thanks.hand_back"), "question"),
        ):
            line = label(text, role, self)
            line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(line)
        layout.addStretch(1)
        self.primary = button(tr("kiosk.thanks.done"), "primary", self)
        self.primary.clicked.connect(self.done)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.primary, 1)
        row.addStretch(1)
        layout.addLayout(row)


def add_centered(layout: QBoxLayout, widget: QWidget) -> None:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget, 2)
    row.addStretch(1)
    layout.addLayout(row)
