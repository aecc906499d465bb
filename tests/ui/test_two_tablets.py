"""One visit, one tablet (DESIGN rule 11): two real kiosk processes on one database (an SQLite file,
and PostgreSQL when the run has one). The second tablet is refused while the first holds the visit,
may take it over on purpose, and then the first can no longer write: no answer is overwritten."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.trusted import trusted
from tests.ui.clinic_setup import create_clinic

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


class Tablet:
    """A kiosk process named ``device``; ``do`` sends one command and returns what the tablet shows."""

    def __init__(self, database: str, device: str) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SIJPRO_DEVICE_NAME": device}
        self.process = subprocess.Popen([sys.executable, "-m", "tests.ui.tablet_process", database], cwd=ROOT,
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        ready = self._reply()
        assert ready == {"ready": device}, ready

    def _reply(self) -> dict:
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise AssertionError(f"the tablet stopped: {self.process.stderr.read()}")  # type: ignore[union-attr]
        return json.loads(line)

    def do(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        reply = self._reply()
        assert "failed" not in reply, f"{command}: {reply['failed']}"
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def tablets(database_url: str) -> Iterator[tuple[str, Tablet, Tablet]]:
    create_clinic(database_url, dt.date.today())
    first = Tablet(database_url, "tablet-A")
    try:
        second = Tablet(database_url, "tablet-B")
        try:
            yield database_url, first, second
        finally:
            second.close()
    finally:
        first.close()


def stored(database: str) -> dict[str, dict[str, int | None]]:
    with trusted(database) as clinic:
        return {r.instrument: r.answers for r in clinic.collection.in_progress() if r.answers}


def test_a_second_tablet_is_refused_may_take_over_and_nothing_is_overwritten(tablets) -> None:
    database, tablet_a, tablet_b = tablets
    tablet_a.do("unlock")
    assert tablet_a.do("hand_over K-002")["mode"] == "patient"
    tablet_a.do("this_is_me")
    tablet_a.do("language en")
    tablet_a.do("next")  # the pain questions' instructions
    tablet_a.do("answer 3")

    nurse_b = tablet_b.do("unlock")
    smith = next(row for row in nurse_b["rows"] if row.startswith("SMITH"))
    assert "in use on tablet-A" in smith  # the nurse sees it before trying
    refused = tablet_b.do("hand_over K-002")
    assert refused["mode"] == "nurse" and refused["take_over"]
    assert "being answered on tablet-A" in refused["notice"]

    tablet_a.do("next")
    assert tablet_a.do("answer 5")["error"] == ""  # tablet A still holds the visit: saved
    assert stored(database) == {"nrs": {"lumbar": 3, "radicular": 5}}

    assert tablet_b.do("take_over")["mode"] == "patient"
    tablet_b.do("this_is_me")
    tablet_b.do("language en")  # resumes after the last answer given on tablet A
    assert tablet_b.do("next")["item"] == "odi1"
    tablet_b.do("answer 2")

    tablet_a.do("back")
    late = tablet_a.do("answer 9")  # the patient still at tablet A changes an answer: refused, loudly
    assert "taken over on tablet-B" in late["error"]
    assert stored(database) == {"nrs": {"lumbar": 3, "radicular": 5}, "odi": {"odi1": 2}}

    assert tablet_a.do("stop")["mode"] == "locked"  # locking gives back only what tablet A holds
    with trusted(database) as clinic:
        visit_id = clinic.collection.in_progress()[0].visit_id
        assert clinic.claims.holder(visit_id).device == "tablet-B"
        taken = [e for e in clinic.audit.events(entity="visit", entity_id=visit_id) if e.field == "claimed_on"]
        assert [(e.actor, e.old, e.new, e.reason) for e in taken][:2] == [
            ("kiosk (nina)", None, "tablet-A", None),
            ("kiosk (nina)", "tablet-A", "tablet-B", "taken over from tablet-A")]

    assert tablet_b.do("stop")["mode"] == "locked"  # tablet B locks: the visit is free again
    tablet_a.do("unlock")
    again = tablet_a.do("hand_over K-002")
    assert again["mode"] == "patient" and not again["take_over"]
    assert stored(database) == {"nrs": {"lumbar": 3, "radicular": 5}, "odi": {"odi1": 2}}
