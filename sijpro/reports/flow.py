"""The follow-up flow chart (CONSORT-like): patients operated, then at each timepoint how many visits were
due, answered, missed, still being collected or not yet due.

The chart is data (:class:`Flow`: boxes on a grid and arrows between them), built once from a
``CohortSummary`` and drawn twice: by :class:`FlowFlowable` in the PDF (reportlab vectors) and by
:func:`draw_flow` on the cohort page (matplotlib, object API), so the two show the same boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from sijpro.analysis.summary import CohortSummary
from sijpro.reports.charts import INK_HEX, MUTED_HEX
from sijpro.reports.fonts import BOLD, REGULAR
from sijpro.reports.tables import timepoint_label
from sijpro.reports.texts import Words

MAIN_FILL, SIDE_FILL = "#E8EEF4", "#F6F8FA"


@dataclass(frozen=True)
class FlowBox:
    lines: tuple[str, ...]
    """The first line is the box's title (bold)."""
    row: int
    column: int
    """0: the main flow; 1: the side box of what left it (missed, pending, not yet due)."""


@dataclass(frozen=True)
class Flow:
    boxes: tuple[FlowBox, ...]
    arrows: tuple[tuple[int, int], ...]
    """(from, to) indexes into ``boxes``."""

    @property
    def rows(self) -> int:
        return max((box.row for box in self.boxes), default=-1) + 1


def completeness_flow(summary: CohortSummary, words: Words) -> Flow:
    """The patients of the summary, then one row per timepoint: a main box with the visits due by now and
    answered, and a side box with those missed, still being collected and not yet due."""
    boxes = [FlowBox((words("flow.operated", n=summary.n_patients),), 0, 0)]
    arrows: list[tuple[int, int]] = []
    above = 0
    for row, (code, counts) in enumerate(summary.completeness.items(), start=1):
        answered = words.count_pct({"n": counts["answered"], "pct": counts["pct_answered"]})
        boxes.append(FlowBox((timepoint_label(words, summary.protocol, code),
                              words("flow.eligible", n=counts["eligible"]), words("flow.answered", n=answered)),
                             row, 0))
        main = len(boxes) - 1
        arrows.append((above, main))
        boxes.append(FlowBox((words("flow.missed", n=counts["missed"]),
                              words("flow.pending", n=counts["pending"]),
                              words("flow.not_yet_due", n=counts["not_yet_due"])), row, 1))
        arrows.append((main, len(boxes) - 1))
        above = main
    return Flow(tuple(boxes), tuple(arrows))


ROW_HEIGHT, BOX_HEIGHT = 44.0, 36.0
COLUMN_X = (0.05, 0.58)
"""Left edge of each column, as a share of the width."""
BOX_WIDTH = (0.42, 0.37)


class FlowFlowable(Flowable):
    """The flow chart in a ``width``-wide box, as tall as its rows."""

    def __init__(self, flow: Flow, width: float) -> None:
        super().__init__()
        self.flow = flow
        self.width = width
        self.height = flow.rows * ROW_HEIGHT

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def _box_of(self, box: FlowBox) -> tuple[float, float, float, float]:
        x = COLUMN_X[box.column] * self.width
        top = self.height - box.row * ROW_HEIGHT
        return x, top - BOX_HEIGHT, BOX_WIDTH[box.column] * self.width, BOX_HEIGHT

    def draw(self) -> None:
        canvas = self.canv
        canvas.setLineWidth(0.6)
        for start, end in self.flow.arrows:
            self._arrow(self.flow.boxes[start], self.flow.boxes[end])
        for box in self.flow.boxes:
            x, y, w, h = self._box_of(box)
            canvas.setStrokeColor(HexColor(MUTED_HEX))
            canvas.setFillColor(HexColor(MAIN_FILL if box.column == 0 else SIDE_FILL))
            canvas.roundRect(x, y, w, h, 3, stroke=1, fill=1)
            canvas.setFillColor(HexColor(INK_HEX))
            size = 7.0
            line_y = y + h - 2 - size
            for number, line in enumerate(box.lines):
                canvas.setFont(BOLD if number == 0 else REGULAR, size)
                canvas.drawString(x + 5, line_y, line)
                line_y -= size + 1.6

    def _arrow(self, start: FlowBox, end: FlowBox) -> None:
        canvas = self.canv
        sx, sy, sw, sh = self._box_of(start)
        ex, ey, _, eh = self._box_of(end)
        canvas.setStrokeColor(HexColor(MUTED_HEX))
        canvas.setFillColor(HexColor(MUTED_HEX))
        if end.column == start.column:  # down the main flow
            x = sx + sw / 2
            canvas.line(x, sy, x, ey + eh + 2)
            head = [(x - 2.5, ey + eh + 4), (x + 2.5, ey + eh + 4), (x, ey + eh)]
        else:  # out to the side
            y = sy + sh / 2
            canvas.line(sx + sw, y, ex - 2, y)
            head = [(ex - 4, y + 2.5), (ex - 4, y - 2.5), (ex, y)]
        path = canvas.beginPath()
        path.moveTo(*head[0])
        for point in head[1:]:
            path.lineTo(*point)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)


def draw_flow(figure: Figure, flow: Flow) -> None:
    """The same flow chart on a matplotlib figure (the cohort page)."""
    figure.clear()
    figure.set_layout_engine("none")  # one axes filling the figure: nothing to lay out
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    rows = max(flow.rows, 1)
    lines = max((len(box.lines) for box in flow.boxes), default=1)
    row_points = figure.get_size_inches()[1] * 72 / rows
    size = max(5.0, min(8.0, row_points * 0.8 / (lines * 1.35)))  # the box's lines fit it at any height
    axes.set_xlim(0, 1)
    axes.set_ylim(0, rows)
    frames = {}
    for index, box in enumerate(flow.boxes):
        x, w = COLUMN_X[box.column], BOX_WIDTH[box.column]
        y, h = rows - box.row - 0.9, 0.8
        frames[index] = (x, y, w, h)
        axes.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.02",
                                      facecolor=MAIN_FILL if box.column == 0 else SIDE_FILL,
                                      edgecolor=MUTED_HEX, linewidth=0.8))
        axes.text(x + 0.012, y + h - 0.08, "\n".join(box.lines), va="top", ha="left", fontsize=size, color=INK_HEX,
                  linespacing=1.25, gid=f"flow:{index}")
    for start, end in flow.arrows:
        sx, sy, sw, sh = frames[start]
        ex, ey, ew, eh = frames[end]
        if flow.boxes[start].column == flow.boxes[end].column:
            tail, tip = (sx + sw / 2, sy), (ex + ew / 2, ey + eh)
        else:
            tail, tip = (sx + sw, sy + sh / 2), (ex, ey + eh / 2)
        axes.add_patch(FancyArrowPatch(tail, tip, arrowstyle="-|>", mutation_scale=8, color=MUTED_HEX,
                                       linewidth=0.8))
