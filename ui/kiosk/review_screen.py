"""Every answer before submitting, in pages that fit the screen: tap one to change it.

A visit can hold 27 questions; rather than a scrolling list (hard for an unsteady finger) the review
shows as many rows as the window holds and pages through the rest with two large buttons.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.i18n import tr
from ui.kiosk.flow import ReviewLine, answer_text, question_titles
from ui.kiosk.reflow import ReflowRow
from ui.kiosk.screens import PAGE_MARGIN, KioskScreen, footer, page_layout
from ui.kiosk.widgets import WrapButton, button, label, settle_layouts

ROW_SPACING = 8


def page_holding(starts: Sequence[int], number: int) -> int:
    """The page, of those starting at ``starts`` (row indexes), that holds question ``number``."""
    return max(0, bisect_right(starts, number - 1) - 1)


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
        self.page_starts: list[int] = [0]
        """The index of the first row of each page: as many rows as the room holds, by their own heights."""
        layout = page_layout(self, spacing=12)
        layout.addWidget(label(tr("kiosk.review.title"), "title", self))
        layout.addWidget(label(tr("kiosk.review.hint"), "body", self))
        self.rows: list[WrapButton] = []
        rows_box = QVBoxLayout()
        rows_box.setSpacing(ROW_SPACING)
        for line, title in zip(lines, question_titles(lines, language), strict=True):
            answer = answer_text(line, language)
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
        # one row where it fits; else "Page 2 of 3" on its own line over the two buttons (French, largest text)
        self.paging = ReflowRow([self.previous_page, self.page_label, self.next_page], spacing=16,
                                wrapped_order=[self.page_label, self.previous_page, self.next_page], parent=self)
        layout.addWidget(self.paging)
        self.back = button(tr("kiosk.back"), "secondary", self)
        send = button(tr("kiosk.review.submit"), "primary", self)
        self.primary = send
        self.back.clicked.connect(self.go_back)
        send.clicked.connect(self.submit)
        layout.addLayout(self._footer(send))
        self.show_page(0)

    def _footer(self, send: QPushButton) -> QHBoxLayout:
        """Back where every screen has it, Send centred between it and where Next is on a question.

        The right-hand place is held by an invisible Next (same words, same style): the footer shares out
        its width exactly as a question's does, so Send, at its own width in the middle, never reaches
        the place a finger just tapped Next on, whatever the text size or language.
        """
        where_next_was = button(tr("kiosk.next"), "primary", self)
        keep = where_next_was.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        where_next_was.setSizePolicy(keep)
        where_next_was.hide()
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(send)
        middle.addStretch(1)
        row = footer(self.back, where_next_was)
        row.takeAt(1)  # the footer's middle stretch: Send's centre instead, with the same share
        row.insertLayout(1, middle, 2)
        return row

    @property
    def page_count(self) -> int:
        return len(self.page_starts)

    def prepare(self, size: QSize) -> None:
        """Break the rows into pages that each fit ``size`` without scrolling, filling every page with as
        many rows as their own heights allow at this text size (a row alone taller than the room gets a
        page of its own, and that page scrolls)."""
        if not self.rows:
            return
        self.page_starts = [0, 1] if len(self.rows) > 1 else [0]  # paged, so the paging row is counted
        self.show_page(0)
        settle_layouts()
        width = size.width() - 2 * PAGE_MARGIN  # the rows' own width on the page
        first = self.rows[0].heightForWidth(width)
        room = size.height() - (self.needed_size(size.width()).height() - first)
        starts, used = [0], 0
        for index, row in enumerate(self.rows):
            height = row.heightForWidth(width) + (ROW_SPACING if index > starts[-1] else 0)
            if index > starts[-1] and used + height > room:
                starts.append(index)
                height -= ROW_SPACING
                used = 0
            used += height
        self.page_starts = starts
        page = 0
        while page < self.page_count:  # each page as laid out: one that still overflows gives a row on
            self.show_page(page)
            settle_layouts()
            end = starts[page + 1] if page + 1 < len(starts) else len(self.rows)
            if self.needed_size(size.width()).height() > size.height() and end - starts[page] > 1:
                starts.insert(page + 1, end - 1)
                continue
            page += 1
        self.show_page(0)

    def page_of(self, number: int) -> int:
        """The page that shows question ``number``."""
        return page_holding(self.page_starts, number)

    def show_page(self, page: int) -> None:
        self.page = min(max(0, page), self.page_count - 1)
        first = self.page_starts[self.page]
        end = self.page_starts[self.page + 1] if self.page + 1 < self.page_count else len(self.rows)
        for index, row in enumerate(self.rows):
            row.setVisible(first <= index < end)
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
