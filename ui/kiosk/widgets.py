"""The kiosk's building blocks: labelled buttons that wrap long answers, equal-height answer columns.

Qt's push button draws one line of text, but ODI and SF-12 answers run to two or three lines on a
tablet held upright; ``WrapButton`` wraps its text to its width and tells the layout the height that
needs (height-for-width), so no answer is ever clipped and nothing needs scrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QSizePolicy, QStyle, QStyleOptionButton, QWidget

from ui.kiosk.style import MIN_TOUCH


def settle_layouts(rounds: int = 4) -> None:
    """Lay out now what a new text size or page changed, row by row up to the scroll area, so the scroll
    bar is decided before the first paint and not a frame later (each round reaches one level further)."""
    for _ in range(rounds):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)


def label(text: str, role: str, parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    widget = QLabel(text, parent)
    widget.setProperty("role", role)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    return widget


class HeightFromWidth:
    """Size hints of a widget whose height follows its width (wrapped answer text, a column of answers).

    Mixed in before the Qt class; the widget gives ``heightForWidth``. The minimum is small on purpose:
    the real height comes from ``heightForWidth`` once the layout knows the width.
    """

    width: Callable[[], int]
    """The Qt widget's own ``width()`` (this class is mixed in before it)."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        raise NotImplementedError

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = self.width() if self.width() >= 300 else 600
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(MIN_TOUCH, MIN_TOUCH)


class TouchButton(QPushButton):
    """A push button at least a finger wide, whatever its text ("0", "A")."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(max(MIN_TOUCH, hint.width()), max(MIN_TOUCH, hint.height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()


def button(text: str, role: str, parent: QWidget | None = None, *, name: str | None = None) -> QPushButton:
    """A one-line button that never gets narrower than its text (a layout may widen it, not cut it)."""
    widget = TouchButton(text.replace("&", "&&"), parent)
    widget.setProperty("role", role)
    widget.setAccessibleName(name or text)
    widget.setAutoDefault(False)
    widget.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return widget


def wrap_lines(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Greedy word wrap at ``width`` pixels; a word wider than the line is broken where it must be."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
            if line == word:  # a line that starts with this word: is the word itself too long?
                while len(line) > 1 and metrics.horizontalAdvance(line) > width:
                    cut = len(line) - 1
                    while cut > 1 and metrics.horizontalAdvance(line[:cut]) > width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
        lines.append(line)
    return lines


_WRAPPED: dict[tuple[str, str, int], list[str]] = {}
"""Lines already computed, by text, font and width: the same answers come back with every patient."""
_WRAPPED_MAX = 4096


class WrapButton(HeightFromWidth, QPushButton):
    """A push button whose text wraps to its width; its height follows the number of lines."""

    def __init__(
        self, text: str, role: str, parent: QWidget | None = None, *, name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._wrapped_for = -1
        self._lines: dict[int, list[str]] = {}
        """Lines per width: layouts ask heightForWidth many times per pass, wrapping is the costly part."""
        self._chrome_size: QSize | None = None
        self.setProperty("role", role)
        self.setAccessibleName(name or text)
        self.setAutoDefault(False)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def full_text(self) -> str:
        return self._text

    def _chrome(self) -> QSize:
        """Border plus padding around the text, as the stylesheet sets them."""
        if self._chrome_size is None:
            self._chrome_size = self._measure_chrome()
        return self._chrome_size

    def _measure_chrome(self) -> QSize:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, 1000, 1000)
        contents = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        return QSize(1000 - contents.width(), 1000 - contents.height())

    def lines_for(self, width: int) -> list[str]:
        """The lines shown at ``width``: the whole text wrapped, never cut."""
        lines = self._lines.get(width)
        if lines is None:
            room = max(1, width - self._chrome().width())
            key = (self._text, self.font().key(), room)
            lines = _WRAPPED.get(key)
            if lines is None:
                lines = wrap_lines(self._text, self.fontMetrics(), room)
                if len(_WRAPPED) >= _WRAPPED_MAX:
                    _WRAPPED.clear()
                _WRAPPED[key] = lines
            self._lines[width] = lines
        return lines

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        lines = len(self.lines_for(width))
        text_height = lines * self.fontMetrics().lineSpacing()
        return max(MIN_TOUCH, self.minimumHeight(), text_height + self._chrome().height() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rewrap()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in {QEvent.Type.FontChange, QEvent.Type.StyleChange}:
            self._wrapped_for = -1
            self._lines.clear()
            self._chrome_size = None
            self._rewrap()
            self.updateGeometry()

    def _rewrap(self) -> None:
        if self.width() == self._wrapped_for:
            return
        self._wrapped_for = self.width()
        shown = "\n".join(self.lines_for(self.width())).replace("&", "&&")
        if shown != self.text():
            self.setText(shown)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        """A tick in the right margin of the chosen answer: the choice shows without colour vision too.

        White on the standard theme's dark blue, black on the high-contrast theme's yellow.
        """
        super().paintEvent(event)
        if not self.isChecked():
            return
        option = QStyleOptionButton()
        self.initStyleOption(option)
        contents = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        painter = QPainter(self)
        high = _in_high_contrast(self)
        painter.setPen(Qt.GlobalColor.black if high else Qt.GlobalColor.white)  # on the accent's colour
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        margin = QRect(contents.right(), 0, self.width() - contents.right() - 6, self.height())
        painter.drawText(margin, Qt.AlignmentFlag.AlignCenter, "\u2713")
        painter.end()

    def fits(self) -> bool:
        """Every line of the text is inside the button (a test and the layout fitting use it)."""
        return self.height() >= self.heightForWidth(self.width()) - 4


def _in_high_contrast(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent.property("contrast") == "high":
            return True
        parent = parent.parentWidget()
    return False


class EqualColumn(HeightFromWidth, QWidget):
    """Buttons stacked full-width at one common height, so no answer looks more important than another."""

    def __init__(self, buttons: Sequence[WrapButton], spacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons = list(buttons)
        self.spacing = spacing
        for child in self.buttons:
            child.setParent(self)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def row_height(self, width: int) -> int:
        return max((child.heightForWidth(width) for child in self.buttons), default=0)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        count = len(self.buttons)
        return count * self.row_height(width) + max(0, count - 1) * self.spacing

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.place()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in {QEvent.Type.FontChange, QEvent.Type.StyleChange}:
            self.updateGeometry()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.place()
        return super().event(event)

    def place(self) -> None:
        width = self.width()
        height = self.row_height(width)
        for index, child in enumerate(self.buttons):
            child.setGeometry(0, index * (height + self.spacing), width, height)
