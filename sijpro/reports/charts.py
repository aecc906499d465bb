"""Clinical charts drawn as PDF vectors: crisp at any zoom, and fast enough for a PDF per patient.

A chart is described as data (:class:`Chart`) and drawn by :class:`ChartFlowable` with the canvas'
own lines and text, in the report's embedded font. Axes are fixed by the caller (NRS 0-10, ODI 0-100)
so that charts of different patients compare at a glance; nothing here auto-scales the y axis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from sijpro.reports.fonts import BOLD, ITALIC, REGULAR, text_width

INK_HEX, GRID_HEX, MUTED_HEX = "#222222", "#DDDDDD", "#777777"
INK = HexColor(INK_HEX)
GRID = HexColor(GRID_HEX)
MUTED = HexColor(MUTED_HEX)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
"""Okabe-Ito colours: told apart by colour-blind readers and in greyscale print."""

TITLE_SIZE = 8.5
TICK_SIZE = 6.5
SMALL_SIZE = 5.8


@dataclass(frozen=True)
class Axis:
    minimum: float
    maximum: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...] = ()
    """Tick labels; numbers are printed when empty."""
    title: str = ""


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    points: tuple[tuple[float, float], ...]
    kind: Literal["line", "bars", "dots"] = "line"
    on_right_axis: bool = False
    intervals: tuple[tuple[float, float], ...] = ()
    """(low, high) whisker of each point, e.g. a 95% confidence interval."""
    counts: tuple[int, ...] = ()
    """n of each point, printed under the x axis."""


@dataclass(frozen=True)
class Shade:
    low: float
    high: float
    label: str
    color: str


@dataclass(frozen=True)
class Chart:
    title: str
    x: Axis
    y: Axis
    series: tuple[Series, ...]
    right: Axis | None = None
    shades: tuple[Shade, ...] = ()
    reference: tuple[float, str] | None = None
    missing: tuple[float, ...] = ()
    """x positions of expected answers that never came: a dashed mark, never a point at zero."""
    missing_label: str = "missing"
    empty_label: str = ""
    """Printed in the plot area when no series has a point."""


def _number(value: float) -> str:
    return f"{value:g}"


class ChartFlowable(Flowable):
    """Draws one :class:`Chart` in a ``width`` x ``height`` box."""

    def __init__(self, chart: Chart, width: float, height: float) -> None:
        super().__init__()
        self.chart = chart
        self.width = width
        self.height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        ChartPainter(self.canv, self.chart, self.width, self.height).paint()


class ChartPainter:
    """The geometry of one chart: plot rectangle, data-to-page mapping, and each layer in order."""

    def __init__(self, canvas: Canvas, chart: Chart, width: float, height: float) -> None:
        self.canvas = canvas
        self.chart = chart
        count_rows = sum(1 for s in chart.series if s.counts)
        right_margin = 6.0
        if chart.right is not None:
            right_margin += max(text_width(label, REGULAR, TICK_SIZE) for label in self._labels(chart.right)) + 4
        if chart.shades:
            right_margin += max(text_width(shade.label, REGULAR, SMALL_SIZE) for shade in chart.shades) + 4
        left_labels = max(text_width(label, REGULAR, TICK_SIZE) for label in self._labels(chart.y))
        self.left = left_labels + 6
        self.bottom = 12 + (TICK_SIZE + 2) * count_rows + (10 if chart.x.title else 0)
        self.right = width - right_margin
        legend = 10 if len(chart.series) > 1 or chart.reference else 0
        self.top = height - 13 - legend
        self.width = width
        self.height = height

    @staticmethod
    def _labels(axis: Axis) -> tuple[str, ...]:
        return axis.labels or tuple(_number(tick) for tick in axis.ticks)

    def px(self, x: float) -> float:
        axis = self.chart.x
        return self.left + (x - axis.minimum) / (axis.maximum - axis.minimum) * (self.right - self.left)

    def py(self, y: float, axis: Axis | None = None) -> float:
        axis = axis or self.chart.y
        return self.bottom + (y - axis.minimum) / (axis.maximum - axis.minimum) * (self.top - self.bottom)

    def paint(self) -> None:
        c = self.canvas
        c.saveState()
        self._title_and_legend()
        self._shades()
        self._grid_and_axes()
        if self.chart.reference is not None:
            self._reference(self.chart.reference[0])
        for x in self.chart.missing:
            self._missing(x)
        bars = [s for s in self.chart.series if s.kind == "bars"]
        for series in bars:
            self._bars(series, len(bars), bars.index(series))
        for series in self.chart.series:
            if series.kind != "bars":
                self._line(series)
        self._counts()
        if self.chart.empty_label and not any(s.points for s in self.chart.series):
            self._boxed((self.left + self.right) / 2, (self.bottom + self.top) / 2, self.chart.empty_label,
                        TICK_SIZE + 1, centred=True)
        c.restoreState()

    def _title_and_legend(self) -> None:
        c = self.canvas
        c.setFillColor(INK)
        c.setFont(BOLD, TITLE_SIZE)
        c.drawString(self.left, self.height - TITLE_SIZE - 1, self.chart.title)
        if self.top > self.height - 14:
            return
        x = self.left
        y = self.height - TITLE_SIZE - 12
        c.setFont(REGULAR, SMALL_SIZE + 0.4)
        for series in self.chart.series:
            color = HexColor(series.color)
            c.setFillColor(color)
            c.setStrokeColor(color)
            if series.kind == "bars":
                c.rect(x, y - 0.5, 6, 5, stroke=0, fill=1)
            else:
                c.setLineWidth(1.2)
                if series.kind == "line":
                    c.line(x, y + 2, x + 8, y + 2)
                self._marker(x + 4, y + 2, series)
            x += 11
            c.setFillColor(INK)
            c.drawString(x, y, series.label)
            x += text_width(series.label, REGULAR, SMALL_SIZE + 0.4) + 9
        if self.chart.reference is not None:
            c.setStrokeColor(MUTED)
            c.setDash(2, 1.5)
            c.line(x, y + 2, x + 8, y + 2)
            c.setDash()
            c.setFillColor(INK)
            c.drawString(x + 11, y, self.chart.reference[1])

    def _shades(self) -> None:
        c = self.canvas
        for shade in self.chart.shades:
            low, high = self.py(shade.low), self.py(shade.high)
            c.setFillColor(HexColor(shade.color))
            c.rect(self.left, low, self.right - self.left, high - low, stroke=0, fill=1)
            c.setFillColor(MUTED)
            c.setFont(REGULAR, SMALL_SIZE)
            c.drawString(self.right + 3, (low + high) / 2 - SMALL_SIZE / 2 + 1, shade.label)

    def _grid_and_axes(self) -> None:
        c = self.canvas
        x_axis, y_axis = self.chart.x, self.chart.y
        c.setLineWidth(0.4)
        c.setFont(REGULAR, TICK_SIZE)
        for tick, label in zip(y_axis.ticks, self._labels(y_axis), strict=True):
            y = self.py(tick)
            c.setStrokeColor(GRID)
            if not self.chart.shades:
                c.line(self.left, y, self.right, y)
            c.setFillColor(INK)
            c.drawRightString(self.left - 3, y - TICK_SIZE / 2 + 1, label)
        if self.chart.right is not None:
            for tick, label in zip(self.chart.right.ticks, self._labels(self.chart.right), strict=True):
                c.drawString(self.right + 3, self.py(tick, self.chart.right) - TICK_SIZE / 2 + 1, label)
        for tick, label in zip(x_axis.ticks, self._labels(x_axis), strict=True):
            x = self.px(tick)
            c.setStrokeColor(INK)
            c.line(x, self.bottom, x, self.bottom - 2.5)
            c.drawCentredString(x, self.bottom - 3 - TICK_SIZE, label)
        c.setStrokeColor(INK)
        c.setLineWidth(0.6)
        c.line(self.left, self.bottom, self.right, self.bottom)
        c.line(self.left, self.bottom, self.left, self.top)
        if self.chart.right is not None:
            c.line(self.right, self.bottom, self.right, self.top)
        if x_axis.title:
            c.setFont(REGULAR, TICK_SIZE)
            c.drawCentredString((self.left + self.right) / 2, 1.5, x_axis.title)

    def _reference(self, value: float) -> None:
        """A population norm (SF-12: 50) as a dashed line; its words are in the legend."""
        c = self.canvas
        y = self.py(value)
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.8)
        c.setDash(2, 1.5)
        c.line(self.left, y, self.right, y)
        c.setDash()

    def _missing(self, x: float) -> None:
        c = self.canvas
        page_x = self.px(x)
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.6)
        c.setDash(1, 2)
        c.line(page_x, self.bottom, page_x, self.top)
        c.setDash()
        c.saveState()
        c.translate(page_x + SMALL_SIZE / 2 - 1, self.top - 2)
        c.rotate(-90)
        self._boxed(0, 0, self.chart.missing_label, SMALL_SIZE)
        c.restoreState()

    def _boxed(self, x: float, y: float, text: str, size: float, *, centred: bool = False) -> None:
        """Italic grey words on a white patch, readable over grid and data lines."""
        c = self.canvas
        width = text_width(text, ITALIC, size)
        left = x - width / 2 if centred else x
        c.setFillColor(HexColor("#FFFFFF"))
        c.rect(left - 1, y - size * 0.25, width + 2, size * 1.05, stroke=0, fill=1)
        c.setFillColor(MUTED)
        c.setFont(ITALIC, size)
        c.drawString(left, y, text)

    def _axis_of(self, series: Series) -> Axis:
        return self.chart.right if series.on_right_axis and self.chart.right is not None else self.chart.y

    def _bars(self, series: Series, count: int, position: int) -> None:
        c = self.canvas
        axis = self._axis_of(series)
        width = 6.0
        c.setFillColor(HexColor(series.color), alpha=0.75)
        base = self.py(max(axis.minimum, 0), axis)
        for x, y in series.points:
            left = self.px(x) - width * count / 2 + position * width
            c.rect(left, base, width, self.py(y, axis) - base, stroke=0, fill=1)
        c.setFillAlpha(1)

    def _line(self, series: Series) -> None:
        c = self.canvas
        axis = self._axis_of(series)
        color = HexColor(series.color)
        c.setStrokeColor(color)
        c.setFillColor(color)
        points = [(self.px(x), self.py(y, axis)) for x, y in series.points]
        if series.kind == "line" and len(points) > 1:
            c.setLineWidth(1.2)
            path = c.beginPath()
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            c.drawPath(path, stroke=1, fill=0)
        for (x, _), (low, high) in zip(series.points, series.intervals, strict=False):
            page_x = self.px(x)
            c.setLineWidth(0.7)
            c.line(page_x, self.py(low, axis), page_x, self.py(high, axis))
            for end in (low, high):
                c.line(page_x - 1.8, self.py(end, axis), page_x + 1.8, self.py(end, axis))
        for point in points:
            self._marker(*point, series)

    def _marker(self, x: float, y: float, series: Series) -> None:
        draw: Callable[[Canvas, float, float], None] = _diamond if series.kind == "dots" else _circle
        self.canvas.setFillColor(HexColor(series.color))
        draw(self.canvas, x, y)

    def _counts(self) -> None:
        c = self.canvas
        rows = [s for s in self.chart.series if s.counts]
        c.setFont(REGULAR, SMALL_SIZE)
        for row, series in enumerate(rows):
            y = self.bottom - 3 - TICK_SIZE - (row + 1) * (TICK_SIZE + 2)
            c.setFillColor(HexColor(series.color))
            c.drawRightString(self.left - 3, y, "n")
            previous_right = self.left
            for (x, _), count in zip(series.points, series.counts, strict=True):
                text = str(count)
                half = text_width(text, REGULAR, SMALL_SIZE) / 2
                centre = max(self.px(x), previous_right + 1.5 + half)  # nudge right rather than overlap
                c.drawCentredString(centre, y, text)
                previous_right = centre + half


def _circle(canvas: Canvas, x: float, y: float) -> None:
    canvas.circle(x, y, 1.9, stroke=0, fill=1)


def _diamond(canvas: Canvas, x: float, y: float) -> None:
    path = canvas.beginPath()
    path.moveTo(x, y + 2.6)
    path.lineTo(x + 2.6, y)
    path.lineTo(x, y - 2.6)
    path.lineTo(x - 2.6, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def lighten(hex_color: str, amount: float) -> str:
    """A tint of ``hex_color`` toward white (0 = unchanged, 1 = white), for band shading."""
    color = HexColor(hex_color)
    mix = Color(*(channel + (1 - channel) * amount for channel in (color.red, color.green, color.blue)))
    return mix.hexval().replace("0x", "#")


def months_axis(lowest: float, highest: float, title: str) -> Axis:
    """Months from surgery: 0-24 at least, widened to show an early baseline or a late answer."""
    start = min(-1.0, float(int(lowest) - 1))
    end = max(25.0, float(int(highest) + 1))
    step = 3 if end <= 27 else 6
    ticks = tuple(float(tick) for tick in range(0, int(end) + 1, step))
    return Axis(start, end, ticks, title=title)


def score_axis(minimum: float, maximum: float) -> Axis:
    """A fixed clinical axis with about five ticks (NRS 0-10 by 2, 0-100 by 20)."""
    step = (maximum - minimum) / 5
    return Axis(minimum, maximum, tuple(minimum + step * i for i in range(6)))
