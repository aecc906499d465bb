"""The audit viewer: filters by user, kind of record, record number and dates give what the audit service
gives for the same filters; the chain check reports an intact trail, and names the event someone altered."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from sijpro.services.clinic import Clinic
from tests.ui.background import click_and_finish
from tests.ui.demo_clinic import TODAY
from ui.i18n import set_language
from ui.staff.admin.audit import ENTITIES, SHOWN, AuditPage, entity_text

pytestmark = pytest.mark.gui


@pytest.fixture
def page(shown_page):
    return shown_page(AuditPage, (1500, 900))


def shown_ids(page: AuditPage) -> list[int]:
    return [page.model.record(row).id for row in range(page.model.rowCount())]


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_filters_give_the_services_events(page, qtmodeltester) -> None:
    audit = page.clinic.audit
    everything = audit.events(newest_first=True)
    assert len(everything) < SHOWN
    assert shown_ids(page) == [event.id for event in everything]
    assert page.count.text() == f"{len(everything)} events, newest first"
    qtmodeltester.check(page.model)
    assert [page.actor.itemData(i) for i in range(page.actor.count())] == [None, "ada", "system"]

    choose(page.entity, "user")
    page.show_button.click()
    assert shown_ids(page) == [event.id for event in audit.events(entity="user", newest_first=True)]
    assert page.model.data(page.model.index(0, 3)) == "user account"

    patient = page.clinic.patients.search("DEMO", limit=1)[0]
    with Clinic.open(str(page.clinic.database.url.database), clock=page.clinic.context.clock) as elsewhere:
        elsewhere.session("sam").patients.update(patient.id, {"bmi": 31.0}, expected_version=patient.row_version,
                                                 reason="weighed at the visit")
    page.refresh()
    choose(page.actor, "sam")
    choose(page.entity, None)
    page.apply()
    [edit] = [page.model.record(row) for row in range(page.model.rowCount())]
    assert (edit.actor, edit.entity, edit.entity_id, edit.field, edit.new, edit.reason) == (
        "sam", "patient", patient.id, "bmi", 31.0, "weighed at the visit")
    row = [page.model.data(page.model.index(0, column)) for column in range(page.model.columnCount())]
    assert row[2:] == ["sam", "patient", str(patient.id), "bmi", "" if patient.bmi is None else f"{patient.bmi}",
                       "31.0", "weighed at the visit"]

    choose(page.actor, None)
    page.entity_id.setText(str(patient.id))
    choose(page.entity, "patient")
    page.apply()
    assert shown_ids(page) == [e.id for e in audit.events(entity="patient", entity_id=patient.id, newest_first=True)]
    assert len(shown_ids(page)) == 2  # registered, then the BMI edit


def test_dates_are_whole_local_days(page) -> None:
    since, since_date = page.dates["since"]
    until, until_date = page.dates["until"]
    since.setChecked(True)
    since_date.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    until.setChecked(True)
    until_date.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    page.apply()
    assert len(shown_ids(page)) == len(page.clinic.audit.events())  # the demo was loaded on that day
    since_date.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(1))
    until_date.setDate(QDate(TODAY.year, TODAY.month, TODAY.day).addDays(3))
    page.apply()
    assert shown_ids(page) == []
    assert page.filters()["since"] == dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time()).astimezone(
        dt.UTC).replace(tzinfo=None)


def test_chain_check_reports_intact_then_altered(page, qtbot) -> None:
    click_and_finish(qtbot, page.verify_button)
    report = page.report
    assert report is not None and report.ok
    assert page.chain.text().startswith("The audit trail is intact: the hashes of all")
    assert page.chain.property("role") == "notice"
    with page.clinic.database.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_events_refuse_update"))
        connection.execute(text("UPDATE audit_events SET reason = 'nothing happened' WHERE id = 5"))
    click_and_finish(qtbot, page.verify_button)
    report = page.report
    assert report is not None and not report.ok and report.first_broken_id == 5
    assert page.chain.text().startswith("The audit trail has been tampered with: audit event 5 ")
    assert page.chain.property("role") == "error"


def test_french(page, qtbot) -> None:
    set_language("fr")
    page.retranslate()
    assert page.heading.text() == "Journal d’audit"
    assert page.actor.itemText(0) == "Tout le monde"
    assert page.model.headerData(6, Qt.Orientation.Horizontal) == "Avant"
    click_and_finish(qtbot, page.verify_button)
    assert page.chain.text().startswith("Le journal d’audit est intact")


def test_every_kind_of_record_the_core_audits_has_a_name_in_both_languages() -> None:
    core = Path(__file__).resolve().parents[3] / "sijpro"
    audited = {match for path in core.rglob("*.py")
               for match in re.findall(r'Change\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert {"patient", "response", "user", "database"} <= audited
    assert audited <= set(ENTITIES)
    try:
        for code in ("en", "fr"):
            set_language(code)
            names = [entity_text(entity) for entity in ENTITIES]
            assert all(name and not name.startswith("admin.") for name in names), names
        assert entity_text("database") == "base de données"
    finally:
        set_language("en")
