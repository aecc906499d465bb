"""The patient's part of the kiosk: one flow of questionnaires shown one screen at a time.

``KioskRunner`` draws what ``QuestionnaireFlow`` says and sends it what the patient does. It knows
nothing of other patients or staff: the kiosk window (or the staff desktop handing over) gives it one
patient's run and takes the tablet back when it signals ``finished`` or ``stopped``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from sijpro.crashlog import record_crash
from sijpro.errors import StorageFull
from sijpro.records import PatientRecord
from sijpro.services.claims import VisitClaimed
from ui.i18n import language as shown_language
from ui.i18n import set_language, tr
from ui.kiosk.flow import QuestionnaireFlow, StepKind
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.review_screen import ReviewScreen
from ui.kiosk.screens import IdentityScreen, InstructionsScreen, KioskScreen, ThanksScreen, WelcomeScreen
from ui.kiosk.style import MIN_FIT, TEXT_STEPS, metrics_for, stylesheet
from ui.kiosk.widgets import button, label

TEXT_SIZE_KEYS = ("kiosk.text_size.normal", "kiosk.text_size.large", "kiosk.text_size.largest")
"""Accessible names of the three text-size buttons, smallest first."""

WIDE_HEADER = 1000
"""Narrower than this (a tablet held upright), the header drops the words "Text size"."""

SETTLE_SECONDS = 0.4
"""Taps on a screen shown less than this long ago are ignored: the second tap of a double tap (150-200 ms
later) never acts on the screen the first one opened, and no hand aims at a new screen faster."""

FIT_BISECTIONS = 4
"""Halvings of [MIN_FIT, 1] when a screen does not fit: the text ends within 2.5 % of the largest that fits."""


class KioskRunner(QWidget):
    """Header (progress, text size, stop) over the current screen of one patient's run."""

    finished = Signal()
    """The patient submitted and was thanked: lock the tablet."""
    stopped = Signal()
    """The patient (or a timeout) stopped before submitting; the answers given so far are saved."""
    text_step_changed = Signal(int)
    wrong_person = Signal()
    """The person holding the tablet said they are not the patient shown: lock, and tell the nurse."""

    def __init__(self, flow: QuestionnaireFlow, patient: PatientRecord, *,
                 remember_language: Callable[[str], None] | None = None, text_step: int = 0,
                 settle_seconds: float = SETTLE_SECONDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.settle_seconds = settle_seconds
        self.patient = patient
        self.text_step = text_step
        self._remember_language = remember_language
        self._fit = 1.0
        self.screen: KioskScreen | None = None
        self._review_page = 0
        self._review_page_size = 0
        self._styled_for: tuple[QSize, int] | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = QFrame(self)
        self.header.setObjectName("kioskHeader")
        bar = QHBoxLayout(self.header)
        bar.setContentsMargins(16, 4, 16, 4)
        bar.setSpacing(10)
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
        self.stop_button = button("", "tool", self.header)
        self.stop_button.clicked.connect(self.stop_requested)
        bar.addSpacing(12)
        bar.addWidget(self.stop_button)
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
        flow.load_saved()
        self.show_current()

    # --- header -------------------------------------------------------------------------------------

    def _retranslate_header(self) -> None:
        self.text_size_label.setText(tr("kiosk.text_size"))
        for step, key in enumerate(TEXT_SIZE_KEYS):
            self.text_buttons.button(step).setAccessibleName(tr(key))
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
        self._apply_style()
        self.text_step_changed.emit(step)
        self.show_current()

    def _style_size(self) -> QSize:
        """The size text is scaled for: the whole window's (the runner fills it on a tablet)."""
        window = self.window()
        size = window.size() if window is not self or self.isVisible() else self.size()
        return size if size.width() > 1 else QSize(1280, 800)

    def _apply_style(self) -> None:
        key = (self._style_size(), self.text_step)
        if key != self._styled_for:
            self._styled_for = key
            self.setStyleSheet(stylesheet(metrics_for(key[0], self.text_step)))

    def stop_requested(self) -> None:
        if self.stop_confirm is not None:
            self.stop_confirm()
        else:
            self.stopped.emit()

    # --- screens ------------------------------------------------------------------------------------

    def show_current(self) -> None:
        """Build the screen of the flow's current step and put it in place of the previous one."""
        self._retranslate_header()
        screen = self._build_screen()
        old = self.screen
        self.screen = screen
        self.stack.addWidget(screen)
        self.fit_screen()
        self.stack.setCurrentWidget(screen)
        screen.hold_taps(self.settle_seconds)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        primary = screen.primary if screen.enter_presses_primary else None
        focus: QWidget | None = primary if primary is not None and primary.isEnabled() else None
        if isinstance(screen, QuestionScreen):
            # Focus on the answer given, never on a suggested one: an unanswered question focuses the page.
            answered, value = self.flow.answer(self.flow.current)
            focus = screen.choices.get(value) if answered and value is not None else None
            focus = focus or (screen.skip if answered and value is None else None)
        (focus or screen).setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_screen(self) -> KioskScreen:
        flow = self.flow
        step = flow.current
        language = flow.language
        if step.kind is StepKind.IDENTITY:
            patient = self.patient
            born = QLocale(shown_language()).toString(patient.birth_date, "d MMMM yyyy") if patient.birth_date else ""
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
            question.show_answer(*flow.answer(step))
            question.answered.connect(self._answered)
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
        """Shrink the current screen's text just enough to fit the room without scrolling.

        Most screens fit at the chosen size; the busiest (seven ODI statements at the largest text on a
        landscape tablet) get the largest factor that fits, found by bisection between MIN_FIT and 1.
        """
        screen = self.screen
        if screen is None:
            return
        self._apply_style()
        self.layout().activate()
        room = self.stack.size() if self.stack.width() > 1 else self._room_estimate()
        window = self._style_size()

        def fits(factor: float) -> bool:
            screen.setStyleSheet("" if factor >= 1.0 else stylesheet(metrics_for(window, self.text_step, factor)))
            screen.ensurePolished()
            screen.prepare(room)
            needed = screen.needed_size(room.width())
            return needed.width() <= room.width() and needed.height() <= room.height()

        self._fit = 1.0
        if not fits(1.0):
            low, high = MIN_FIT, 1.0
            for _ in range(FIT_BISECTIONS):
                middle = (low + high) / 2
                low, high = (middle, high) if fits(middle) else (low, middle)
            self._fit = low
            fits(low)
        if isinstance(screen, ReviewScreen):
            screen.show_page(self._review_page)

    def _room_estimate(self) -> QSize:
        return QSize(max(1, self.width()), max(1, self.height() - self.header.sizeHint().height() - 10))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.text_size_label.setVisible(self.width() >= WIDE_HEADER)  # on an upright tablet the A's suffice
        self.fit_screen()

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
        self.show_current()

    def _answered(self, value: int | None) -> None:
        screen = self.screen
        if not isinstance(screen, QuestionScreen):
            return
        try:
            self.flow.select(value)
        except VisitClaimed as refused:  # a nurse took the visit over on another tablet
            screen.show_error(tr("kiosk.error.taken_over", device=refused.holder.device))
            screen.show_answer(*self.flow.answer(self.flow.current))
            return
        except StorageFull:  # trying again will not help: the nurse must be fetched
            screen.show_error(tr("kiosk.error.disk_full"))
            screen.show_answer(*self.flow.answer(self.flow.current))
            return
        except Exception as error:  # a database that went away: say so, keep the last saved state
            record_crash(error)
            screen.show_error(tr("kiosk.error.save"))
            screen.show_answer(*self.flow.answer(self.flow.current))
            return
        screen.show_error("")
        screen.show_answer(True, value)
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
