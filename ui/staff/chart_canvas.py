"""The report charts in a window: matplotlib's Qt canvas showing the same chart data as the PDFs.

The charts are built by ``sijpro.reports`` (patient_charts, cohort_charts) and drawn by
``sijpro.reports.figure``; this widget only owns the Figure and redraws it when asked.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from sijpro.reports.charts import Chart
from sijpro.reports.figure import draw_charts
from sijpro.reports.flow import Flow, draw_flow

SCREEN_DPI = 96


class ChartCanvas(QWidget):
    """A grid of charts (two per row) that follows the widget's size."""

    def __init__(self, parent: QWidget | None = None, *, columns: int = 2) -> None:
        super().__init__(parent)
        self.columns = columns
        self.figure = Figure(figsize=(8, 6), dpi=SCREEN_DPI, layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setParent(self)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(320, 240)
        self.axes: list[Axes] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)

    def show_charts(self, charts: Sequence[Chart]) -> None:
        self.axes = draw_charts(self.figure, charts, self.columns)
        self.canvas.draw_idle()

    def show_flow(self, flow: Flow) -> None:
        """A flow chart (the cohort's follow-up) instead of charts."""
        draw_flow(self.figure, flow)
        self.axes = []
        self.canvas.draw_idle()

    def clear(self) -> None:
        self.figure.clear()
        self.axes = []
        self.canvas.draw_idle()
