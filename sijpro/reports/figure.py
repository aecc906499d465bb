"""The report charts drawn on a matplotlib Figure, for screens (the staff dashboard and cohort view).

The report modules build each chart once, as data (:class:`~sijpro.reports.charts.Chart`); the PDF draws
it on reportlab's canvas and this module with matplotlib's object API, so a chart on screen and on paper
show the same series, bands, norms, intervals, counts and missing marks. No pyplot: the caller owns the
Figure (inside a Qt canvas, or with ``FigureCanvasAgg`` for a PNG) and should give it the "constrained"
layout engine, which leaves room for the band labels and the counts under the axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sijpro.reports.charts import GRID_HEX, INK_HEX, MUTED_HEX, Axis, Chart, Series

TITLE_POINTS = 10.0
TICK_POINTS = 8.0
SMALL_POINTS = 7.0
BAR_FRACTION = 0.022
"""Width of one bar as a share of the x range (about the PDF's 6 points on a half-page chart)."""
COUNT_ROW_POINTS = 10.0


def draw_charts(figure: Figure, charts: Sequence[Chart], columns: int = 2) -> list[Axes]:
    """Replace what ``figure`` shows by ``charts`` in a grid; returns the main axes of each chart."""
    figure.clear()
    rows = max(1, math.ceil(len(charts) / columns))
    drawn = []
    for position, chart in enumerate(charts, start=1):
        axes = figure.add_subplot(rows, columns, position)
        draw_chart(axes, chart)
        drawn.append(axes)
    return drawn


def draw_chart(axes: Axes, chart: Chart) -> None:
    """Draw one chart on ``axes`` (and on a twin axis when the chart has a right-hand scale).

    Each series' artist carries the gid ``series:<label>``, so a caller (or a test) can find what was
    drawn for it.
    """
    _frame(axes, chart)
    for shade in chart.shades:
        axes.axhspan(shade.low, shade.high, color=shade.color, linewidth=0, zorder=0)
        axes.text(1.01, (shade.low + shade.high) / 2, shade.label, transform=axes.get_yaxis_transform(),
                  fontsize=SMALL_POINTS, color=MUTED_HEX, va="center", ha="left", clip_on=False)
    for x in chart.missing:
        _missing(axes, x, chart.missing_label)
    right = _right_axis(axes, chart.right) if chart.right is not None else None
    bars = [series for series in chart.series if series.kind == "bars"]
    handles: list[Artist] = []
    for series in chart.series:
        target = right if series.on_right_axis and right is not None else axes
        if series.kind == "bars":
            handles.append(_bars(target, series, chart.x, len(bars), bars.index(series)))
        else:
            handles.append(_line(target, series))
    if chart.reference is not None:
        value, label = chart.reference
        handles.append(axes.axhline(value, color=MUTED_HEX, linewidth=1.0, linestyle=(0, (3, 2)), label=label,
                                    zorder=1.5))
    if len(chart.series) > 1 or chart.reference is not None:
        axes.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(handles),
                    frameon=False, fontsize=SMALL_POINTS, borderaxespad=0.2, handlelength=1.6, columnspacing=1.2)
        axes.set_title(chart.title, loc="left", fontsize=TITLE_POINTS, fontweight="bold", color=INK_HEX, pad=18)
    _counts(axes, [series for series in chart.series if series.counts])
    if chart.empty_label and not any(series.points for series in chart.series):
        axes.text(0.5, 0.5, chart.empty_label, transform=axes.transAxes, ha="center", va="center",
                  fontsize=TICK_POINTS + 1, color=MUTED_HEX, style="italic",
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})


def _labels(axis: Axis) -> list[str]:
    return list(axis.labels) or [f"{tick:g}" for tick in axis.ticks]


def _frame(axes: Axes, chart: Chart) -> None:
    x, y = chart.x, chart.y
    axes.set_xlim(x.minimum, x.maximum)
    axes.set_ylim(y.minimum, y.maximum)
    axes.set_xticks(list(x.ticks), _labels(x))
    axes.set_yticks(list(y.ticks), _labels(y))
    axes.tick_params(labelsize=TICK_POINTS, colors=INK_HEX, length=3)
    axes.set_title(chart.title, loc="left", fontsize=TITLE_POINTS, fontweight="bold", color=INK_HEX, pad=6)
    if x.title:
        rows = sum(1 for series in chart.series if series.counts)
        axes.set_xlabel(x.title, fontsize=TICK_POINTS, color=INK_HEX, labelpad=4 + rows * COUNT_ROW_POINTS)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(chart.right is not None)
    if not chart.shades:
        axes.grid(axis="y", color=GRID_HEX, linewidth=0.6)
        axes.set_axisbelow(True)


def _right_axis(axes: Axes, axis: Axis) -> Axes:
    right = axes.twinx()
    right.set_ylim(axis.minimum, axis.maximum)
    right.set_yticks(list(axis.ticks), _labels(axis))
    right.tick_params(labelsize=TICK_POINTS, colors=INK_HEX, length=3)
    right.spines["top"].set_visible(False)
    return right


def _missing(axes: Axes, x: float, label: str) -> None:
    """An expected answer that never came: a dotted line and the word, never a point at zero."""
    axes.axvline(x, color=MUTED_HEX, linewidth=0.8, linestyle=(0, (1, 2)), zorder=1)
    axes.text(x, 0.97, label, transform=axes.get_xaxis_transform(), rotation=90, ha="center", va="top",
              fontsize=SMALL_POINTS, color=MUTED_HEX, style="italic",
              bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def _line(axes: Axes, series: Series) -> Artist:
    xs = [x for x, _ in series.points]
    ys = [y for _, y in series.points]
    if series.intervals:
        shown = list(zip(xs, ys, series.intervals, strict=False))
        axes.errorbar([x for x, _, _ in shown], [y for _, y, _ in shown],
                      yerr=[[y - low for _, y, (low, _) in shown], [high - y for _, y, (_, high) in shown]],
                      fmt="none", ecolor=series.color, elinewidth=0.9, capsize=2.5, zorder=2)
    (line,) = axes.plot(xs, ys, color=series.color, marker="D" if series.kind == "dots" else "o",
                        markersize=5 if series.kind == "dots" else 4.5, linewidth=1.6,
                        linestyle="-" if series.kind == "line" else "none", label=series.label, zorder=3)
    line.set_gid(f"series:{series.label}")
    return line


def _bars(axes: Axes, series: Series, x_axis: Axis, count: int, position: int) -> Artist:
    width = BAR_FRACTION * (x_axis.maximum - x_axis.minimum)
    base = max(min(axes.get_ylim()), 0)
    lefts = [x - width * count / 2 + position * width for x, _ in series.points]
    container = axes.bar(lefts, [y - base for _, y in series.points], width=width, bottom=base, align="edge",
                         color=series.color, alpha=0.75, label=series.label, zorder=2)
    for patch in container.patches:
        patch.set_gid(f"series:{series.label}")
    return Patch(color=series.color, alpha=0.75, label=series.label)  # the legend's swatch, even with no bar


def _counts(axes: Axes, rows: Sequence[Series]) -> None:
    """n of each point, one row per series under the tick labels, in the series' colour; a count that
    would overlap the one before it (6 weeks beside baseline) is nudged right, as in the PDF."""
    below = axes.get_xaxis_transform()
    low, high = axes.get_xlim()
    figure = axes.get_figure(root=True)
    width_points = axes.get_position().width * (figure.get_figwidth() if figure else 6.0) * 72
    for row, series in enumerate(rows):
        offset = -(TICK_POINTS + 8 + row * COUNT_ROW_POINTS)
        axes.annotate("n", xy=(0, 0), xycoords="axes fraction", xytext=(-6, offset), textcoords="offset points",
                      ha="right", va="top", fontsize=SMALL_POINTS, color=series.color, annotation_clip=False)
        previous_right = -math.inf
        for (x, _), count in zip(series.points, series.counts, strict=True):
            text = str(count)
            half = len(text) * SMALL_POINTS * 0.3  # half the text's width, in points (digits are ~0.6 em)
            centre = (x - low) / (high - low) * width_points
            shift = max(0.0, previous_right + 2 + half - centre)
            axes.annotate(text, xy=(x, 0), xycoords=below, xytext=(shift, offset), textcoords="offset points",
                          ha="center", va="top", fontsize=SMALL_POINTS, color=series.color, annotation_clip=False)
            previous_right = centre + shift + half
