"""Text and target sizes of the kiosk, from the window size and the text size the patient chose.

Sizes scale with the short side of the window (a 1280x800 tablet and a 1920x1080 wall screen are both
read at arm's length) and never let a touch target fall under 64 px. The stylesheet itself is
``resources/styles/kiosk.qss``; this module only fills in its ``$name`` sizes.
"""

from __future__ import annotations

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

MIN_FIT = 0.6
"""How far a screen may shrink its text to fit without scrolling, relative to the chosen size."""


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


def metrics_for(window: QSize, text_step: int, fit: float = 1.0) -> Metrics:
    body = base_size(window) * TEXT_STEPS[text_step] * fit
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


@cache
def stylesheet(metrics: Metrics) -> str:
    return _template().substitute(metrics.substitutions())
