"""What "fits the screen" means for a kiosk page, checked on the real widget geometry."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from ui.kiosk.style import MIN_TOUCH
from ui.kiosk.widgets import WrapButton


def layout_problems(window: QWidget, page: QWidget) -> list[str]:
    """Everything visible on ``page`` lies inside the window, shows its whole text, and is touchable.

    Empty means the page needs no scrolling, clips nothing and has no target under 64 px.
    """
    problems = []
    bounds = QRect(0, 0, window.width(), window.height())
    for widget in [page, *page.findChildren(QWidget)]:
        if not widget.isVisibleTo(window) or widget.width() <= 0:
            continue
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QLabel | QAbstractButton) else "")
        where = f"{type(widget).__name__} {name[:40]!r}"
        rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        if not bounds.contains(rect):
            problems.append(f"{where} at {rect.getRect()} leaves the {bounds.width()}x{bounds.height()} window")
        parent = widget.parentWidget()
        if widget is not page and parent is not None and not parent.rect().contains(widget.geometry()):
            problems.append(f"{where} at {widget.geometry().getRect()} sticks out of its {parent.size().toTuple()}")
        if isinstance(widget, WrapButton) and not widget.fits():
            problems.append(f"{where} clips its text ({widget.height()} < {widget.heightForWidth(widget.width())})")
        elif isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap() and widget.heightForWidth(widget.width()) > widget.height() + 1:
                problems.append(f"{where} clips its text ({widget.height()} < {widget.heightForWidth(widget.width())})")
            if not widget.wordWrap() and widget.sizeHint().width() > widget.width() + 1:
                problems.append(f"{where} is cut ({widget.width()} < {widget.sizeHint().width()})")
        elif isinstance(widget, QAbstractButton) and widget.text() and widget.sizeHint().width() > widget.width() + 1:
            problems.append(f"{where} cuts its text ({widget.width()} < {widget.sizeHint().width()})")
        if isinstance(widget, QAbstractButton) and (widget.width() < MIN_TOUCH or widget.height() < MIN_TOUCH):
            problems.append(f"{where} is a {widget.width()}x{widget.height()} touch target")
    return problems
