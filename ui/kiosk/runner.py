"""The patient's part of the kiosk: one flow of questionnaires shown one screen at a time.

``KioskRunner`` draws what ``QuestionnaireFlow`` says and sends it what the patient does. It knows
nothing of other patients or staff: the kiosk window (or the staff desktop handing over) gives it one
patient's run and takes the tablet back when it signals ``finished`` or ``stopped``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sijpro.crashlog import record_crash
from sijpro.errors import StorageFull
from sijpro.i18n import long_date
from sijpro.records import PatientRecord
from sijpro.services.claims import VisitClaimed
from ui.i18n import language as shown_language
from ui.i18n import set_language, tr
from ui.kiosk.flow import QuestionnaireFlow, StepKind
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import IdentityScreen, InstructionsScreen, KioskScreen, ThanksScreen, WelcomeScreen
from ui.kiosk.style import CONTRASTS, TEXT_STEPS, metrics_for, stylesheet
from ui.kiosk.widgets import button, label

TEXT_SIZE_KEYS = ("kiosk.text_size.normal", "kiosk.text_size.large", "kiosk.text_size.largest")
"""Accessible names of the three text-size buttons, smallest first."""

WIDE_HEADER = 1000
"""Narrower than this at the normal text (a tablet held upright; wider at larger texts), the header drops
the words "Text size" and puts the progress on a row of its own."""

SETTLE_SECONDS = 0.4
"""Taps on a screen shown less than this long ago are ignored: the second tap of a double tap (150-200 ms
later) never acts on the screen the first one opened, and no hand aims at a new screen faster."""



SCROLL_BAR_WIDTH = 40
"""The finger-wide vertical scroll bar of kiosk.qss, taken from the width when a screen scrolls."""
MIN_WIDTH_FIT = 0.6
FIT_BISECTIONS = 4
"""Halvings of [MIN_WIDTH_FIT, 1] for a row too wide for the screen: within 2.5 % of the largest that fits."""


def screen_scroller(screen: QWidget, parent: QWidget) -> QScrollArea:
    """The screen in a vertical scroll area that only scrolls when the chosen text makes it too tall."""
    scroller = QScrollArea(parent)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidgetResizable(True)
    scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroller.setWidget(screen)
    return scroller


class KioskRunner(QWidget):
    """Header (progress, text size, stop) over the current screen of one patient's run."""

    finished = Signal()
    """The patient submitted and was thanked: lock the tablet."""
    stopped = Signal()
    """The patient (or a timeout) stopped before submitting; the answers given so far are saved."""
    text_step_changed = Signal(int)
    call_requested = Signal()
    """The patient asks for a nurse (the window passes it on, and says when it has)."""
    contrast_changed = Signal(str)
    """"standard" or "high": the window around the run takes the same theme."""
    wrong_person = Signal()
    """The person holding the tablet said they are not the patient shown: lock, and tell the nurse."""

    def __init__(self, flow: QuestionnaireFlow, patient: PatientRecord, *,
                 remember_language: Callable[[str], None] | None = None, text_step: int = 0,
                 settle_seconds: float = SETTLE_SECONDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.settle_seconds = settle_seconds
        self.patient = patient
        flow.load_saved()
        saved = flow.saved_display
        self.text_step = saved[0] if saved is not None and 0 <= saved[0] < len(TEXT_STEPS) else text_step
        self.contrast = saved[1] if saved is not None and saved[1] in CONTRASTS else "standard"
        self.nurse_called = False
        self.setProperty("contrast", self.contrast)
        text_step = self.text_step
        self._remember_language = remember_language
        self._fit = 1.0
        self.screen: KioskScreen | None = None
        self._review_page = 0
        self._review_page_size = 0
        self._styled_for: tuple[QSize, int, str] | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self._build_header(text_step)
        outer.addWidget(self.header)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(8)
        self.progress_bar.setRange(0, flow.total_questions)
        outer.addWidget(self.progress_bar)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.stop_confirm: Callable[[], None] | None = None
        set_language(patient.language if patient.language in {"en", "fr"} else "en")
        self.show_current()

    # --- header -------------------------------------------------------------------------------------

    def _build_header(self, text_step: int) -> None:
        """Progress, the three text sizes, contrast and Stop: the same on every screen of the run."""
        self.header = QFrame(self)
        self.header.setObjectName("kioskHeader")
        rows = QVBoxLayout(self.header)
        rows.setContentsMargins(16, 4, 16, 4)
        rows.setSpacing(4)
        self._progress_row = QHBoxLayout()  # holds the progress on an upright tablet, above the buttons
        bar = QHBoxLayout()
        bar.setSpacing(10)
        rows.addLayout(self._progress_row)
        rows.addLayout(bar)
        self._bar = bar
        bar.addStretch(0)  # pushes the buttons right when the progress is on the row above
        self.progress_label = label("", "progress", self.header)
        bar.addWidget(self.progress_label, 1)
        self.text_size_label = label("", "small", self.header, wrap=False)
        bar.addWidget(self.text_size_label)
        self.text_buttons = QButtonGroup(self)
        for step in range(len(TEXT_STEPS)):
            choice = button("A", "tool", self.header)
            choice.setProperty("step", step)
            choice.setCheckable(True)
            choice.setChecked(step == text_step)
            self.text_buttons.addButton(choice, step)
            bar.addWidget(choice)
        self.text_buttons.idClicked.connect(self.set_text_step)
        self.contrast_button = button("", "tool", self.header)
        self.contrast_button.setCheckable(True)
        self.contrast_button.setChecked(self.contrast == "high")
        self.contrast_button.clicked.connect(lambda checked: self.set_contrast("high" if checked else "standard"))
        bar.addSpacing(12)
        bar.addWidget(self.contrast_button)
        self.call_button = button("", "tool", self.header)
        self.call_button.clicked.connect(self.call_requested)
        bar.addSpacing(12)
        bar.addWidget(self.call_button)
        self.stop_button = button("", "tool", self.header)
        self.stop_button.clicked.connect(self.stop_requested)
        bar.addSpacing(12)
        bar.addWidget(self.stop_button)

    def _retranslate_header(self) -> None:
        self.text_size_label.setText(tr("kiosk.text_size"))
        for step, key in enumerate(TEXT_SIZE_KEYS):
            self.text_buttons.button(step).setAccessibleName(tr(key))
        self.contrast_button.setText(tr("kiosk.contrast"))
        self.contrast_button.setAccessibleName(tr("kiosk.contrast.name"))
        self.call_button.setText(tr("kiosk.call.called") if self.nurse_called else tr("kiosk.call"))
        self.call_button.setAccessibleName(self.call_button.text())
        self.stop_button.setText(tr("kiosk.stop"))
        self.stop_button.setAccessibleName(tr("kiosk.stop"))
        step = self.flow.current
        if step.kind is StepKind.QUESTION:
            progress = tr("kiosk.progress", number=step.number, total=self.flow.total_questions)
            progress += f" · {self.flow.instrument_of(step).short_title[self.flow.language]}"
        elif step.kind is StepKind.REVIEW:
            progress = tr("kiosk.review.title")
        else:
            progress = ""
        self.progress_label.setText(progress)
        self.progress_bar.setValue(self.flow.answered_count)
        self.header.setVisible(step.kind is not StepKind.THANKS)
        self.progress_bar.setVisible(step.kind is not StepKind.THANKS)

    def set_text_step(self, step: int) -> None:
        """The patient's text size: kept for this run, applied by the window's stylesheet."""
        self.text_step = step
        self.text_buttons.button(step).setChecked(True)
        self._arrange_header()
        self._apply_style()
        self._remember_display()
        self.text_step_changed.emit(step)
        self.show_current()

    def show_nurse_called(self) -> None:
        """The call went out: the button says so, and the patient may carry on or wait."""
        self.nurse_called = True
        self._retranslate_header()

    def set_contrast(self, contrast: str) -> None:
        """The high-contrast theme (light on dark) or the standard one, kept with the answers like the size."""
        self.contrast = contrast
        self.contrast_button.setChecked(contrast == "high")
        self.setProperty("contrast", contrast)
        self._apply_style()
        self._remember_display()
        self.contrast_changed.emit(contrast)
        self.show_current()

    def _remember_display(self) -> None:
        """The text size and contrast go with the answers, so a resumed run comes back as it was read."""
        try:
            self.flow.set_display(self.text_step, self.contrast)
        except Exception as error:  # a convenience: never block the questions on it
            record_crash(error)

    def _style_size(self) -> QSize:
        """The size text is scaled for: the whole window's (the runner fills it on a tablet)."""
        window = self.window()
        size = window.size() if window is not self or self.isVisible() else self.size()
        return size if size.width() > 1 else QSize(1280, 800)

    def _apply_style(self) -> None:
        key = (self._style_size(), self.text_step, self.contrast)
        if key != self._styled_for:
            self._styled_for = key
            self.setStyleSheet(stylesheet(metrics_for(key[0], self.text_step), self.contrast))

    def stop_requested(self) -> None:
        if self.stop_confirm is not None:
            self.stop_confirm()
        else:
            self.stopped.emit()

    # --- screens ------------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Build the screen of the flow's current step and put it in place of the previous one."""
        self._retranslate_header()
        old = self.screen
        if isinstance(old, ReviewScreen) and self.flow.current.kind is StepKind.REVIEW:
            self._review_page = old.page  # the same review again (after the idle prompt): on its page
        screen = self._build_screen()
        self.screen = screen
        scroller = screen_scroller(screen, self.stack)
        self.stack.addWidget(scroller)
        self.fit_screen()
        self.stack.setCurrentWidget(scroller)
        screen.hold_taps(self.settle_seconds)
        if old is not None:
            old_scroller = old.parentWidget().parentWidget() if old.parentWidget() is not None else None
            if isinstance(old_scroller, QScrollArea):
                self.stack.removeWidget(old_scroller)
                old_scroller.deleteLater()
        primary = screen.primary if screen.enter_presses_primary else None
        focus: QWidget | None = primary if primary is not None and primary.isEnabled() else None
        if isinstance(screen, QuestionScreen):
            # Focus on the answer given, never on a suggested one: an unanswered question focuses the page.
            answered, value = self.flow.answer(self.flow.current)
            focus = screen.choices.get(value) if answered and value is not None else None
            if answered and value is None:
                focus = screen.alternative if self.flow.alternative_chosen(self.flow.current) else screen.skip
        (focus or screen).setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_screen(self) -> KioskScreen:
        flow = self.flow
        step = flow.current
        language = flow.language
        if step.kind is StepKind.IDENTITY:
            patient = self.patient
            born = long_date(shown_language(), patient.birth_date) if patient.birth_date else ""
            identity = IdentityScreen(f"{patient.given_name} {patient.family_name}".strip(), born)
            identity.confirmed.connect(self._identity_confirmed)
            identity.not_me.connect(self.wrong_person)
            return identity
        if step.kind is StepKind.WELCOME:
            first = flow.first_unanswered()
            resume_at = (first.number if first is not None else flow.total_questions) if flow.resumed else None
            welcome = WelcomeScreen(self.patient.given_name, resume_at, flow.total_questions)
            welcome.language_chosen.connect(self._language_chosen)
            return welcome
        if step.kind is StepKind.INSTRUCTIONS:
            instructions = InstructionsScreen(flow.instrument_of(step), step.questionnaire + 1,
                                              len(flow.instruments), language)
            instructions.go_next.connect(self._advance)
            instructions.go_back.connect(self._back)
            return instructions
        if step.kind is StepKind.QUESTION and step.item is not None:
            question = QuestionScreen(flow.instrument_of(step), step.item, language,
                                      editing=flow.editing_from_review)
            question.show_answer(*flow.answer(step), flow.alternative_chosen(step))
            question.answered.connect(self._answered)
            question.alternative_chosen.connect(self._alternative)
            question.go_next.connect(self._advance)
            question.go_back.connect(self._back)
            return question
        if step.kind is StepKind.REVIEW:
            review = ReviewScreen(flow.review_lines(), language)
            review.edit.connect(self._edit)
            review.submit.connect(self._submit)
            review.go_back.connect(self._back)
            return review
        thanks = ThanksScreen(self.patient.given_name)
        thanks.done.connect(self.finished)
        return thanks

    def fit_screen(self) -> None:
        """Lay the current screen out at the text size the patient chose; taller than the room, it scrolls.

        A screen taller than the room (seven ODI statements at the largest text on a landscape tablet)
        scrolls, with a finger-wide scroll bar, rather than shrinking what the patient asked to read; the
        review pages its rows to the room instead. Only a row that cannot wrap and is wider than the
        screen (eleven scale buttons at the largest text on an upright tablet) has its text made just
        small enough to fit the width, found by bisection: a scale is never scrolled sideways.
        """
        screen = self.screen
        if screen is None:
            return
        self._apply_style()
        self.layout().activate()
        room = self.stack.size() if self.stack.width() > 1 else self._room_estimate()
        window = self._style_size()

        def fits(factor: float) -> bool:
            screen.setStyleSheet("" if factor >= 1.0 else
                                 stylesheet(metrics_for(window, self.text_step, factor), self.contrast))
            screen.ensurePolished()
            screen.prepare(room)
            needed = screen.needed_size(room.width())
            width = room.width() - (SCROLL_BAR_WIDTH if needed.height() > room.height() else 0)
            return needed.width() <= width

        self._fit = 1.0
        if not fits(1.0):
            low, high = MIN_WIDTH_FIT, 1.0
            for _ in range(FIT_BISECTIONS):
                middle = (low + high) / 2
                low, high = (middle, high) if fits(middle) else (low, middle)
            self._fit = low
            fits(low)
        if isinstance(screen, ReviewScreen):
            screen.show_page(self._review_page)

    @property
    def scrolls(self) -> bool:
        """The current screen is taller than the room: the patient scrolls to its end."""
        scroller = self.stack.currentWidget()
        return isinstance(scroller, QScrollArea) and scroller.verticalScrollBar().maximum() > 0

    def _room_estimate(self) -> QSize:
        return QSize(max(1, self.width()), max(1, self.height() - self.header.sizeHint().height() - 10))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange_header()
        self.fit_screen()

    def _arrange_header(self) -> None:
        """One row on a wide screen; on a narrower one (or at a larger text) "Text size" goes and the
        progress moves above the buttons, so that "Call a nurse" keeps its words at every size."""
        wide = self.width() >= WIDE_HEADER * TEXT_STEPS[self.text_step]
        self.text_size_label.setVisible(wide)
        in_bar = self._bar.indexOf(self.progress_label) >= 0
        if wide and not in_bar:
            self._progress_row.removeWidget(self.progress_label)
            self._bar.insertWidget(1, self.progress_label, 1)
        elif not wide and in_bar:
            self._bar.removeWidget(self.progress_label)
            self._progress_row.addWidget(self.progress_label, 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        screen = self.screen
        if screen is not None and screen.handle_key(event):
            event.accept()
            return
        key = event.key()
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if key in {Qt.Key.Key_Up, Qt.Key.Key_Left} and not alt:
            self.focusNextPrevChild(False)
        elif key in {Qt.Key.Key_Down, Qt.Key.Key_Right}:
            self.focusNextPrevChild(True)
        else:
            event.ignore()

    # --- what the patient did -----------------------------------------------------------------------

    def _identity_confirmed(self) -> None:
        self.flow.confirm_identity()
        self.show_current()

    def _language_chosen(self, code: str) -> None:
        set_language(code)
        if self._remember_language is not None and code != self.patient.language:
            try:
                self._remember_language(code)
            except Exception as error:  # the language is a convenience: never block the questions on it
                record_crash(error)
        self.flow.start(code)
        if (self.text_step, self.contrast) != (0, "standard") or self.flow.saved_display is not None:
            self._remember_display()
        self.show_current()

    def _alternative(self) -> None:
        self._answered(None, alternative=True)

    def _answered(self, value: int | None, *, alternative: bool = False) -> None:
        screen = self.screen
        if not isinstance(screen, QuestionScreen):
            return
        try:
            if alternative:
                self.flow.choose_alternative()
            else:
                self.flow.select(value)
        except VisitClaimed as refused:  # a nurse took the visit over on another tablet
            screen.show_error(tr("kiosk.error.taken_over", device=refused.holder.device))
            screen.show_answer(*self.flow.answer(self.flow.current), self.flow.alternative_chosen(self.flow.current))
            return
        except StorageFull:  # trying again will not help: the nurse must be fetched
            screen.show_error(tr("kiosk.error.disk_full"))
            screen.show_answer(*self.flow.answer(self.flow.current))
            return
        except Exception as error:  # a database that went away: say so, keep the last saved state
            record_crash(error)
            screen.show_error(tr("kiosk.error.save"))
            screen.show_answer(*self.flow.answer(self.flow.current), self.flow.alternative_chosen(self.flow.current))
            return
        screen.show_error("")
        screen.show_answer(True, value, alternative)
        self.progress_bar.setValue(self.flow.answered_count)

    def _advance(self) -> None:
        if self.flow.can_advance():
            if self.flow.editing_from_review:
                self._review_page_for(self.flow.current.number)
            self.flow.advance()
            self.show_current()

    def _back(self) -> None:
        if self.flow.editing_from_review:
            self._review_page_for(self.flow.current.number)
        if self.flow.editing_from_review or self.flow.can_go_back():
            self.flow.go_back()
            self.show_current()

    def _review_page_for(self, number: int) -> None:
        size = self._review_page_size
        self._review_page = (number - 1) // size if size else 0

    def _edit(self, number: int) -> None:
        if isinstance(self.screen, ReviewScreen):
            self._review_page_size = self.screen.page_size
        self.flow.edit(number)
        self.show_current()

    def _submit(self) -> None:
        screen = self.screen
        try:
            self.flow.submit()
        except Exception as error:
            record_crash(error)
            if isinstance(screen, ReviewScreen):
                screen.page_label.setText(tr("kiosk.error.submit"))
                screen.page_label.setVisible(True)
            return
        self._review_page = 0
        self.show_current()
