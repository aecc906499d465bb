"""Render every screen of the staff desktop to PNG files, to look at them (not a test: a person judges).

    QT_QPA_PLATFORM=offscreen python -m tests.tools.staff_screenshots [OUT_DIR] [--size WIDTHxHEIGHT]

Writes ``<language>-<screen>.png`` (the window at WIDTHxHEIGHT, default 1280x800) in English and French
into OUT_DIR (default /tmp/staff-shots, outside the repository), over a 300-patient demo clinic as of
3 June 2024 (built once, kept in OUT_DIR).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
from pathlib import Path
from unittest import mock

from PySide6.QtCore import QEvent, QEventLoop, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWizard

from sijpro.demo.sandbox import DEMO_PASSWORD, create_demo_clinic
from sijpro.records import PatientDraft
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.storage.encryption import PassphraseError
from tests.ui.clinic_setup import cheap_hashing
from ui.i18n import set_language
from ui.staff.admin.protocol_model import FIELDS
from ui.staff.first_run import FirstRunWizard
from ui.staff.main_window import StaffWindow
from ui.staff.passphrase import PassphraseDialog
from ui.staff.patient_dialog import PatientDialog
from ui.staff.procedure_dialog import ProcedureDialog
from ui.staff.reschedule_dialog import RescheduleDialog
from ui.tasks import Task

TODAY = dt.date(2024, 6, 3)


class Shooter:
    def __init__(self, out: Path, language: str, clinic: Clinic, size: tuple[int, int] = (1280, 800)) -> None:
        self.out, self.language, self.clinic, self.size = out, language, clinic, size

    def shot(self, widget: QWidget, name: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        widget.grab().save(str(self.out / f"{self.language}-{name}.png"))

    def run(self) -> None:
        set_language(self.language)
        self.wizard()
        window = StaffWindow(self.clinic, clinic_name="Clinique du Parc", idle_seconds=3600)
        window.resize(*self.size)
        window.show()
        window.login.show_notice("staff.login.demo", username="demo-nurse", password=DEMO_PASSWORD,
                                 others="demo-surgeon, demo-admin")
        window.login.reset("demo-nurse")
        self.shot(window, "login")
        window.login.password.setText("not the password")
        window.login.try_sign_in()
        self.shot(window, "login-wrong")
        window.login.password.setText(DEMO_PASSWORD)
        window.login.try_sign_in()
        self.shot(window, "worklist")
        self.patients(window)
        self.dialogs(window)
        self.paper(window)
        self.progress(window)
        window.lock()
        window.sign_out()
        window.login.username.setText("demo-surgeon")
        window.login.password.setText(DEMO_PASSWORD)
        window.login.try_sign_in()
        window.workspace.open_page("reports")
        self.shot(window, "reports-surgeon")
        self.dashboard(window)
        window.lock()
        window.sign_out()
        window.login.username.setText("demo-admin")
        window.login.password.setText(DEMO_PASSWORD)
        window.login.try_sign_in()
        self.protocol(window)
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def wizard(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            wizard = FirstRunWizard(str(Path(folder) / "clinic.sqlite"), str(Path(folder) / "clinic.sqlite"),
                                    demo_path=Path(folder) / "demo.sqlite", clock=FixedClock(TODAY))
            wizard.show()
            self.shot(wizard, "wizard-welcome")
            wizard.next()
            page = wizard.account_page
            page.username.setText("Marie Curie")
            page.full_name.setText("Marie Curie")
            page.password.setText("short")
            page.repeated.setText("short")
            wizard.button(QWizard.WizardButton.FinishButton).click()
            self.shot(wizard, "wizard-account-errors")
            wizard.close()
            dialog = PassphraseDialog(None, "/srv/clinic/sijpro.sqlite", actor="staff")
            dialog.show()
            dialog.passphrase.setText("not the passphrase")
            with mock.patch("sijpro.services.clinic.Clinic.open", side_effect=PassphraseError("wrong")):
                dialog.accept()
            self.shot(dialog, "passphrase")
            dialog.close()

    def patients(self, window: StaffWindow) -> None:
        worklist = window.workspace.page("worklist")
        worklist.table.selectRow(2)
        patient_id = worklist.selected().patient_id
        page = window.workspace.open_page("patients")
        page.search.setText("mar")
        page.run_search()
        page.show_patient(patient_id)
        self.shot(window, "patient-record")

    def dialogs(self, window: StaffWindow) -> None:
        clinic = window.session  # the nurse signed in above
        register = PatientDialog(clinic, parent=window)
        register.show()
        register.family_name.setText("Lambert")
        register.given_name.setText("Odile")
        register.birth_date.setText("1958-02-30")
        register.bmi.setText("120")
        register.accept()
        register.birth_date.setText("1958-02-28")
        register.accept()
        self.shot(register, "register-errors")
        register.close()
        existing = clinic.patients.search("DEMO", limit=1)[0]
        duplicate = PatientDialog(clinic, parent=window)
        duplicate.show()
        duplicate.mrn.setText("NEW-0001")
        duplicate.family_name.setText(existing.family_name)
        duplicate.given_name.setText(existing.given_name[:-1] + "e")
        duplicate.birth_date.setText(existing.birth_date.isoformat() if existing.birth_date else "")
        duplicate.accept()
        self.shot(duplicate, "duplicate-warning")
        duplicate.close()
        new = clinic.patients.register(new_patient(self.language))
        procedure = ProcedureDialog(clinic, new, parent=window)
        procedure.show()
        procedure.surgery_date.setText("2024-06-17")
        procedure.side.set_value("bilateral")
        procedure.staged.setChecked(True)
        procedure.second_side_date.setText("2024-07-29")
        procedure.approach.set_value("lateral")
        procedure.device.setText("iFuse-3D")
        procedure.surgeon.setText("Dr Hélène Roussel")
        self.shot(procedure, "procedure")
        procedure.accept()
        self.shot(procedure, "timeline")
        procedure.close()
        index = clinic.procedures.for_patient(new.id)[0]
        reschedule = RescheduleDialog(clinic, new, index, window)
        reschedule.show()
        reschedule.surgery_date.setText("2024-07-01")
        reschedule.accept()
        self.shot(reschedule, "reschedule-reason")
        reschedule.close()

    def paper(self, window: StaffWindow) -> None:
        worklist = window.workspace.page("worklist")
        due = next(item for item in worklist.model.records() if item.can_collect)
        page = window.workspace.open_page("paper")
        page.start_for(due.patient_id)
        QTest.keyClicks(page.form_date, (TODAY - dt.timedelta(days=1)).isoformat())
        form = page.forms[0][1]
        first = form.first_field()
        QTest.keyClicks(first, "11")
        odi = next((f for _, f in page.forms if f.instrument.id == "odi"), None)
        if odi is not None:
            QTest.keyClicks(odi.fields["odi1"], "3")
        self.shot(window, "paper-entry")

    def dashboard(self, window: StaffWindow) -> None:
        page = window.workspace.open_page("dashboard")
        page.mrn.setText("mar")
        page.open_mrn()
        self.shot(window, "dashboard-matches")
        page.show_patient(page.matches_model.records()[0].id)
        self.shot(window, "dashboard")

    def protocol(self, window: StaffWindow) -> None:
        page = window.workspace.open_page("protocol")
        row = [r.values["code"] for r in page.model.rows].index("m6")
        page.model.setData(page.model.index(row, FIELDS.index("window.after_days")), "500")
        page.save()
        self.shot(window, "protocol-problem")

    def progress(self, window: StaffWindow) -> None:
        release = threading.Event()

        def work(progress: object) -> None:
            progress(37, 120)  # type: ignore[operator]
            release.wait(5)

        task = Task(window, "Demo clinic" if self.language == "en" else "Clinique de démonstration",
                    "Creating 300 synthetic patients and their questionnaires…" if self.language == "en"
                    else "Création de 300 patients fictifs et de leurs questionnaires…", work, show_after_ms=0,
                    on_done=lambda _: None)
        ended = QEventLoop()
        task.finished.connect(ended.quit)

        def grab() -> None:
            self.shot(task.dialog, "progress")
            release.set()

        QTimer.singleShot(300, grab)
        task.start()
        ended.exec()  # this script's own wait, for its screenshot


def new_patient(language: str) -> PatientDraft:
    suffix = "EN" if language == "en" else "FR"
    return PatientDraft(f"NEW-{suffix}", "Lambert", "Odile", birth_date=dt.date(1958, 2, 28), language=language)


def main(argv: list[str]) -> int:
    size = (1280, 800)
    if "--size" in argv:
        at = argv.index("--size")
        width, height = argv[at + 1].split("x")
        size = (int(width), int(height))
        argv = argv[:at] + argv[at + 2:]
    out = Path(argv[0]) if argv else Path("/tmp/staff-shots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    demo = out / "demo.sqlite"
    with cheap_hashing():
        if not demo.exists():
            create_demo_clinic(demo, today=TODAY)
        for language in ("en", "fr"):
            copy = out / f"demo-{language}.sqlite"
            copy.write_bytes(demo.read_bytes())
            with Clinic.open(str(copy), actor="staff", clock=FixedClock(TODAY)) as clinic, \
                    mock.patch.object(QDialog, "exec", lambda self: 0):
                Shooter(out, language, clinic, size).run()
            copy.unlink()
    del app
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
