"""Where to write a file and which file to open: the system's file dialogs, one function each, so that a
page asks in one line (and a test can answer in one line)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(parent: QWidget | None, title: str, suggested: Path, filter_text: str) -> Path | None:
    """A file to write, or None when the user cancelled; the suffix of ``suggested`` is added if left out."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filter_text)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix else path.with_suffix(suggested.suffix)


def ask_open_path(parent: QWidget | None, title: str, folder: Path, filter_text: str) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(folder), filter_text)
    return Path(chosen) if chosen else None


def ask_folder(parent: QWidget | None, title: str, folder: Path) -> Path | None:
    """A folder to write into, or None when the user cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, str(folder))
    return Path(chosen) if chosen else None


def documents_folder() -> Path:
    """Where a report is offered to be saved first: the user's documents folder."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()
