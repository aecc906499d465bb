"""The cohort tables on paper: a :class:`~sijpro.reports.tables.Grid` laid out in the house style.

The grids themselves (which rows, which numbers, which words) are built once in ``sijpro.reports.tables``
for the PDF and the screen alike; this module only decides how they look on a page.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from sijpro.reports.document import CELL, GRID_TABLE, HEADER_CELL, HEADING, SMALL, cell
from sijpro.reports.fonts import BOLD
from sijpro.reports.tables import Grid

CENTRED_CELL = ParagraphStyle("centred_cell", parent=CELL, alignment=1)
"""Number cells wrap inside their column (a count with its interval is long) instead of running over."""
COMPACT_CELL = ParagraphStyle("compact_cell", parent=CELL, fontSize=6.2, leading=7.4)
COMPACT_CENTRED = ParagraphStyle("compact_centred", parent=COMPACT_CELL, alignment=1)


def titled(title: str, table: Flowable) -> KeepTogether:
    return KeepTogether([Paragraph(title, HEADING), table])


def pdf_table(grid: Grid, width: float, *, scale: float = 1.0) -> KeepTogether:
    """The grid under its title, ``scale`` x ``width`` wide; the first column wraps, the others centre."""
    widths = [w * width * scale / sum(grid.widths) for w in grid.widths]
    rows: list[Sequence[str | Paragraph]] = [[cell(title, HEADER_CELL) for title in grid.titles]]
    for number, row in enumerate(grid.rows):
        if number in grid.sections:
            rows.append([row[0].text, *([""] * (len(grid.titles) - 1))])
        else:
            label, number_cell = (COMPACT_CELL, COMPACT_CENTRED) if grid.compact else (CELL, CENTRED_CELL)
            rows.append([cell(row[0].text, label), *(cell(c.text, number_cell) for c in row[1:])])
    table = Table([list(row) for row in rows], colWidths=widths, repeatRows=1)
    style = TableStyle(GRID_TABLE.getCommands())
    style.add("ALIGN", (1, 0), (-1, -1), "CENTER")
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor("#F6F8FA")])
    for number in grid.sections:
        style.add("FONT", (0, number + 1), (-1, number + 1), BOLD, 7)
        style.add("SPAN", (0, number + 1), (-1, number + 1))
    table.setStyle(style)
    parts: list[Flowable] = [Paragraph(grid.title, HEADING), table]
    if grid.note:
        parts.append(cell(grid.note, SMALL))
    return KeepTogether(parts)
