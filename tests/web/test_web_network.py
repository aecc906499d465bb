"""The database lost under ``sijpro serve``: PostgreSQL reached through a loopback TCP proxy that refuses
the connection (a stopped server) and then blackholes it (a dead network: silence, no reset) while a
patient answers. Each answer sent meanwhile gets the page saying to try again, within seconds and never
a traceback; the answers given before are kept, and the same answer sent again once the database is
back is stored once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bench.web_load import Browser
from sijpro.records import ProcedureDraft
from sijpro.services.clinic import Clinic
from tests.conftest import POSTGRES_URL
from tests.factories import patient_draft
from tests.tools.blackhole_proxy import BlackholeProxy
from tests.tools.processes import stop
from tests.trusted import trusted

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(POSTGRES_URL is None, reason="SIJPRO_TEST_POSTGRES_URL is not set")]
ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')
OUTAGE_SECONDS = 40
"""The longest an answer may wait for the page that says to try again: libpq gives up on a silent
network after its 10 s TCP user timeout, or 3 s for a new connection."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serving(postgres_url: str, proxy: BlackholeProxy, tmp_path: Path) -> Iterator[tuple[int, str, Path, str]]:
    """(port, the patient's link path, the server's log, the URL straight to the database): ``sijpro serve``
    with its default workers over the database through the proxy, one patient invited."""
    port = free_port()
    Clinic.init(postgres_url)
    environment = {**os.environ, "SIJPRO_WEB_URL": f"http://127.0.0.1:{port}"}
    with trusted(postgres_url, "test set-up") as clinic:
        patient = clinic.patients.register(patient_draft("NET001"), confirm_duplicate=True)
        clinic.procedures.record(patient.id, ProcedureDraft(dt.date.today() - dt.timedelta(days=42), side="left",
                                                            approach="lateral"))
        clinic.settings.save(clinic.settings.load().__class__(web_address=environment["SIJPRO_WEB_URL"]))
        link = "/v/" + clinic.invitations.issue(patient.id).token
    proxied = postgres_url.replace(f":{make_url(postgres_url).port}/", f":{proxy.port}/")
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", proxied, "serve", "--port",
                                   str(port)], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=environment)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield port, link, log, postgres_url
    finally:
        stop(server, 20)


def stored(url: str) -> list[tuple]:
    with trusted(url) as clinic, clinic.database.reading() as session:
        return [tuple(row) for row in session.execute(text(
            "SELECT r.instrument, r.mode, a.item, a.value FROM responses r JOIN answers a ON a.response_id = r.id "
            "ORDER BY r.instrument, a.item")).all()]


def test_answers_sent_while_the_database_is_lost_get_a_clear_page_and_nothing_is_lost(
        serving: tuple[int, str, Path, str], proxy: BlackholeProxy) -> None:
    port, link, log, direct = serving
    phone = Browser(port, "198.51.100.7")
    phone.request("GET", link)
    status, _, _ = phone.request("POST", "/confirm", {"secret": link.rsplit("/", 1)[1], "day": "12", "month": "4",
                                                      "year": "1961"})
    assert status == 303, log.read_text()
    _, _, page = phone.request("GET", "/q/1")
    form = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    assert phone.request("POST", "/q/1", {"form_token": form, "choice": "7"})[:2] == (303, "/q/2")
    for outage in ("refuse", "blackhole"):
        proxy.set(outage)
        began = time.monotonic()
        status, _, page = phone.request("POST", "/q/2", {"form_token": form, "choice": "3"})
        waited = time.monotonic() - began
        assert status == 503, (outage, status, page[:300])
        assert "Something went wrong on our side" in page and "Your answers given so far are saved" in page
        assert 'href="/q">Try again' in page  # back where the patient stopped, with the same pass
        assert waited < OUTAGE_SECONDS, (outage, waited)
        proxy.set("pass")
        deadline = time.monotonic() + OUTAGE_SECONDS
        while phone.request("GET", "/q/2")[0] != 200:  # the pool's dead connections are replaced
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert phone.request("POST", "/q/2", {"form_token": form, "choice": "3"})[:2] == (303, "/q/3")
    assert stored(direct) == [("nrs", "web", "lumbar", 7), ("nrs", "web", "radicular", 3)]
    written = log.read_text()
    assert "Traceback" not in written and link.rsplit("/", 1)[1] not in written
