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
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sijpro.errors import StorageFull
from sijpro.i18n import long_date
from sijpro.logs import record_crash
from sijpro.records import PatientRecord
from sijpro.services.claims import VisitClaimed
from ui.i18n import language as shown_language
from ui.i18n import set_language, tr
from ui.kiosk.flow import QuestionnaireFlow, StepKind
from ui.kiosk.question_screen import QuestionScreen
from ui.kiosk.reflow import ReflowRow
from ui.kiosk.review_screen import ReviewScreen, page_holding
from ui.kiosk.screens import IdentityScreen, InstructionsScreen, KioskScreen, ThanksScreen, WelcomeScreen
from ui.kiosk.style import CONTRASTS, TEXT_STEPS, metrics_for, stylesheet
from ui.kiosk.widgets import button, label, settle_layouts

TEXT_SIZE_KEYS = ("kiosk.text_size.normal", "kiosk.text_size.large", "kiosk.text_size.largest")
"""Accessible names of the three text-size buttons, smallest first."""

SETTLE_SECONDS = 0.4
"""Taps on a screen shown less than this long ago are ignored: the second tap of a double tap (150-200 ms
later) never acts on the screen the first one opened, and no hand aims at a new screen faster."""



def screen_scroller(screen: QWidget, parent: QWidget) -> QScrollArea:
    """The screen in a vertical scroll area that only scrolls when the chosen text makes it too tall.

    Never sideways: every row of the screen breaks onto more lines rather than run past the edge. A finger
    dragged on the page scrolls it (a tap still taps), the scroll bar is a finger wide (kiosk.qss), and
    whatever takes the keyboard focus is scrolled into view.
    """
    scroller = QScrollArea(parent)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidgetResizable(True)
    scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroller.setWidget(screen)
    QScroller.grabGesture(scroller.viewport(), QScroller.ScrollerGestureType.TouchGesture)
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
        self.page: KioskScreen | None = None
        """The screen shown now (one per step of the flow)."""
        self._styled_for: tuple[QSize, int, str] | None = None
        self._review_page = 0
        self._review_page_starts: list[int] = [0]

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
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._show_focused)
        self.show_current()

    def _show_focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        """What takes the keyboard focus (a digit typed, an arrow key) is scrolled into view."""
        scroller = self.stack.currentWidget()
        if not isinstance(scroller, QScrollArea):
            return
        page = scroller.widget()
        if new is not None and page is not None and new is not page and page.isAncestorOf(new):
            scroller.ensureWidgetVisible(new, 0, 16)

    # --- header -------------------------------------------------------------------------------------

    def _build_header(self, text_step: int) -> None:
        """Progress, the three text sizes, contrast, the nurse call and Stop: the same on every screen.

        One row where it fits at the chosen text size; on an upright tablet or at a larger text the row
        breaks onto a second line (the words "Text size" go first), so every tool keeps its words whole.
        """
        self.header = QFrame(self)
        self.header.setObjectName("kioskHeader")
        rows = QVBoxLayout(self.header)
        rows.setContentsMargins(16, 4, 16, 4)
        self._header_rows = rows
        self.progress_label = label("", "progress", self.header)
        sizes = QWidget(self.header)
        sizes_row = QHBoxLayout(sizes)
        sizes_row.setContentsMargins(0, 0, 0, 0)
        sizes_row.setSpacing(10)
        self._sizes_row = sizes_row
        self.text_size_label = label("", "body", sizes, wrap=False)
        sizes_row.addWidget(self.text_size_label)
        self.text_buttons = QButtonGroup(self)
        for step in range(len(TEXT_STEPS)):
            choice = button("A", "tool", sizes)
            choice.setProperty("step", step)
            choice.setCheckable(True)
            choice.setChecked(step == text_step)
            self.text_buttons.addButton(choice, step)
            sizes_row.addWidget(choice)
        self.text_buttons.idClicked.connect(self.set_text_step)
        self.contrast_button = button("", "tool")
        self.contrast_button.setCheckable(True)
        self.contrast_button.setChecked(self.contrast == "high")
        self.contrast_button.clicked.connect(lambda checked: self.set_contrast("high" if checked else "standard"))
        self.call_button = button("", "tool")
        self.call_button.clicked.connect(self.call_requested)
        self.stop_button = button("", "tool")
        self.stop_button.clicked.connect(self.stop_requested)
        self.tools = ReflowRow([self.progress_label, sizes, self.contrast_button, self.call_button,
                                self.stop_button], spacing=16, line_spacing=4, stretch=[1, 0, 0, 0, 0],
                               align_end=True, parent=self.header)
        rows.addWidget(self.tools)

    def _retranslate_header(self) -> None:
        self.text_size_label.setText(tr("kiosk.text_size"))
        for size, key in enumerate(TEXT_SIZE_KEYS):
            self.text_buttons.button(size).setAccessibleName(tr(key))
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
        self._arrange_header()

    def set_text_step(self, step: int) -> None:
        """The patient's text size: kept for this run, applied by the window's stylesheet."""
        self.text_step = step
        self.text_buttons.button(step).setChecked(True)
        self._apply_style()
        self._arrange_header()
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
        """The run's stylesheet at the text size the patient chose (never a smaller one to fit)."""
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
        old = self.page
        if isinstance(old, ReviewScreen) and self.flow.current.kind is StepKind.REVIEW:
            self._review_page = old.page  # the same review again (after the idle prompt): on its page
        screen = self._build_screen()
        self.page = screen
        scroller = screen_scroller(screen, self.stack)
        self.stack.addWidget(scroller)
        self.fit_screen()
        self.stack.setCurrentWidget(scroller)
        settle_layouts()
        screen.hold_taps(self.settle_seconds)
        if old is not None:
            viewport = old.parentWidget()
            old_scroller = viewport.parentWidget() if viewport is not None else None
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

        The text is never made smaller to fit (what the patient chose to read is what is drawn): rows that
        cannot wrap break onto more lines (``ui.kiosk.reflow``) and a screen taller than the room (seven ODI
        statements at the largest text on a landscape tablet) scrolls, with a finger-wide scroll bar. The
        review pages its rows to the room instead.
        """
        screen = self.page
        if screen is None:
            return
        self._apply_style()
        own = self.layout()
        if own is not None:
            own.activate()
        room = self.stack.size() if self.stack.width() > 1 else self._room_estimate()
        screen.ensurePolished()
        screen.prepare(room)
        if isinstance(screen, ReviewScreen):
            screen.show_page(self._review_page)
        settle_layouts()

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
        """The words "Text size" only where the whole header fits on one line beside them (the label is
        shown or hidden only when that changes: a tap on Next must not lay the header out twice)."""
        margins = self._header_rows.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        shown = not self.text_size_label.isHidden()
        spacing = self._sizes_row.spacing()
        extra = 0 if shown else self.text_size_label.sizeHint().width() + spacing
        wanted = self.tools.one_line_width() + extra <= width
        if wanted != shown:
            self.text_size_label.setVisible(wanted)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        screen = self.page
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
        screen = self.page
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
        self._review_page = page_holding(self._review_page_starts, number)

    def _edit(self, number: int) -> None:
        if isinstance(self.page, ReviewScreen):
            self._review_page_starts = list(self.page.page_starts)
        self.flow.edit(number)
        self.show_current()

    def _submit(self) -> None:
        screen = self.page
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
