"""The admin pages over the demo clinic (see tests/ui/demo_clinic.py), each shown as the window shows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QWidget

from tests.ui.demo_clinic import demo_path, demo_template, dialogs, open_clinic

__all__ = ["demo_path", "demo_template", "dialogs", "open_clinic", "shown_page"]


@pytest.fixture
def shown_page(qtbot, open_clinic) -> Callable[..., QWidget]:
    """``shown_page(PageClass)``: the page for the administrator "ada", shown and refreshed as the window
    does each time it shows a page."""

    def show(page_class: type[QWidget], size: tuple[int, int] = (1400, 900)) -> QWidget:
        clinic, user = open_clinic("ada")
        shown = page_class(clinic, user)
        qtbot.addWidget(shown)
        shown.resize(*size)
        shown.show()
        qtbot.waitExposed(shown)
        shown.refresh()
        return shown

    return show
