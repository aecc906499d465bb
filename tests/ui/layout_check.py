"""What "fits the screen" means for a kiosk page, checked on the real widget geometry."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWidget

from ui.kiosk.style import MIN_TOUCH, Metrics
from ui.kiosk.widgets import WrapButton


def shown_texts(window: QWidget, page: QWidget) -> list[QLabel | QAbstractButton]:
    """Every label and button with words that the patient can see on ``page``."""
    return [widget for widget in [page, *page.findChildren(QWidget)]
            if isinstance(widget, QLabel | QAbstractButton) and widget.isVisibleTo(window) and widget.text()]


def font_problems(window: QWidget, page: QWidget, sizes: Metrics) -> list[str]:
    """Every text is drawn at one of the sizes of the patient's chosen text step (its body text, its
    questions, its titles), never smaller than that step's body text, never cut with '…'."""
    allowed = {sizes.body, sizes.question, sizes.title}
    problems = []
    for widget in shown_texts(window, page):
        drawn = widget.fontInfo().pixelSize()
        name = f"{type(widget).__name__} {(widget.accessibleName() or widget.text())[:40]!r}"
        if drawn not in allowed or drawn < sizes.body:
            problems.append(f"{name} drawn at {drawn} px, not at the chosen size {sorted(allowed)}")
        if "…" in widget.text() or "..." in widget.text():
            problems.append(f"{name} is elided: {widget.text()!r}")
        if isinstance(widget, WrapButton):
            shown = widget.text().replace("&&", "&").replace("\n", "").replace(" ", "")
            if shown != widget.full_text().replace("\n", "").replace(" ", ""):
                problems.append(f"{name} does not show its whole text")
    return problems


def layout_problems(window: QWidget, page: QWidget, *, may_scroll: bool = False) -> list[str]:
    """Everything visible on ``page`` lies inside the window, shows its whole text, and is touchable.

    A screen in a scroll area (a patient's screen at a large text size) may be taller than the window
    when ``may_scroll``: its widgets must then lie inside the scrolled content, never wider than the
    window. Empty means nothing is clipped, nothing is out of reach and no target is under 64 px.
    """
    problems = []
    bounds = QRect(0, 0, window.width(), window.height())
    scrolled = {area.widget(): area for area in page.findChildren(QScrollArea) if area.isVisibleTo(window)}
    for content, area in scrolled.items():
        if area.verticalScrollBar().maximum() > 0 and not may_scroll:
            problems.append(f"{type(content).__name__} needs scrolling ({content.height()} > "
                            f"{area.viewport().height()})")
        if content.width() > area.viewport().width():
            problems.append(f"{type(content).__name__} is wider than the screen ({content.width()} > "
                            f"{area.viewport().width()})")
    for widget in [page, *page.findChildren(QWidget)]:
        if not widget.isVisibleTo(window) or widget.width() <= 0:
            continue
        name = widget.accessibleName() or (widget.text() if isinstance(widget, QLabel | QAbstractButton) else "")
        where = f"{type(widget).__name__} {name[:40]!r}"
        content = next((c for c in scrolled if c is widget or c.isAncestorOf(widget)), None)
        if content is None:
            rect, inside = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size()), bounds
        else:
            rect, inside = QRect(widget.mapTo(content, widget.rect().topLeft()), widget.size()), content.rect()
        if not inside.contains(rect):
            problems.append(f"{where} at {rect.getRect()} leaves the {inside.width()}x{inside.height()} "
                            f"{'window' if content is None else 'screen'}")
        parent = widget.parentWidget()
        if (widget is not page and widget not in scrolled and parent is not None
                and not parent.rect().contains(widget.geometry())):
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
