"""Render the surgeon's and admin's pages to PNG files, to look at them (not a test: a person judges).

    QT_QPA_PLATFORM=offscreen python -m tests.tools.views_screenshots [OUT_DIR]

Writes ``<language>-<page>.png`` at 1600x1000 into OUT_DIR (default /tmp/views-shots, outside the
repository): the dashboard of a demo patient with a missed visit, the cohort view unfiltered and with a
filter, and every admin page (the protocol editor also with a refused edit), in English and French, each in
the staff desktop's stylesheet.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from tests.trusted import trusted
from tests.ui.demo_clinic import TODAY, create_demo_clinic
from ui.i18n import LANGUAGES, set_language
from ui.staff.style import staff_stylesheet
from ui.workstation import CONFIG_VARIABLE

SIZE = (1600, 1000)


def with_missed_visit(clinic: Clinic) -> int:
    for outcomes in clinic.outcomes.cohort():
        states = [t.status for t in outcomes.timepoints]
        if "missed" in states and "completed" in states[states.index("missed"):] and any(
                t.late for t in outcomes.timepoints):
            return outcomes.patient.id
    return clinic.outcomes.cohort()[0].patient.id


def filtered(page: QWidget) -> None:
    combo = page.filters["fbss"]
    combo.setCurrentIndex(combo.findData("1"))
    page.score.setCurrentIndex(page.score.findData("odi.odi"))
    page.tabs.setCurrentIndex(1)
    page.apply()


def cohort_tab(name: str) -> Callable[[QWidget], None]:
    """Show one tab of the cohort page (by its key in ui.staff.cohort.TABS)."""
    def show(page: QWidget) -> None:
        from ui.staff.cohort import TABS

        page.tabs.setCurrentIndex(list(TABS).index(name))
    return show


def refused_protocol(page: QWidget) -> None:
    from ui.staff.admin.protocol_model import FIELDS

    page.revert()
    page.model.setData(page.model.index(2, FIELDS.index("offset.months")), -3)
    page.save()


def backed_up(page: QWidget) -> None:
    from sijpro.services import backups

    backups.auto_backup(page.clinic, reason="daily")
    page.refresh()
    page.table.selectRow(0)


def refused_account(page: QWidget) -> QWidget:
    """The new-user dialog after a password too short for an administrator: what is shown at the field."""
    dialog = page.add_user()
    dialog.set_values(username="zoe", full_name="Zoé Zimmer", role="admin", password="short1",
                      repeated="short1")
    dialog.save()
    return dialog


def saved_clinic(page: QWidget) -> None:
    page.idle_minutes.setValue(5)
    page.web_address.setText("https://prom.clinique.example")
    page.save()


def refused_web_address(page: QWidget) -> None:
    page.web_address.setText("http://prom.clinique.example")
    page.save()


def scenes(clinic: Clinic) -> dict[str, Callable[[QWidget], object]]:
    """Page name -> what to do on the page before the picture."""
    patient = with_missed_visit(clinic)
    return {
        "dashboard": lambda page: page.show_patient(patient),
        "cohort-fbss": filtered,
        "cohort-responders": cohort_tab("responders"),
        "cohort-completeness": cohort_tab("completeness"),
        "users": lambda page: page.select("nina"),
        "users-add-refused": refused_account,
        "protocol-refused": refused_protocol,
        "audit": lambda page: page.verify(),
        "backups": backed_up,
        "database": lambda page: page.test(),
        "clinic-saved": saved_clinic,
        "clinic-web-refused": refused_web_address,
    }


def page_classes() -> dict[str, type[QWidget]]:
    from ui.staff.admin.audit import AuditPage
    from ui.staff.admin.backups import BackupsPage
    from ui.staff.admin.clinic import ClinicPage
    from ui.staff.admin.database import DatabasePage
    from ui.staff.admin.protocol import ProtocolPage
    from ui.staff.admin.users import UsersPage
    from ui.staff.cohort import CohortPage
    from ui.staff.dashboard import DashboardPage

    return {"dashboard": DashboardPage, "cohort": CohortPage, "cohort-fbss": CohortPage,
            "cohort-responders": CohortPage, "cohort-completeness": CohortPage, "users": UsersPage,
            "users-add-refused": UsersPage, "protocol": ProtocolPage, "protocol-refused": ProtocolPage,
            "audit": AuditPage, "backups": BackupsPage, "database": DatabasePage, "clinic-saved": ClinicPage,
            "clinic-web-refused": ClinicPage}


def shoot(out: Path, clinic: Clinic, language: str) -> list[Path]:
    user = next(u for u in clinic.auth.users() if u.username == "ada")
    set_language(language)
    written = []
    prepare = scenes(clinic)
    for name, page_class in page_classes().items():
        page = page_class(clinic, user)
        page.setObjectName("staffWindow")
        page.setStyleSheet(staff_stylesheet())
        page.resize(*SIZE)
        page.show()
        QApplication.processEvents()
        page.refresh()  # what the window does each time it shows a page
        result = prepare.get(name, lambda _page: None)(page)
        shown = result if isinstance(result, QWidget) else page  # a scene may open a dialog to look at
        page.retranslate()
        QApplication.processEvents()
        path = out / f"{language}-{name}.png"
        shown.grab().save(str(path))
        written.append(path)
        page.close()
        page.deleteLater()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("/tmp/views-shots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        os.environ[CONFIG_VARIABLE] = folder  # never this computer's own workstation settings
        database = str(Path(folder) / "clinic.sqlite")
        create_demo_clinic(database, patients=150)
        with trusted(database, "ada", clock=FixedClock(TODAY)) as clinic:
            written = [path for language in LANGUAGES for path in shoot(out, clinic, language)]
    app.processEvents()
    print(f"{len(written)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
