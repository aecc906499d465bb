"""Every answer before submitting, in pages that fit the screen: tap one to change it.

A visit can hold 27 questions; rather than a scrolling list (hard for an unsteady finger) the review
shows as many rows as the window holds and pages through the rest with two large buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ui.i18n import tr
from ui.kiosk.flow import ReviewLine
from ui.kiosk.screens import KioskScreen, footer, page_layout
from ui.kiosk.widgets import WrapButton, button, label

ROW_SPACING = 8


def _question_title(line: ReviewLine, language: str) -> str:
    if line.item.heading:
        return line.item.heading[language]
    return line.item.text[language].split("\n")[-1]


def question_titles(lines: Sequence[ReviewLine], language: str) -> list[str]:
    """Each question as the review names it: its heading or last line, or its whole wording where that
    short name is shared (SF-12 asks "Accomplished less than you would like" for physical health and
    again for emotional problems), so no two lines of the review read the same."""
    short = [_question_title(line, language) for line in lines]
    shared = {title for title in short if short.count(title) > 1}
    return [" ".join(line.item.text[language].split("\n")) if title in shared else title
            for line, title in zip(lines, short, strict=True)]


def _answer_text(line: ReviewLine, language: str) -> str:
    if not line.answered:
        return tr("kiosk.review.unanswered")
    if line.alternative and line.item.alternative is not None:
        return line.item.alternative.text[language]
    if line.value is None:
        return tr("kiosk.review.skipped")
    return line.item.option_text(line.value, language)


class ReviewScreen(KioskScreen):
    """The answers, and Send: never under the finger that tapped Next, never on Enter.

    Send is the screen's primary action but sits in the middle of the footer, where no Next button is,
    so a double tap on the last Next lands on empty space; Enter does nothing here and the keyboard
    focus starts on the page, not on Send (Space would press a focused button).
    """

    enter_presses_primary = False

    edit = Signal(int)
    """The number of the question the patient wants to change."""
    submit = Signal()
    go_back = Signal()

    def __init__(self, lines: Sequence[ReviewLine], language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = 0
        self.page_size = len(lines)
        layout = page_layout(self, spacing=12)
        layout.addWidget(label(tr("kiosk.review.title"), "title", self))
        layout.addWidget(label(tr("kiosk.review.hint"), "body", self))
        self.rows: list[WrapButton] = []
        rows_box = QVBoxLayout()
        rows_box.setSpacing(ROW_SPACING)
        for line, title in zip(lines, question_titles(lines, language), strict=True):
            answer = _answer_text(line, language)
            text = tr("kiosk.review.row", number=line.number, title=title, answer=answer)
            name = tr("kiosk.review.row_name", number=line.number, title=title, answer=answer)
            row = WrapButton(text, "review", self, name=name)  # wrapped whole, never cut with '…'

            row.setProperty("skipped", "true" if line.skipped else "false")
            row.clicked.connect(lambda _checked=False, number=line.number: self.edit.emit(number))
            rows_box.addWidget(row)
            self.rows.append(row)
        layout.addLayout(rows_box)
        layout.addStretch(1)
        self.page_label = label("", "body", self, wrap=False)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_page = button(tr("kiosk.review.previous_page"), "secondary", self)
        self.next_page = button(tr("kiosk.review.next_page"), "secondary", self)
        self.previous_page.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_page.clicked.connect(lambda: self.show_page(self.page + 1))
        paging = QHBoxLayout()
        paging.setSpacing(16)
        paging.addWidget(self.previous_page)
        paging.addWidget(self.page_label, 1)
        paging.addWidget(self.next_page)
        layout.addLayout(paging)
        self.back = button(tr("kiosk.back"), "secondary", self)
        self.primary = button(tr("kiosk.review.submit"), "primary", self)
        self.back.clicked.connect(self.go_back)
        self.primary.clicked.connect(self.submit)
        layout.addLayout(footer(self.back, None, self.primary))
        self.show_page(0)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.rows) // self.page_size))

    def prepare(self, size: QSize) -> None:
        """Choose how many rows a page holds so that the page fits ``size`` without scrolling."""
        self.page_size = 1
        self.show_page(0)
        one_row = self.needed_size(size.width()).height()
        row_height = max((row.heightForWidth(size.width() - 64) for row in self.rows), default=0)
        room = size.height() - one_row
        self.page_size = max(1, 1 + room // (row_height + ROW_SPACING)) if row_height else len(self.rows)
        self.show_page(0)

    def page_of(self, number: int) -> int:
        return (number - 1) // self.page_size

    def show_page(self, page: int) -> None:
        self.page = min(max(0, page), self.page_count - 1)
        first = self.page * self.page_size
        for index, row in enumerate(self.rows):
            row.setVisible(first <= index < first + self.page_size)
        paged = self.page_count > 1
        self.page_label.setText(tr("kiosk.review.page", page=self.page + 1, count=self.page_count) if paged else "")
        self.page_label.setVisible(paged)
        self.previous_page.setVisible(paged)
        self.next_page.setVisible(paged)
        self.previous_page.setEnabled(self.page > 0)
        self.next_page.setEnabled(self.page < self.page_count - 1)

    def handle_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_PageDown:
            self.show_page(self.page + 1)
            return True
        if event.key() == Qt.Key.Key_PageUp:
            self.show_page(self.page - 1)
            return True
        return super().handle_key(event)
