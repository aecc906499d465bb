"""The Qt layer's language switch reaches every listening view and Qt's own strings (the words
themselves are checked in tests/test_catalogue.py)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from ui import i18n


@pytest.mark.gui
def test_switching_language_reaches_listeners_and_qt_itself(qapp) -> None:
    heard = []
    stop = i18n.on_language_changed(heard.append)
    try:
        i18n.set_language("fr")
        assert i18n.tr("kiosk.next") == "Suivant"
        assert i18n.tr("kiosk.progress", number=7, total=26) == "Question 7 sur 26"
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == "Annuler"
        i18n.set_language("en")
        assert i18n.tr("kiosk.next") == "Next"
    finally:
        stop()
        i18n.set_language("en")
    assert heard == ["fr", "en"]
    with pytest.raises(ValueError):
        i18n.set_language("de")


def test_plural_call_sites_use_the_current_language() -> None:
    try:
        i18n.set_language("fr")
        assert i18n.tr_n("staff.patients.found", 1, count=1) == "1 patient trouvé."
        assert i18n.tr_n("staff.patients.found", 3, count=3) == "3 patients trouvés."
    finally:
        i18n.set_language("en")
    assert i18n.tr_n("staff.patients.found", 1, count=1) == "1 patient found."
