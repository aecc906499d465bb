"""The desk says "database unreachable, retrying" within 5 s of a network drop, and stops saying it once the
database answers again: a staff window on PostgreSQL through a TCP proxy on loopback that blackholes the
connection (packets vanish), then refuses it (a stopped server), then lets it through."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url

from sijpro.services.clinic import Clinic
from tests.conftest import POSTGRES_URL
from tests.tools.blackhole_proxy import BlackholeProxy
from tests.trusted import as_system
from ui.staff.main_window import StaffWindow


@contextmanager
def through_proxy(url: str) -> Iterator[tuple[BlackholeProxy, str]]:
    """A loopback proxy in front of the test server, and ``url`` through it."""
    target = make_url(POSTGRES_URL)
    proxy = BlackholeProxy(target.host or "127.0.0.1", target.port or 5432)
    try:
        yield proxy, url.replace(f":{target.port}/", f":{proxy.port}/")
    finally:
        proxy.close()


pytestmark = [pytest.mark.gui, pytest.mark.postgres,
              pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]


def test_the_desk_shows_the_database_unreachable_within_five_seconds(qtbot, postgres_url: str) -> None:
    url = postgres_url
    with through_proxy(url) as (proxy, proxied):
        Clinic.init(url)
        clinic = Clinic.open(proxied, actor="staff")
        window = StaffWindow(clinic, clinic_name="Clinique du Parc")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(1500)
        assert not window.unreachable.isVisible()
        for outage in ("blackhole", "refuse"):
            proxy.set(outage)
            dropped = time.monotonic()
            qtbot.waitUntil(window.unreachable.isVisible, timeout=5000)
            assert time.monotonic() - dropped < 5.0
            assert window.unreachable.text() == "Database unreachable, retrying…"
            proxy.set("pass")
            qtbot.waitUntil(lambda: not window.unreachable.isVisible(), timeout=15_000)
        window.close()
        clinic.close()


def test_a_form_saved_while_the_server_is_down_keeps_what_was_typed(qtbot, postgres_url: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from ui.staff.patient_dialog import PatientDialog

    url = postgres_url
    with through_proxy(url) as (proxy, proxied):
        Clinic.init(url)
        clinic = Clinic.open(proxied)
        dialog = PatientDialog(clinic.system_session("nina"))
        qtbot.addWidget(dialog)
        dialog.show()
        for field, text in ((dialog.mrn, "OFF-1"), (dialog.family_name, "Moreau"), (dialog.given_name, "Lise")):
            field.setFocus()
            QTest.keyClicks(field, text)
        proxy.set("refuse")  # the server stops while the nurse types
        QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.saved is None
        assert (dialog.mrn.text(), dialog.family_name.text(), dialog.given_name.text()) == ("OFF-1", "Moreau", "Lise")
        assert dialog.form.general.isVisible() and "cannot reach the database" in dialog.form.general.text().lower()
        proxy.set("pass")
        QTest.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.saved is not None and dialog.saved.mrn == "OFF-1"
        assert clinic.system_session("test").patients.by_mrn("OFF-1") is not None
        clinic.close()


def test_the_nurse_call_look_never_holds_the_desk_while_the_network_is_dead(qtbot, postgres_url: str) -> None:
    """The desk looks for nurse calls every few seconds; through a blackhole that look hangs until the
    network comes back, and the desk must go on answering meanwhile (it once froze here for good)."""
    import threading

    from ui.staff.nurse_calls import NurseCallNotice

    with through_proxy(postgres_url) as (proxy, proxied):
        Clinic.init(postgres_url)
        clinic = Clinic.open(proxied)
        as_system(clinic).calls.call("Tablet 3")
        desk = NurseCallNotice()
        qtbot.addWidget(desk)
        with qtbot.waitSignal(desk.refreshed, timeout=5000):
            desk.attach(clinic)
        assert not desk.isHidden() and desk.device == "Tablet 3"
        proxy.set("blackhole")
        rescue = threading.Timer(20, proxy.set, ("pass",))  # frees a desk that hangs, so the test can fail
        rescue.start()
        try:
            desk.refresh()
            assert proxy.mode == "blackhole", "the look waited on the dead network on the GUI thread"
            qtbot.wait(300)  # the desk keeps handling events, and keeps showing the call it knows
            assert not desk.isHidden() and desk.device == "Tablet 3"
            with qtbot.waitSignal(desk.refreshed, timeout=15_000):
                proxy.set("pass")  # the stuck look fails as the network comes back; a fresh one follows
            with qtbot.waitSignal(desk.refreshed, timeout=5000):
                desk.refresh()
            assert not desk.isHidden() and desk.device == "Tablet 3"
        finally:
            rescue.cancel()
            desk.poll.stop()
            clinic.close()
