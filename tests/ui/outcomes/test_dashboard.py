"""The patient dashboard on the demo clinic: header, visits with missing and late ones flagged, the score
table equal to the outcomes service's numbers, the charts' points, the PDF saved and printed, French."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication

from sijpro.records import PatientOutcomes
from sijpro.visit_state import course_states
from tests.ui.background import finish_tasks
from tests.ui.demo_clinic import TODAY
from ui.i18n import set_language
from ui.staff import dashboard
from ui.staff.dashboard import DashboardPage
from ui.staff.patient_models import VALUE_ROLE
from ui.staff.printing import PrintChoice

pytestmark = pytest.mark.gui


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")


@pytest.fixture
def surgeon_page(qtbot, open_clinic):
    clinic, user = open_clinic("sam")
    page = DashboardPage(clinic, user)
    qtbot.addWidget(page)
    page.resize(1600, 1000)
    page.show()
    qtbot.waitExposed(page)
    return page


def with_a_missed_visit(page: DashboardPage) -> PatientOutcomes:
    """A demo patient with a follow-up missed whole (no questionnaire of it answered) and answers before and
    after it."""
    for outcomes in page.clinic.outcomes.cohort():
        states = missed_states(page, outcomes)
        unanswered = [i for i, t in enumerate(outcomes.timepoints) if states[i] == "missed" and not t.scores]
        if unanswered and unanswered[0] > 0 and "completed" in states[unanswered[0]:]:
            return outcomes
    raise AssertionError("the demo clinic has no patient with a missed visit between two answered ones")


def missed_states(page: DashboardPage, outcomes: PatientOutcomes) -> list[str]:
    """Each visit's state code on the page's day, by the one visit-state function (never a stored status)."""
    return [state.code for state in course_states(outcomes.timepoints, page.clinic.today)]


def cell(model, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, column), role)


def test_missed_visits_are_shown_missing_and_the_scores_are_the_services(surgeon_page, qtmodeltester) -> None:
    page = surgeon_page
    assert page.body.currentIndex() == 0 and not page.save_button.isEnabled()  # nobody chosen yet
    outcomes = with_a_missed_visit(page)
    page.show_patient(outcomes.patient.id)
    assert page.name.text() == outcomes.patient.display_name
    assert f"MRN {outcomes.patient.mrn}" in page.details.text()
    assert outcomes.index_procedure.surgery_date.isoformat() in page.details.text()
    qtmodeltester.check(page.timeline_model)
    qtmodeltester.check(page.scores_model)

    timeline, scores = page.timeline_model, page.scores_model
    codes = [tp.timepoint for tp in outcomes.timepoints]
    states = missed_states(page, outcomes)
    assert timeline.rowCount() == scores.rowCount() == len(codes)
    for row, visit in enumerate(outcomes.timepoints):
        state = cell(timeline, row, 4)
        if states[row] == "missed":
            assert state == "MISSING"
            assert cell(timeline, row, 3) == ""
            assert cell(timeline, row, 4, Qt.ItemDataRole.ForegroundRole) is not None  # in the alert colour too
        if visit.late:
            assert state.startswith("LATE (+")
        for column, key in enumerate(scores.keys, start=1):
            assert cell(scores, row, column, VALUE_ROLE) == visit.scores.get(key)
            shown = cell(scores, row, column)
            if states[row] == "missed" and visit.scores.get(key) is None and key.partition(".")[0] in (
                    page.page.protocol.timepoint(visit.timepoint).instruments):
                assert shown == "missing"  # never a zero, never blank (what a partly answered visit has shows)
            value = visit.scores.get(key)
            if value is not None and key == "nrs.lumbar":
                assert shown.split("\n")[0] == f"{value:g}"
    missed_row = next(row for row, visit in enumerate(outcomes.timepoints)
                      if states[row] == "missed" and not visit.scores)
    assert cell(scores, missed_row, 1, VALUE_ROLE) is None


def test_charts_have_a_point_per_answer_and_a_mark_per_missing_visit(surgeon_page) -> None:
    page = surgeon_page
    outcomes = with_a_missed_visit(page)
    page.show_patient(outcomes.patient.id)
    pain, odi, sf12, _relief = page.charts.axes
    assert pain.get_title(loc="left") == "Pain (NRS, 0-10)"
    answered = {key: [t.scores[key] for t in outcomes.timepoints if t.scores.get(key) is not None]
                for key in ("nrs.lumbar", "nrs.radicular", "odi.odi", "sf12.pcs")}
    lines = {line.get_gid(): line for axes in page.charts.figure.axes for line in axes.lines if line.get_gid()}
    assert list(lines["series:NRS back"].get_ydata()) == answered["nrs.lumbar"]
    assert list(lines["series:NRS leg"].get_ydata()) == answered["nrs.radicular"]
    assert list(lines["series:ODI"].get_ydata()) == answered["odi.odi"]
    assert list(lines["series:PCS"].get_ydata()) == answered["sf12.pcs"]
    missing_marks = [text for text in pain.texts if text.get_text() == "missing"]
    missed = [code for code in missed_states(page, outcomes) if code == "missed"]
    assert len(missing_marks) >= len(missed) >= 1
    assert len([p for p in odi.patches if p.get_gid() is None]) == 5  # the ODI bands
    assert any(line.get_label() == "US norm (50)" for line in sf12.lines)


def test_save_pdf_writes_the_patients_trajectory(surgeon_page, qtbot, tmp_path: Path, monkeypatch) -> None:
    page = surgeon_page
    outcomes = with_a_missed_visit(page)
    page.mrn.setText(outcomes.patient.mrn)
    qtbot.keyClick(page.mrn, Qt.Key.Key_Return)
    assert page.outcomes.patient.id == outcomes.patient.id
    target = tmp_path / "out" / "trajectory.pdf"
    target.parent.mkdir()
    offered = []
    monkeypatch.setattr(dashboard, "ask_save_path", lambda parent, title, suggested, kind: offered.append(
        suggested) or target)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    finish_tasks(qtbot)
    assert offered[0].name == f"{outcomes.patient.mrn}.pdf"
    text = text_of(target.read_bytes())
    assert outcomes.patient.mrn in text and outcomes.patient.display_name in text
    assert "missing" in text
    assert page.saved_to == target and str(target) in page.status.text()


def test_print_hands_the_pdf_to_the_print_service(surgeon_page, qtbot, tmp_path: Path, monkeypatch) -> None:
    page = surgeon_page
    outcomes = with_a_missed_visit(page)
    page.show_patient(outcomes.patient.id)
    spool = tmp_path / "spool"
    spool.mkdir()
    fake_lp = tmp_path / "bin" / "lp"
    fake_lp.parent.mkdir()
    fake_lp.write_text(  # records its arguments and keeps the file it was given (the last argument)
        f'#!/bin/sh\nprintf "%s " "$@" > {spool}/arguments\nfor last; do :; done\ncp "$last" {spool}/job.pdf\n')
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake_lp.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(dashboard, "choose_printer", lambda parent, title: PrintChoice("Ward-3", copies=2))
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    finish_tasks(qtbot)
    arguments = (spool / "arguments").read_text()
    assert "-d Ward-3" in arguments and "-n 2" in arguments
    assert outcomes.patient.mrn in text_of((spool / "job.pdf").read_bytes())
    assert "Ward-3" in page.status.text()

    to_file = tmp_path / "printed.pdf"
    monkeypatch.setattr(dashboard, "choose_printer", lambda parent, title: PrintChoice("", to_file=str(to_file)))
    page.print_button.click()
    finish_tasks(qtbot)
    assert outcomes.patient.mrn in text_of(to_file.read_bytes())


def test_a_missing_print_service_and_an_unknown_mrn_are_clear_messages(surgeon_page, qtbot, tmp_path, monkeypatch,
                                                                      dialogs) -> None:
    page = surgeon_page
    page.show_patient(with_a_missed_visit(page).patient.id)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    monkeypatch.setattr(dashboard, "choose_printer", lambda parent, title: PrintChoice("Ward-3"))
    page.print_button.click()
    finish_tasks(qtbot)
    assert "No print service was found" in dialogs.texts("warning")[-1]
    page.mrn.setText("NOT-A-PATIENT")
    page.open_button.click()
    assert dialogs.texts("warning")[-1] == "No patient has the MRN or name NOT-A-PATIENT."


def test_french_everywhere_on_the_page(surgeon_page) -> None:
    page = surgeon_page
    outcomes = with_a_missed_visit(page)
    page.show_patient(outcomes.patient.id)
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Tableau de bord du patient"
    assert page.save_button.text() == "Enregistrer le PDF…"
    assert page.timeline_model.headerData(4, Qt.Orientation.Horizontal) == "Statut"
    assert page.scores_model.headerData(1, Qt.Orientation.Horizontal) == "EN lombaire"
    missed_row = missed_states(page, outcomes).index("missed")
    assert cell(page.timeline_model, missed_row, 4) == "MANQUANTE"
    assert cell(page.timeline_model, 0, 0) == "Avant l’opération"
    assert page.charts.axes[0].get_title(loc="left") == "Douleur (EN, 0-10)"
    assert "Dossier" in page.details.text() and "intervention de référence" in page.details.text()


def test_refresh_shows_what_was_recorded_since(surgeon_page) -> None:
    page = surgeon_page
    patient = page.clinic.patients.by_mrn(with_a_missed_visit(page).patient.mrn)
    page.show_patient(patient.id)
    before = page.outcomes
    page.refresh()
    assert page.outcomes == before and page.outcomes is not before
    assert page.clinic.today == TODAY


def test_the_system_print_dialog_opens_and_cancel_prints_nothing(surgeon_page, qtbot, monkeypatch) -> None:
    page = surgeon_page
    outcomes = with_a_missed_visit(page)
    page.show_patient(outcomes.patient.id)
    made, seen = [], []
    monkeypatch.setattr(page, "_render", lambda: made.append(True))

    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QPrintDialog) and widget.isVisible():
                seen.append(widget.windowTitle())
                widget.reject()

    QTimer.singleShot(200, cancel)
    page.print_button.click()
    finish_tasks(qtbot)
    assert seen == [f"{outcomes.patient.display_name} ({outcomes.patient.mrn})"]
    assert made == [] and page.status.text() == ""


def test_a_patient_without_surgery_has_an_empty_course(surgeon_page) -> None:
    from sijpro.records import PatientDraft

    page = surgeon_page
    patient = page.clinic.patients.register(PatientDraft("NEW-9", "Neuve", "Anne"))
    page.show_patient(patient.id)
    assert "no index surgery recorded" in page.details.text() and "age unknown" in page.details.text()
    assert all(cell(page.timeline_model, row, 1) == "" for row in range(page.timeline_model.rowCount()))
    assert all("no answer yet" in [t.get_text() for t in axes.texts] for axes in page.charts.axes)
