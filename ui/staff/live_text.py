"""Widgets that rewrite their texts when the language changes, for as long as they exist."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ui.i18n import on_language_changed


def follow_language(widget: QWidget, retranslate: Callable[[], None]) -> None:
    """Call ``retranslate()`` now and after every language switch until ``widget`` is destroyed."""
    retranslate()
    stop = on_language_changed(lambda _code: retranslate())
    widget.destroyed.connect(lambda *_: stop())
