"""Letters with paper packs: a cover letter and the paper questionnaires of the due visit, for the post.

The questionnaires are the kiosk's instruments (``resources/instruments``: the same items, options and
words in the patient's language), laid out for pen and paper and for a reader of 75: 13-point text, a
box of 6 mm per answer, one question never split across pages, each instrument starting on a new page.

Every page carries the visit's code (``sijpro.visit_codes``): a QR code in its top right corner and the
code in letters beside the page number, so a returned page finds its visit when typed or scanned at the
desk. The cover letter puts the patient's postal address where the window of a DL envelope (110 x 220
mm, window 45 x 100 mm, 20 mm from the right and 15 mm from the bottom, La Poste's standard) shows it
once the letter is folded in three, and says what to do; it names the clinic and the patient, nothing of
their health.

A questionnaire page is the same for every patient of a language: it is drawn once per document as a
form XObject and stamped on each patient's page with only the per-patient parts (name, code, QR, page
number) drawn on top, so a batch of 300 letters lays each page out once, not 300 times.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import groupby
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from sijpro import __version__, i18n
from sijpro.instruments import get_instrument
from sijpro.instruments.loader import bundled_instruments
from sijpro.instruments.model import Item
from sijpro.reports.fonts import BOLD, REGULAR, register_fonts
from sijpro.reports.texts import Words
from sijpro.visit_codes import shown

WIDTH, HEIGHT = A4
MARGIN = 18 * mm
TOP_BAND = 30 * mm
"""Room at the top of every page for the QR code and the patient's name."""
BOTTOM_BAND = 16 * mm
BOX = 6.5 * mm
QR_SIZE = 22 * mm
GREY = HexColor("#555555")
WINDOW = (95 * mm, 50 * mm, 95 * mm, 40 * mm)
"""The address window on the A4 sheet (x from the left, y from the top, width, height), for a DL envelope
with its window on the right (La Poste): what shows once the sheet is folded in three."""

LANGUAGES = ("en", "fr")

register_fonts()
TITLE = ParagraphStyle("pack_title", fontName=BOLD, fontSize=18, leading=23, spaceAfter=6)
BODY = ParagraphStyle("pack_body", fontName=REGULAR, fontSize=13, leading=17.5)
HEADING = ParagraphStyle("pack_heading", parent=BODY, fontName=BOLD, fontSize=14, leading=18)
QUESTION = ParagraphStyle("pack_question", parent=BODY, fontName=BOLD)
OPTION = ParagraphStyle("pack_option", parent=BODY)
SMALL = ParagraphStyle("pack_small", parent=BODY, fontSize=11, leading=14, textColor=GREY)


@dataclass(frozen=True)
class ClinicLetterhead:
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class HomeCode:
    """The visit's invitation to answer at home, as a letter gives it: the web app's start page (shown
    plainly, to be typed), the short code and the last day it opens."""

    site: str
    code: str
    until: dt.date


@dataclass(frozen=True)
class PackRecipient:
    """One letter: who, where, the visit's code and the questionnaires to enclose."""

    code: str
    language: str
    given_name: str
    family_name: str
    sex: str | None
    address: str
    instruments: tuple[str, ...]
    at_home: HomeCode | None = None
    """When the clinic runs the web app: the cover letter says how to answer at home instead."""


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _local(text: dict[str, str] | None, language: str) -> str:
    if not text:
        return ""
    return text.get(language) or text.get("en") or next(iter(text.values()))


# --- the questionnaire pages ----------------------------------------------------------------------------

Draw = Callable[[Canvas, float, float], None]
"""Draws a block with its top left corner at (x, y)."""


@dataclass
class Block:
    height: float
    draw: Draw


def _text_block(text: str, style: ParagraphStyle, width: float, space_after: float = 4) -> Block:
    paragraph = _paragraph(text, style)
    _, height = paragraph.wrap(width, HEIGHT)

    def draw(canvas: Canvas, x: float, y: float) -> None:
        paragraph.drawOn(canvas, x, y - height)

    return Block(height + space_after, draw)


def _box(canvas: Canvas, x: float, y: float, size: float = BOX) -> None:
    """An empty square whose top left corner is at (x, y)."""
    canvas.setLineWidth(1.2)
    canvas.setStrokeColor(black)
    canvas.rect(x, y - size, size, size, stroke=1, fill=0)


def _choice_rows(item: Item, language: str, width: float) -> list[Block]:
    rows = []
    for option in item.options:
        text = _paragraph(_local(option.text, language), OPTION)
        _, height = text.wrap(width - BOX - 4 * mm, HEIGHT)
        height = max(height, BOX)

        def draw(canvas: Canvas, x: float, y: float, text: Paragraph = text, height: float = height) -> None:
            _box(canvas, x, y - 1)
            text.drawOn(canvas, x + BOX + 4 * mm, y - text.height)

        rows.append(Block(height + 2.5 * mm, draw))
    return rows


def _number_row(item: Item, language: str, width: float, words: Words) -> list[Block]:
    """0-10: a row of boxes, each with its number above it, and the words of both ends beneath."""
    values = item.accepted_values()
    if len(values) <= 11:
        cell = min(width / len(values), 15 * mm)
        anchors = item.anchors

        def draw(canvas: Canvas, x: float, y: float) -> None:
            canvas.setFont(BOLD, 13)
            for index, value in enumerate(values):
                left = x + index * cell
                canvas.drawCentredString(left + cell / 2, y - 13, str(value))
                _box(canvas, left + (cell - BOX) / 2, y - 17)
            if anchors:
                canvas.setFont(REGULAR, 11)
                canvas.setFillColor(GREY)
                canvas.drawString(x, y - 17 - BOX - 13, _local(anchors[0], language))
                canvas.drawRightString(x + cell * len(values), y - 17 - BOX - 13, _local(anchors[1], language))
                canvas.setFillColor(black)

        return [Block(17 + BOX + (18 if anchors else 4) + 2 * mm, draw)]
    digits = len(str(item.maximum))
    label = words("form.write_number", low=item.minimum, high=item.maximum)
    unit = _local(item.unit, language)

    def write(canvas: Canvas, x: float, y: float) -> None:
        canvas.setFont(REGULAR, 13)
        canvas.drawString(x, y - 15, label)
        left = x + canvas.stringWidth(label, REGULAR, 13) + 4 * mm
        for index in range(digits):
            _box(canvas, left + index * (BOX + 3 * mm), y - 2, BOX + 1 * mm)
        canvas.drawString(left + digits * (BOX + 3 * mm) + 2 * mm, y - 15, unit)

    return [Block(BOX + 5 * mm, write)]


def _item_blocks(item: Item, language: str, width: float, words: Words, stem: str) -> tuple[list[Block], str]:
    """One question's blocks (kept on one page) and the shared stem it printed (SF-12's)."""
    blocks = []
    heading = _local(item.heading, language)
    if heading:
        blocks.append(_text_block(heading, HEADING, width, 2))
    text = _local(item.text, language)
    first, _, rest = text.partition("\n")
    if rest and first == stem:  # the stem was printed above the previous item: only this item's words
        text = rest
    elif rest:
        blocks.append(_text_block(first, OPTION, width, 3))
        text = rest
    if item.optional:
        text = f"{text} {words('form.optional')}"
    blocks.append(_text_block(text, QUESTION, width, 2 * mm))
    if item.kind == "choice":
        blocks += _choice_rows(item, language, width)
    else:
        blocks += _number_row(item, language, width, words)
    if item.alternative is not None:
        alternative = item.alternative
        box_text = _paragraph(_local(alternative.text, language), OPTION)
        _, height = box_text.wrap(width - BOX - 4 * mm, HEIGHT)

        def draw(canvas: Canvas, x: float, y: float) -> None:
            canvas.setFont(REGULAR, 12)
            canvas.setFillColor(GREY)
            canvas.drawString(x, y - 12, words("form.or"))
            canvas.setFillColor(black)
            _box(canvas, x, y - 18)
            box_text.drawOn(canvas, x + BOX + 4 * mm, y - 17 - box_text.height)

        blocks.append(Block(max(height, BOX) + 22, draw))
    return blocks, first if rest else stem


def _date_block(words: Words) -> Block:
    """Where the patient writes the day they filled the form in: the date the nurse types at the desk."""
    label = words("form.date")
    hint = words("form.date_hint")

    def draw(canvas: Canvas, x: float, y: float) -> None:
        canvas.setFont(BOLD, 13)
        canvas.drawString(x, y - 15, label)
        left = x + canvas.stringWidth(label, BOLD, 13) + 5 * mm
        for index, count in enumerate((2, 2, 4)):
            for _digit in range(count):
                _box(canvas, left, y - 2, BOX + 1 * mm)
                left += BOX + 3 * mm
            if index < 2:
                canvas.setFont(REGULAR, 16)
                canvas.drawString(left - 0.5 * mm, y - 16, "/")
                left += 5 * mm
        canvas.setFont(REGULAR, 11)
        canvas.setFillColor(GREY)
        canvas.drawString(left + 3 * mm, y - 15, hint)
        canvas.setFillColor(black)

    return Block(BOX + 8 * mm, draw)


@cache
def instrument_pages(instrument_id: str, language: str) -> tuple[tuple[Block, ...], ...]:
    """The instrument laid out on pages: computed once per language, then drawn as often as needed."""
    instrument = get_instrument(instrument_id)
    words = Words(language)
    width = WIDTH - 2 * MARGIN
    room = HEIGHT - TOP_BAND - BOTTOM_BAND - MARGIN / 2
    pages: list[list[Block]] = [[]]
    used = 0.0
    title = _local(instrument.title, language)
    intro = [_text_block(title, TITLE, width), _text_block(_local(instrument.instructions, language), BODY, width,
                                                           3 * mm), _date_block(words)]
    for block in intro:
        pages[0].append(block)
        used += block.height
    stem = ""
    for item in instrument.asked_items:
        blocks, stem = _item_blocks(item, language, width, words, stem)
        spacer = Block(5 * mm, lambda canvas, x, y: None)
        height = sum(block.height for block in blocks) + spacer.height
        if used + height > room and pages[-1]:
            continued = _text_block(words("form.continued", title=_local(instrument.short_title, language)),
                                    SMALL, width, 2 * mm)
            pages.append([continued])
            used = continued.height
            if stem and item.text.get(language, "").partition("\n")[2]:  # a new page repeats the stem
                blocks, stem = _item_blocks(item, language, width, words, "")
                height = sum(block.height for block in blocks) + spacer.height
        pages[-1] += [*blocks, spacer]
        used += height
    return tuple(tuple(page) for page in pages)


def draw_questionnaire_page(canvas: Canvas, instrument_id: str, language: str, index: int, *,
                            fresh: bool = False) -> None:
    """The static part of one questionnaire page (the same for every patient of this language); ``fresh``
    lays the instrument out anew instead of using the layout made once."""
    pages = instrument_pages.__wrapped__(instrument_id, language) if fresh else instrument_pages(instrument_id,
                                                                                                   language)
    y = HEIGHT - TOP_BAND
    for block in pages[index]:
        block.draw(canvas, MARGIN, y)
        y -= block.height


# --- drawn once for every document ------------------------------------------------------------------------
# A questionnaire page's drawing operators are recorded once and put into each document as a form XObject.
# Their text refers to the glyph codes the document's font subsets gave each character, which reportlab
# assigns in order of first use; every document therefore first gives the same codes to every character
# the static pages use (``_prime``), so the recorded operators mean the same in all of them.

@cache
def _primer() -> str:
    """Every character the static pages can print, in a fixed order."""
    words = [str(value) for language in LANGUAGES for value in i18n.messages(language).values()]
    texts = [repr(instrument) for instrument in bundled_instruments().values()]
    return "".join(sorted(set("".join([*words, *texts, "0123456789/%"])) - {"\n"}))


def _prime(canvas: Canvas) -> None:
    for name in (REGULAR, BOLD):
        font = pdfmetrics.getFont(name)
        # a TTFont's subset methods and the canvas' document are not in reportlab's stubs (Font has neither)
        font.splitString(_primer(), canvas._doc)  # type: ignore[attr-defined]  # see above
        font.getSubsetInternalName(0, canvas._doc)  # type: ignore[attr-defined]  # see above


@cache
def _page_operators(instrument_id: str, language: str, index: int) -> tuple[str, ...]:
    recorder = Canvas(io.BytesIO(), pagesize=A4, invariant=1)
    _prime(recorder)
    recorder.beginForm("recording")
    draw_questionnaire_page(recorder, instrument_id, language, index)
    return tuple(recorder._code)  # type: ignore[attr-defined]  # the canvas' operator list: not in the stubs


def _put_page(canvas: Canvas, form: str, instrument_id: str, language: str, index: int) -> None:
    canvas.beginForm(form)
    canvas._code.extend(_page_operators(instrument_id, language, index))  # type: ignore[attr-defined]  # see above
    canvas.endForm()


# --- the per-patient parts --------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``text`` (reportlab's encoder, error correction M) as rows of dark modules. The mask
    is the first of the eight the standard allows: any of them reads the same, and trying all eight for
    the one a penalty rule prefers costs forty times as much for a code printed crisp on white paper."""
    encoder = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    encoder.addData(text)
    encoder.version = encoder.calculate_version()
    encoder.makeImpl(False, 0)
    return tuple(tuple(bool(module) for module in row) for row in encoder.modules)


def _qr(canvas: Canvas, code: str) -> None:
    modules = qr_modules(shown(code))
    size = QR_SIZE / len(modules)
    left, top = WIDTH - MARGIN - QR_SIZE, HEIGHT - 8 * mm
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        column = 0
        for dark, run in groupby(row):
            count = len(list(run))
            if dark:
                path.rect(left + column * size, top - (row_index + 1) * size, count * size, size)
            column += count
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)


def _stamp(canvas: Canvas, recipient: PackRecipient, words: Words, page: int, pages: int, *, name: bool,
           cached: bool = True) -> None:
    """What differs from one patient's page to another's: the QR code (drawn once per document and
    patient unless ``cached`` is False), the code, the name, the page number."""
    form = f"qr_{recipient.code}"
    if not cached:
        _qr(canvas, recipient.code)
    elif not canvas.hasForm(form):
        canvas.beginForm(form)
        _qr(canvas, recipient.code)
        canvas.endForm()
    if cached:
        canvas.doForm(form)
    canvas.setFillColor(black)
    canvas.setFont(BOLD, 12)
    canvas.drawRightString(WIDTH - MARGIN - QR_SIZE - 3 * mm, HEIGHT - 8 * mm - 12, shown(recipient.code))
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(GREY)
    canvas.drawRightString(WIDTH - MARGIN - QR_SIZE - 3 * mm, HEIGHT - 8 * mm - 24, words("letter.reference"))
    if name:
        canvas.setFillColor(black)
        canvas.setFont(REGULAR, 12)
        canvas.drawString(MARGIN, HEIGHT - 8 * mm - 12, f"{recipient.given_name} {recipient.family_name}")
    canvas.setFillColor(black)
    canvas.setFont(REGULAR, 11)
    canvas.drawString(MARGIN, 10 * mm, f"{words('letter.reference')} {shown(recipient.code)}")
    canvas.drawRightString(WIDTH - MARGIN, 10 * mm, words("page", page=page, pages=pages))


def _salutation(recipient: PackRecipient, words: Words) -> str:
    key = {"F": "letter.salutation_f", "M": "letter.salutation_m"}.get(recipient.sex or "", "letter.salutation")
    return words(key, given_name=recipient.given_name, family_name=recipient.family_name)


def _at_home(recipient: PackRecipient, words: Words) -> list[tuple[str, ParagraphStyle, float]]:
    home = recipient.at_home
    if home is None:
        return []
    return [(words("letter.at_home", site=home.site, code=home.code,
                   until=i18n.long_date(words.language, home.until)), BODY, 4 * mm)]


def draw_letter(canvas: Canvas, recipient: PackRecipient, clinic: ClinicLetterhead, day: dt.date, *,
                words: Words, pages: int) -> None:
    """The cover letter: letterhead, the address in the envelope's window, the date and what to do."""
    canvas.setFillColor(black)
    y = HEIGHT - 14 * mm
    canvas.setFont(BOLD, 14)
    canvas.drawString(MARGIN, y - 14, clinic.name or words("letter.clinic_fallback"))
    canvas.setFont(REGULAR, 11)
    y -= 30
    for line in [*clinic.address.splitlines(), *([clinic.phone] if clinic.phone else [])]:
        canvas.drawString(MARGIN, y, line)
        y -= 14
    left, top, width, _height = WINDOW
    canvas.setFont(REGULAR, 12)
    lines = [f"{recipient.given_name} {recipient.family_name}".strip(), *recipient.address.splitlines()][:6]
    line_y = HEIGHT - top - 8 * mm
    for line in lines:
        canvas.drawString(left + 6 * mm, line_y, line[:48])
        line_y -= 15
    canvas.setFont(REGULAR, 12)
    canvas.drawRightString(WIDTH - MARGIN, HEIGHT - 102 * mm, i18n.long_date(words.language, day))
    y = HEIGHT - 112 * mm
    width = WIDTH - 2 * MARGIN
    phone = clinic.phone
    body = [(_salutation(recipient, words), BODY, 3 * mm),
            (words("letter.intro", pages=pages - 1), BODY, 4 * mm),
            (words("letter.what_to_do"), HEADING, 2 * mm),
            (words("letter.step_pen"), BODY, 2 * mm),
            (words("letter.step_date"), BODY, 2 * mm),
            (words("letter.step_post"), BODY, 4 * mm),
            *_at_home(recipient, words),
            (words("letter.questions_phone", phone=phone) if phone else words("letter.questions"), BODY, 4 * mm),
            (words("letter.thanks"), BODY, 5 * mm),
            (words("letter.closing"), BODY, 1 * mm),
            (words("letter.signature", clinic=clinic.name or words("letter.clinic_fallback")), BODY, 0)]
    for text, style, after in body:
        paragraph = _paragraph(text, style)
        _, used = paragraph.wrap(width, HEIGHT)
        paragraph.drawOn(canvas, MARGIN, y - used)
        y -= used + after


def pack_pages(recipient: PackRecipient) -> list[tuple[str, int]]:
    """The questionnaire pages of one pack: (instrument, page index) in order."""
    return [(instrument, index) for instrument in recipient.instruments
            for index in range(len(instrument_pages(instrument, recipient.language)))]


def draw_pack(canvas: Canvas, recipient: PackRecipient, clinic: ClinicLetterhead, day: dt.date,
              *, cached: bool = True) -> int:
    """One patient's letter and questionnaires on ``canvas``; returns the number of pages. ``cached``
    False draws every questionnaire page anew (what the benchmark compares with)."""
    words = Words(recipient.language)
    pages = pack_pages(recipient)
    total = len(pages) + 1
    draw_letter(canvas, recipient, clinic, day, words=words, pages=total)
    _stamp(canvas, recipient, words, 1, total, name=False, cached=cached)
    canvas.showPage()
    for number, (instrument, index) in enumerate(pages, start=2):
        if cached:
            form = f"page_{instrument}_{recipient.language}_{index}"
            if not canvas.hasForm(form):
                _put_page(canvas, form, instrument, recipient.language, index)
            canvas.doForm(form)
        else:
            draw_questionnaire_page(canvas, instrument, recipient.language, index, fresh=True)
        _stamp(canvas, recipient, words, number, total, name=True, cached=cached)
        canvas.showPage()
    return total


def _canvas(buffer: io.BytesIO, title: str, language: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, lang=language)
    _prime(canvas)
    canvas.setTitle(title)
    canvas.setAuthor("SIJ-PRO")
    canvas.setCreator(f"SIJ-PRO {__version__}")
    return canvas


def pack_pdf(recipient: PackRecipient, clinic: ClinicLetterhead, day: dt.date, *, cached: bool = True) -> bytes:
    buffer = io.BytesIO()
    canvas = _canvas(buffer, Words(recipient.language)("letter.title"), recipient.language)
    draw_pack(canvas, recipient, clinic, day, cached=cached)
    canvas.save()
    return buffer.getvalue()


@dataclass
class Batch:
    """The post room's file: every letter of the day in one PDF, in the order given."""

    clinic: ClinicLetterhead
    day: dt.date
    cached: bool = True
    pages: int = 0
    buffer: io.BytesIO = field(default_factory=io.BytesIO)

    def __post_init__(self) -> None:
        self.canvas = _canvas(self.buffer, f"{Words('en')('letter.title')} {self.day.isoformat()}", "en")

    def add(self, recipient: PackRecipient) -> None:
        self.pages += draw_pack(self.canvas, recipient, self.clinic, self.day, cached=self.cached)

    def pdf(self) -> bytes:
        if not self.pages:
            self.canvas.setFont(REGULAR, 12)
            self.canvas.drawString(MARGIN, HEIGHT / 2, "–")
            self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def batch_pdf(recipients: Sequence[PackRecipient], clinic: ClinicLetterhead, day: dt.date) -> bytes:
    batch = Batch(clinic, day)
    for recipient in recipients:
        batch.add(recipient)
    return batch.pdf()
