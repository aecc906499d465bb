"""Texts in the current language: widgets that rewrite theirs on a switch, and texts given in several."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ui.i18n import language, on_language_changed


def follow_language(widget: QWidget, retranslate: Callable[[], None]) -> None:
    """Call ``retranslate()`` now and after every language switch until ``widget`` is destroyed."""
    retranslate()
    stop = on_language_changed(lambda _code: retranslate())
    widget.destroyed.connect(lambda *_: stop())


def local(text: dict[str, str] | None, fallback: str) -> str:
    """A text given in several languages (an instrument's, a protocol's), in the current one."""
    if not text:
        return fallback
    return text.get(language()) or text.get("en") or fallback
