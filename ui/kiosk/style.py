"""Text and target sizes of the kiosk, from the window size and the text size the patient chose.

Sizes scale with the short side of the window (a 1280x800 tablet and a 1920x1080 wall screen are both
read at arm's length) and never let a touch target fall under 64 px. The stylesheet itself is
``resources/styles/kiosk.qss``; this module only fills in its ``$name`` sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from string import Template

from PySide6.QtCore import QSize

from sijpro.resources import resource_path

TEXT_STEPS = (1.0, 1.2, 1.4)
"""The three text sizes a patient can pick (normal, large, largest), as factors of the base size."""

MIN_TOUCH = 64
"""Smallest touch target in pixels (ISO 9241-9 and tablet guidelines ask for about 9-10 mm)."""

BUTTON_VERTICAL_CHROME = 9
"""Border plus padding above (and below) every button's text in kiosk.qss, whose min-height counts
only the contents."""



@dataclass(frozen=True)
class Metrics:
    body: int
    question: int
    title: int
    small: int
    option: int
    touch: int

    def substitutions(self) -> dict[str, str]:
        return {
            "body": f"{self.body}px", "question": f"{self.question}px", "title": f"{self.title}px",
            "small": f"{self.small}px", "option": f"{self.option}px", "touch": f"{self.touch}px",
            "inner": f"{self.touch - 2 * BUTTON_VERTICAL_CHROME}px",
        }


def base_size(window: QSize) -> float:
    short_side = max(1, min(window.width(), window.height()))
    return min(36.0, max(18.0, short_side / 38))


def metrics_for(window: QSize, text_step: int) -> Metrics:
    """The sizes at the patient's chosen text step: never reduced to make a screen fit (it scrolls)."""
    body = base_size(window) * TEXT_STEPS[text_step]
    return Metrics(
        body=round(body),
        question=round(body * 1.15),
        title=round(body * 1.45),
        small=max(15, round(body * 0.8)),
        option=round(body),
        touch=max(MIN_TOUCH, round(base_size(window) * 2.7)),
    )


@cache
def _template() -> Template:
    return Template(resource_path("styles", "kiosk.qss").read_text(encoding="utf-8"))


CONTRASTS = ("standard", "high")

HIGH_CONTRAST: dict[str, str] = {
    "#ffffff": "#000000",  # paper, and text on the accent: black
    "#000000": "#ffffff",  # text and borders: white on black, 21:1
    "#0b3d91": "#ffd500",  # the accent (chosen answer, Send, headings): yellow, 14.6:1 with black
    "#062a66": "#ffe866",  # the accent pressed
    "#1a1a1a": "#f2f2f2",  # small print
    "#595959": "#b3b3b3",  # disabled text and borders (on #333333)
    "#8b0000": "#ffb3b3",  # error text, 11:1 on its dark red box
    "#fff0f0": "#2b0000",
    "#8c8c8c": "#8c8c8c",  # list separators
    "#c25e00": "#00e5ff",  # keyboard focus: cyan, 14:1 on black
    "#d6e4ff": "#333300",  # a button pressed
    "#e6e6e6": "#333333",  # disabled background
    "#f2f2f2": "#1a1a1a",  # header, scroll bar, "prefer not to answer"
    "#fff3c4": "#403600",  # a skipped answer on the review, white on it 12:1
}
"""The high-contrast theme, light on dark: each colour of kiosk.qss and its counterpart (WCAG AAA, 7:1
and more for every text; the test checks each pair the stylesheet draws text with)."""

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


@cache
def stylesheet(metrics: Metrics, contrast: str = "standard") -> str:
    """kiosk.qss at these sizes, in the standard theme (dark on white) or the high-contrast one."""
    sheet = _template().substitute(metrics.substitutions())
    if contrast == "high":
        sheet = _COLOUR.sub(lambda found: HIGH_CONTRAST.get(found.group(0).lower(), found.group(0)), sheet)
        sheet = sheet.replace("rgba(0, 0, 0, 160)", "rgba(0, 0, 0, 210)")
    return sheet
