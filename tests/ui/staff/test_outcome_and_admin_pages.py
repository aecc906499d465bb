"""The surgeon's and administrator's pages inside the staff window: listed by role, a patient opened from
the records lands on the dashboard, every page follows the language switch, and a restore signs out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from sijpro.services import backups
from tests.ui.background import finish_tasks
from ui.i18n import set_language

pytestmark = pytest.mark.gui

OUTCOME_PAGES = ["dashboard", "cohort"]
ADMIN_PAGES = ["users", "protocol", "backups", "audit", "database"]


def test_pages_by_role(signed_in) -> None:
    keys = signed_in("nina").workspace.keys
    assert not set(OUTCOME_PAGES + ADMIN_PAGES) & set(keys)
    keys = signed_in("sam").workspace.keys
    assert set(OUTCOME_PAGES) <= set(keys) and not set(ADMIN_PAGES) & set(keys)


def test_a_patient_opens_on_the_dashboard(signed_in, ids, qtbot) -> None:
    workspace = signed_in("sam").workspace
    workspace.route_patient(ids["K-001"])
    page = workspace.pages["dashboard"]
    assert workspace.current_key() == "dashboard"
    assert page.outcomes.patient.id == ids["K-001"] and page.name.text() == "DUPONT, Hélène"
    assert page.timeline_model.rowCount() == 6 and len(page.charts.axes) == 4
    cohort = workspace.open_page("cohort")
    finish_tasks(qtbot)
    assert cohort.summary.n_patients == len(workspace.clinic.outcomes.cohort())


def test_every_page_opens_and_follows_the_language(signed_in, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SIJPRO_CONFIG_DIR", str(tmp_path))
    workspace = signed_in("ada").workspace
    for key in OUTCOME_PAGES + ADMIN_PAGES:
        assert workspace.open_page(key) is not None, key
    assert workspace.pages["users"].model.rowCount() == 3
    set_language("fr")
    titles = {workspace.navigation.item(row).text() for row in range(workspace.navigation.count())}
    assert {"Tableau de bord du patient", "Cohorte", "Utilisateurs et rôles", "Protocole de suivi", "Sauvegardes",
            "Journal d’audit", "Emplacement de la base de données"} <= titles
    assert workspace.pages["cohort"].tabs.tabText(1) == "Résultats"
    assert workspace.pages["audit"].model.headerData(2, Qt.Orientation.Horizontal) == "Utilisateur"


def test_a_restore_signs_everyone_out(signed_in, monkeypatch, qtbot) -> None:
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args: QMessageBox.StandardButton.Yes))
    window = signed_in("ada")
    path = backups.auto_backup(window.clinic, reason="daily")
    page = window.workspace.open_page("backups")
    page.restore(path)
    finish_tasks(qtbot)
    assert page.restored is not None
    assert window.workspace is None and window.user is None  # the restored accounts may differ: sign in again
