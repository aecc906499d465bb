"""The web app in a real browser: Debian's Chromium driven by Playwright against ``sijpro serve`` started
as a real subprocess on a free loopback port, on a phone's viewport with touch.

A whole visit in English and in French with screenshots, the server killed and restarted in the middle,
a replayed Send, a second device taking over, a wrong birth date five times, expired and revoked links:
each with its clear page, and the database holding every answer once, in mode web. axe-core (the npm
package ``tests.reference.npm`` installs) runs inside every kind of page and must find no violation.
One browser for the module; no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sijpro.records import ProcedureDraft
from sijpro.services.clinic import Clinic
from tests.factories import patient_draft
from tests.reference.npm import AXE_SCRIPT, ensure_installed

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
SHOTS = Path(os.environ.get("SIJPRO_WEB_SHOTS", "")) if os.environ.get("SIJPRO_WEB_SHOTS") else None
"""Where to keep the screenshots to look at (``SIJPRO_WEB_SHOTS=DIR``); else in the test's own folder."""
BORN = ("12", "4", "1961")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``python main.py --db URL serve --port P`` as a subprocess, stopped and started again at will."""

    def __init__(self, url: str, port: int, log: Path) -> None:
        self.url, self.port, self.log = url, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "--db", self.url, "serve", "--port", str(self.port)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.1)
        raise AssertionError(f"sijpro serve did not listen in 30 s:\n{self.log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Visit:
    def __init__(self, clinic: Clinic, mrn: str, language: str) -> None:
        staff = clinic.system_session("test set-up")
        patient = staff.patients.register(patient_draft(mrn, language=language), confirm_duplicate=True)
        staff.procedures.record(patient.id, ProcedureDraft(dt.date.today() - dt.timedelta(days=42), side="left",
                                                           approach="lateral"))
        self.patient_id = patient.id
        self.issued = staff.invitations.issue(patient.id)
        self.clinic = clinic

    def answers(self) -> list[tuple]:
        with self.clinic.database.reading() as session:
            return [tuple(row) for row in session.execute(text(
                "SELECT r.instrument, r.mode, r.status, a.item, a.value FROM responses r "
                "JOIN answers a ON a.response_id = r.id WHERE r.visit_id = :v ORDER BY r.instrument, a.item"),
                {"v": self.issued.visit_id}).all()]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Clinic, Path]]:
    ensure_installed()
    folder = tmp_path_factory.mktemp("web")
    url = str(folder / "clinic.sqlite")
    port = free_port()
    previous = os.environ.get("SIJPRO_WEB_URL")
    os.environ["SIJPRO_WEB_URL"] = f"http://127.0.0.1:{port}"
    Clinic.init(url)
    server = Server(url, port, folder / "serve.log")
    clinic = Clinic.open(url)
    server.start()
    try:
        yield server, clinic, SHOTS or folder
    finally:
        server.kill()
        clinic.close()
        if previous is None:
            os.environ.pop("SIJPRO_WEB_URL", None)
        else:
            os.environ["SIJPRO_WEB_URL"] = previous


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


AXE = None


def check_accessible(page, what: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules and its best practices, run in the page: no violation."""
    global AXE  # noqa: PLW0603 - read once per run
    AXE = AXE or AXE_SCRIPT.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE + "\n;undefined")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html).slice(0, 3)}));
    }""")
    assert result == [], f"{what}: {json.dumps(result, indent=1)}"


def shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def path_of(link: str) -> str:
    return "/v/" + link.rsplit("/v/", 1)[1]


def go(page, selector: str = "button.primary") -> None:
    """Tap what leads to another page, and wait for that page."""
    with page.expect_navigation(timeout=15_000):
        page.locator(selector).first.tap()


def give_birth_date(page, born=BORN) -> None:
    page.fill("#day", born[0])
    page.fill("#month", born[1])
    page.fill("#year", born[2])
    go(page)


def answer_current(page, index: int = 0) -> None:
    """Tap the ``index``-th answer on the scale or the list (never the alternative), then Next."""
    page.locator(".options label").nth(index).tap()
    go(page)


def question_number(page) -> int:
    return int(page.url.rsplit("/q/", 1)[1].split("?")[0])


def test_a_whole_visit_on_a_phone_in_english_with_a_restart_and_a_replayed_send(site, browser) -> None:
    server, clinic, shots = site
    visit = Visit(clinic, "WEBEN1", "en")
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/")
        check_accessible(page, "start page")
        shot(page, shots, "en-01-start")
        page.goto(f"http://127.0.0.1:{server.port}{path_of(visit.issued.link)}")
        check_accessible(page, "birth date")
        shot(page, shots, "en-02-birth-date")
        give_birth_date(page, ("13", "4", "1961"))
        assert "4 tries left" in page.inner_text(".error")
        check_accessible(page, "wrong birth date")
        shot(page, shots, "en-03-wrong-birth-date")
        give_birth_date(page)
        assert question_number(page) == 1
        check_accessible(page, "first question (scale, with instructions)")
        shot(page, shots, "en-04-question-1")
        go(page)  # Next without an answer
        assert "Please choose an answer" in page.inner_text(".error")
        check_accessible(page, "question without an answer")
        answer_current(page, 7)
        answer_current(page, 3)
        assert question_number(page) == 3
        check_accessible(page, "choice question")
        shot(page, shots, "en-05-odi")
        answer_current(page, 1)
        answer_current(page, 2)
        # the server dies in the middle of the questionnaire and comes back: nothing is lost
        server.kill()
        page.locator(".options label").nth(1).tap()
        with pytest.raises(playwright_api.Error):  # no server: the browser's own error, the answer not sent
            go(page)
        server.start()
        page.goto(f"http://127.0.0.1:{server.port}/q")
        assert question_number(page) == 5, page.url  # question 5 was never received: asked again
        go(page, "a.button.secondary")  # Back, the answer kept
        assert question_number(page) == 4 and page.locator("#v2").is_checked()
        go(page)
        while "/q/" in page.url:
            number = question_number(page)
            if page.locator("#alternative").count():
                check_accessible(page, "relief (scale with its alternative)")
                shot(page, shots, "en-06-relief")
            answer_current(page, 1 if number % 2 else 0)
        assert page.url.endswith("/review")
        check_accessible(page, "review")
        shot(page, shots, "en-07-review")
        go(page, "a.change")  # change question 1 from the review
        page.locator(".options label").nth(2).tap()
        go(page)
        assert page.url.endswith("/review")
        assert page.locator("tbody tr").nth(0).locator("td").nth(0).inner_text() == "2"
        before = visit.answers()
        assert len(before) == 15 + 1  # 15 questions, and relief's 'worse' recorded 0 beside its percent
        again = context.new_page()  # the review open in a second tab too: its Send comes after the first
        again.goto(page.url)
        go(page)  # Send
        assert page.url.endswith("/done")
        check_accessible(page, "thanks")
        shot(page, shots, "en-08-done")
        go(again)  # the replayed Send: a clear page, nothing twice
        assert "already sent" in again.inner_text("h1")
        page.go_back()  # Back from the thanks: the review is gone, the same clear page
        assert "already sent" in page.inner_text("h1")
        check_accessible(page, "finished")
        after = visit.answers()
        assert {row[1] for row in after} == {"web"} and {row[2] for row in after} == {"complete"}
        assert [row[3:] for row in after] == [row[3:] for row in before]
        assert len({(row[0], row[3]) for row in after}) == len(after)  # each answer stored once
        lumbar = next(row[4] for row in after if row[3] == "lumbar")
        assert lumbar == 2
    finally:
        context.close()


def test_french_and_a_second_device(site, browser) -> None:
    server, clinic, shots = site
    visit = Visit(clinic, "WEBFR1", "fr")
    phone = browser.new_context(**PHONE, locale="fr-FR")
    tablet = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}  # the family's tablet at home
    laptop = browser.new_context(**tablet, locale="fr-FR")
    try:
        first = phone.new_page()
        first.goto(f"http://127.0.0.1:{server.port}/")
        first.fill("#code", visit.issued.printed_code)
        go(first)
        assert first.locator("html").get_attribute("lang") == "fr"
        shot(first, shots, "fr-01-birth-date")
        give_birth_date(first)
        shot(first, shots, "fr-02-question-1")
        check_accessible(first, "French question")
        answer_current(first, 4)
        answer_current(first, 5)
        answer_current(first, 0)
        second = laptop.new_page()
        second.goto(f"http://127.0.0.1:{server.port}{path_of(visit.issued.link)}")
        give_birth_date(second)
        assert question_number(second) == 4  # resumes where the phone stopped
        shot(second, shots, "fr-03-second-device")
        first.locator(".options label").nth(1).tap()
        go(first)
        assert "autre appareil" in first.inner_text("h1")
        check_accessible(first, "moved to another device")
        shot(first, shots, "fr-04-moved")
        assert [row[3:] for row in visit.answers()] == [("lumbar", 4), ("radicular", 5), ("odi1", 0)]
        assert {row[1] for row in visit.answers()} == {"web"}
    finally:
        phone.close()
        laptop.close()


def test_locked_expired_and_revoked_links_have_their_pages(site, browser) -> None:
    server, clinic, shots = site
    locked, expired, revoked = Visit(clinic, "WEBL1", "en"), Visit(clinic, "WEBX1", "en"), Visit(clinic, "WEBR1", "en")
    with clinic.database.writing() as session:
        session.execute(text("UPDATE invitations SET valid_until = :day WHERE id = :id"),
                        {"day": dt.date.today() - dt.timedelta(days=1), "id": expired.issued.invitation_id})
    clinic.system_session("test set-up").invitations.revoke(revoked.issued.invitation_id, "sent to the wrong address")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.port}{path_of(locked.issued.link)}")
        for tries in range(5):
            give_birth_date(page, ("1", "1", str(1950 + tries)))
        assert "locked" in page.inner_text("h1")
        check_accessible(page, "locked")
        shot(page, shots, "en-09-locked")
        for visit, words, name in ((expired, "expired", "en-10-expired"),
                                   (revoked, "no longer valid", "en-11-revoked")):
            page.goto(f"http://127.0.0.1:{server.port}{path_of(visit.issued.link)}")
            assert words in page.inner_text("h1")
            check_accessible(page, words)
            shot(page, shots, name)
        page.goto(f"http://127.0.0.1:{server.port}/v/not-a-link")
        assert "not known" in page.inner_text("h1")
        check_accessible(page, "unknown link")
        assert locked.answers() == [] and expired.answers() == [] and revoked.answers() == []
    finally:
        context.close()
