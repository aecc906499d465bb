"""Sentences the admin pages show above their work: a problem (dark red) or news (blue), hidden until
there is something to say."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def message_label(parent: QWidget, name: str, role: str) -> QLabel:
    """A hidden word-wrapped sentence in the house style of ``role`` ('error', 'notice', 'muted')."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setProperty("role", role)
    label.setWordWrap(True)
    label.hide()
    return label


def say(label: QLabel, text: str, role: str | None = None) -> None:
    """Show ``text`` in ``label``, restyled when its role changes (a success after a failure)."""
    if role is not None and label.property("role") != role:
        label.setProperty("role", role)
        label.style().unpolish(label)
        label.style().polish(label)
    label.setText(text)
    label.setVisible(bool(text))
