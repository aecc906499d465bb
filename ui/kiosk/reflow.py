"""Rows that give way to the text size instead of shrinking it: side by side where they fit, else on more lines.

The patient's text size is never reduced to make a row fit (ISPOR ePRO guidance: what the patient chose to
read is what is drawn). A row of buttons that cannot wrap its words (a 0-10 scale, the header's tools,
the review's paging) instead breaks onto further lines when the width runs out, and the page, taller,
scrolls. Both widgets here tell the layout their height for a width (height-for-width), so the scroll
area around a screen knows how tall the page is at the width it has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QPushButton, QSizePolicy, QWidget

from ui.kiosk.style import MIN_TOUCH

Placement = list[tuple[QWidget, int, int, int, int]]
"""Each widget and its x, y, width and height inside the row."""


def min_width(widget: QWidget) -> int:
    """The narrowest the widget may be drawn without cutting its text (a button never narrower than a finger)."""
    if isinstance(widget, QLabel) and widget.wordWrap():
        return MIN_TOUCH
    width = max(widget.minimumSizeHint().width(), widget.minimumWidth())
    return max(width, MIN_TOUCH) if isinstance(widget, QPushButton) else width


def natural_width(widget: QWidget) -> int:
    """The width a widget takes on a line of a row: a wrapping label its text on one line (it wraps only
    when a line of its own is narrower than that)."""
    if isinstance(widget, QLabel) and widget.wordWrap():
        margins = widget.contentsMargins()
        one_line = widget.fontMetrics().horizontalAdvance(widget.text()) + 2 * widget.margin() + 2
        return max(MIN_TOUCH, one_line + margins.left() + margins.right())
    return min_width(widget)


def height_at(widget: QWidget, width: int) -> int:
    if widget.hasHeightForWidth():
        return max(widget.heightForWidth(width), widget.minimumHeight())
    return max(widget.sizeHint().height(), widget.minimumSizeHint().height())


def share(width: int, minimums: Sequence[int], stretches: Sequence[int]) -> list[int]:
    """Widths for one line as a box layout gives them: by stretch, but never under a widget's minimum."""
    widths = list(minimums)
    free = set(range(len(minimums)))
    room = width
    while free:
        total = sum(stretches[i] for i in free)
        if total <= 0:
            break
        fixed = {i for i in free if room * stretches[i] / total < minimums[i]}
        if not fixed:
            for i in free:
                widths[i] = int(room * stretches[i] / total)
            break
        for i in fixed:
            widths[i] = minimums[i]
            room -= minimums[i]
        free -= fixed
    return widths


class _Placed(QLayout):
    """A layout that puts its widgets where its owner says for a width, so Qt tells it (and the layouts
    around it) whenever one of them is shown, hidden or changes its text."""

    def __init__(self, owner: QWidget, place: Callable[[int], Placement], minimum: Callable[[], QSize],
                 preferred: Callable[[], int]) -> None:
        super().__init__(owner)
        self.setContentsMargins(0, 0, 0, 0)
        self._items: list[QLayoutItem] = []
        self._placed: dict[int, Placement] = {}
        """Placements by width, until Qt invalidates the layout (a layout pass asks the same width often)."""
        self._place = place
        self._minimum = minimum
        self._preferred = preferred

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)
        self._placed.clear()

    def invalidate(self) -> None:
        """A widget was shown, hidden, or changed its size hints: placements are worked out again."""
        placed = getattr(self, "_placed", None)  # None while QLayout's own constructor invalidates
        if placed is not None:
            placed.clear()
        super().invalidate()

    def placement(self, width: int) -> Placement:
        placed = self._placed.get(width)
        if placed is None:
            placed = self._placed[width] = self._place(width)
        return placed

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return max((top + height for _child, _left, top, _width, height in self.placement(width)), default=0)

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        return self._minimum()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = max(1, self._preferred())
        return QSize(width, self.heightForWidth(width))

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        for child, left, top, width, height in self.placement(rect.width()):
            child.setGeometry(rect.x() + left, rect.y() + top, width, height)


def _height_for_width_policy() -> QSizePolicy:
    """Any width; the height the width needs (a Fixed height would hold the layout to the one-line one)."""
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    return policy


class ReflowRow(QWidget):
    """Widgets in one row when they fit at their own size; otherwise line after line, in ``wrapped_order``.

    ``stretch`` shares the width left over on a line as a box layout would. ``wrapped_order`` (default the
    row's own order) is how they are taken once the row breaks: its first widget on a line of its own (the
    header's progress, the review's "Page 2 of 3"), then the others side by side as far as they fit (the
    tools, the two buttons that turn the pages). With ``align_end`` a line where nothing stretches
    keeps to the right (the header's tools, where a thumb finds them on every screen).
    """

    def __init__(self, widgets: Sequence[QWidget], *, spacing: int = 16, line_spacing: int = 12,
                 stretch: Sequence[int] | None = None, wrapped_order: Sequence[QWidget] | None = None,
                 align_end: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widgets = list(widgets)
        self.spacing = spacing
        self.line_spacing = line_spacing
        self.stretch = dict(zip(self.widgets, stretch or [1] * len(self.widgets), strict=True))
        self.wrapped_order = list(wrapped_order or self.widgets)
        self.align_end = align_end
        layout = _Placed(self, self._geometry, self._minimum, self._preferred)
        for child in self.widgets:
            layout.addWidget(child)
        self.setSizePolicy(_height_for_width_policy())

    def _shown(self, order: Sequence[QWidget]) -> list[QWidget]:
        return [child for child in order if not child.isHidden()]

    def lines_for(self, width: int) -> list[list[QWidget]]:
        """The widgets of each line at ``width``: one line when the whole row fits."""
        row = self._shown(self.widgets)
        if sum(natural_width(child) for child in row) + self.spacing * max(0, len(row) - 1) <= width:
            return [row] if row else []
        lines: list[list[QWidget]] = []
        used = 0
        for child in self._shown(self.wrapped_order):
            needed = natural_width(child)
            if len(lines) > 1 and used + self.spacing + needed <= width:
                lines[-1].append(child)
                used += self.spacing + needed
            else:
                lines.append([child])
                used = needed
        return lines

    def _geometry(self, width: int) -> Placement:
        placed: Placement = []
        top = 0
        for line in self.lines_for(width):
            room = max(0, width - self.spacing * (len(line) - 1))
            widths = share(room, [min(room, natural_width(child)) for child in line],
                           [self.stretch[child] for child in line])
            heights = [height_at(child, w) for child, w in zip(line, widths, strict=True)]
            height = max(heights, default=0)
            left = 0
            if not any(self.stretch[child] for child in line):  # nothing grows: the line keeps to the end
                left = max(0, width - sum(widths) - self.spacing * (len(line) - 1)) if self.align_end else 0
            for child, w in zip(line, widths, strict=True):
                placed.append((child, left, top, w, height))
                left += w + self.spacing
            top += height + self.line_spacing
        return placed

    def _minimum(self) -> QSize:
        """As narrow as its widest widget; as low as the row on one line (a layout asks the height for the
        width it gives, so a minimum at the narrowest width would make every page needlessly tall)."""
        widest = max((min_width(child) for child in self._shown(self.widgets)), default=0)
        return QSize(widest, self.heightForWidth(max(1, self._preferred())))

    def one_line_width(self) -> int:
        """The width the row takes on one line, each widget at its natural width."""
        return self._preferred()

    def _preferred(self) -> int:
        row = self._shown(self.widgets)
        return sum(natural_width(child) for child in row) + self.spacing * max(0, len(row) - 1)


class ScaleGrid(QWidget):
    """Equal scale buttons in rows, the low anchor before the first value and the high one after the last.

    All values sit on one row when they fit a finger wide at the chosen text size (0-10 on a tablet);
    otherwise they are dealt into the fewest balanced rows that fit (0-5 over 6-10), read left to right and
    top to bottom, never scrolled sideways (the end of a scale must always be in sight). On one row the
    anchors stand under its two ends; on more rows the low anchor stands above the first value and the high
    one under the last, so each word is beside the number it names.
    """

    H_SPACING = 4
    V_SPACING = 8

    def __init__(self, buttons: Sequence[QPushButton], low: QLabel | None, high: QLabel | None,
                 preferred_per_row: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons = list(buttons)
        self.low = low
        self.high = high
        self.preferred_per_row = max(1, preferred_per_row)
        layout = _Placed(self, self._geometry, lambda: QSize(self.cell_width(), MIN_TOUCH), self._preferred)
        for child in [*self.buttons, low, high]:
            if child is not None:
                layout.addWidget(child)
        if high is not None:
            high.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(_height_for_width_policy())

    def cell_width(self) -> int:
        return max((min_width(choice) for choice in self.buttons), default=MIN_TOUCH)

    def columns_for(self, width: int) -> int:
        count = len(self.buttons)
        rows = -(-count // self.preferred_per_row)
        while True:
            columns = -(-count // rows)
            if columns <= 1 or columns * self.cell_width() + (columns - 1) * self.H_SPACING <= width:
                return max(1, columns)
            rows += 1

    def _geometry(self, width: int) -> Placement:
        columns = self.columns_for(width)
        rows = -(-len(self.buttons) // columns)
        cell = max(self.cell_width(), (width - (columns - 1) * self.H_SPACING) // columns)
        button_height = max((height_at(choice, cell) for choice in self.buttons), default=MIN_TOUCH)
        placed: Placement = []
        top = 0
        anchors = [anchor for anchor in (self.low, self.high) if anchor is not None]
        if rows > 1 and self.low is not None:
            low_height = height_at(self.low, width)
            placed.append((self.low, 0, 0, width, low_height))
            top = low_height + self.V_SPACING
        for index, choice in enumerate(self.buttons):
            row, column = divmod(index, columns)
            placed.append((choice, column * (cell + self.H_SPACING), top + row * (button_height + self.V_SPACING),
                           cell, button_height))
        top += rows * button_height + (rows - 1) * self.V_SPACING + self.V_SPACING
        if rows == 1:
            half = max(1, (width - 16) // 2)
            heights = [height_at(anchor, half) for anchor in anchors] or [0]
            if self.low is not None:
                placed.append((self.low, 0, top, half, max(heights)))
            if self.high is not None:
                placed.append((self.high, width - half, top, half, max(heights)))
        elif self.high is not None:
            placed.append((self.high, 0, top, width, height_at(self.high, width)))
        return placed

    def _preferred(self) -> int:
        columns = min(len(self.buttons), self.preferred_per_row)
        return columns * self.cell_width() + max(0, columns - 1) * self.H_SPACING

    def rows_at(self, width: int) -> int:
        """Rows of buttons at ``width`` (one where the whole scale fits side by side)."""
        return -(-len(self.buttons) // self.columns_for(width))
