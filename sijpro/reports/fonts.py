"""Fixed fonts for every PDF: DejaVu Sans from matplotlib's own copy.

Embedding the same files everywhere makes the output independent of the system (same bytes on every
machine) and renders French accents, the ± sign, Δ and ✓, which the 14 standard PDF fonts cannot.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"


@cache
def register_fonts() -> str:
    """Register the family once per process; returns the regular font name."""
    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name in (REGULAR, BOLD, ITALIC, BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, str(directory / f"{name}.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR


def text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)
