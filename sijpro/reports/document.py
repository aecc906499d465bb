"""The page frame shared by every report: size, margins, styles, footer, and deterministic output.

reportlab runs in invariant mode (fixed document id and dates) and the generation time is a parameter,
so the same records give the same bytes: tests compare runs, and a re-printed report can be checked
against the archived one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, TableStyle

from sijpro import __version__
from sijpro.errors import UserError
from sijpro.reports.fonts import BOLD, REGULAR, register_fonts
from sijpro.reports.texts import Words

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 36.0
FOOTER_HEIGHT = 24.0
HEADER_FILL = HexColor("#E8EEF4")
RULE = HexColor("#8899AA")
MUTED = HexColor("#666666")

register_fonts()
BODY = ParagraphStyle("body", fontName=REGULAR, fontSize=8.5, leading=11, spaceAfter=4)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=6.8, leading=8.5, textColor=MUTED)
HEADING = ParagraphStyle("heading", parent=BODY, fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=6,
                         spaceAfter=3)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=14, leading=17, spaceAfter=2)
CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=7, leading=8.4)
HEADER_CELL = ParagraphStyle("header_cell", parent=CELL, fontName=BOLD, fontSize=6.5, leading=7.8, alignment=1)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=9, leading=11.5, textColor=HexColor("#333333"))

GRID_TABLE = TableStyle([
    ("FONT", (0, 0), (-1, -1), REGULAR, 7),
    ("LEADING", (0, 0), (-1, -1), 8.4),
    ("FONT", (0, 0), (-1, 0), BOLD, 7),
    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
    ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
    ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 1.6),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
])


def cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A table cell that wraps (names, French labels); the text is escaped, never read as markup."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def page_size(name: str) -> tuple[float, float]:
    try:
        return PAGE_SIZES[name.lower()]
    except KeyError:
        raise UserError(f"page size {name!r} is not available; use one of: {', '.join(PAGE_SIZES)}") from None


@dataclass(frozen=True)
class Footer:
    left: str
    """Generation time and app version."""
    second_line: str
    """Scoring versions, filters: what makes the numbers traceable."""
    page_words: Words


def _numbered_canvas(footer: Footer) -> type[Canvas]:
    """A canvas that holds pages back until the end, so each footer can say 'Page 2 of 3'."""

    class NumberedCanvas(Canvas):
        # reportlab's own state that a page is restarted from; its type stubs leave private names out
        _pagesize: tuple[float, float]
        _startPage: Callable[[], None]  # noqa: N815 (reportlab's name)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _draw_footer(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            self.line(MARGIN, FOOTER_HEIGHT + 4, width - MARGIN, FOOTER_HEIGHT + 4)
            self.setFillColor(MUTED)
            self.setFont(REGULAR, 6.8)
            self.drawString(MARGIN, FOOTER_HEIGHT - 5, footer.left)
            self.drawRightString(width - MARGIN, FOOTER_HEIGHT - 5, footer.page_words("page", page=number, pages=total))
            self.setFont(REGULAR, 6)
            self.drawString(MARGIN, FOOTER_HEIGHT - 13, footer.second_line)
            self.restoreState()

    return NumberedCanvas


def render(story: Sequence[Flowable], *, size: str, title: str, footer: Footer, language: str) -> bytes:
    """Lay ``story`` out on pages of ``size`` and return the PDF bytes."""
    buffer = io.BytesIO()
    width, height = page_size(size)
    document = BaseDocTemplate(
        buffer, pagesize=(width, height), invariant=1, title=title, subject=title, author="SIJ-PRO",
        creator=f"SIJ-PRO {__version__}", producer="SIJ-PRO", lang=language,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN - 6, bottomMargin=FOOTER_HEIGHT + 10,
    )
    frame = Frame(document.leftMargin, document.bottomMargin, document.width, document.height,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    document.build(list(story), canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def content_width(size: str) -> float:
    return page_size(size)[0] - 2 * MARGIN


def generated_line(words: Words, when: dt.datetime) -> str:
    return f"{words('generated', when=words.moment(when))} · SIJ-PRO {__version__}"
