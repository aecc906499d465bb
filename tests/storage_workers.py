"""Separate processes for the concurrency and crash tests: ``python -m tests.storage_workers JOB URL ...``.

Each job prints one line per committed step and flushes, so the test knows exactly what was saved before
it kills the process or reads the database.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from sijpro.services.context import FixedClock
from tests.factories import ANSWERS
from tests.trusted import trusted

TODAY = dt.date(2024, 6, 3)


def say(line: str) -> None:
    print(line, flush=True)


def answer_slowly(url: str, response_id: str) -> None:
    """Answer one ODI section at a time, announcing each, then wait (to be killed) before the next."""
    with trusted(url, "tablet", clock=FixedClock(TODAY)) as clinic:
        for item in ("odi1", "odi2"):
            clinic.collection.save_answer(int(response_id), item, 3)
            say(f"saved {item}")
        time.sleep(600)


def complete_patients(url: str, actor: str, *mrns: str) -> None:
    """Complete every pending questionnaire of each patient, answer by answer."""
    with trusted(url, actor, clock=FixedClock(TODAY)) as clinic:
        for mrn in mrns:
            patient = clinic.patients.by_mrn(mrn)
            assert patient is not None
            for visit, instrument in clinic.collection.pending(patient.id):
                response = clinic.collection.open(visit.id, instrument)
                for item, value in ANSWERS[instrument].items():
                    clinic.collection.save_answer(response.id, item, value)
                clinic.collection.complete(response.id)
            say(f"done {mrn}")


def keep_writing(url: str, seconds: str) -> None:
    """Edit one patient over and over (each edit a committed transaction) for a while."""
    deadline = time.monotonic() + float(seconds)
    with trusted(url, "writer", clock=FixedClock(TODAY)) as clinic:
        patient = clinic.patients.by_mrn("W1")
        assert patient is not None
        edits = 0
        while time.monotonic() < deadline:
            bmi = 20.0 + edits % 100 / 10
            patient = clinic.patients.update(patient.id, {"bmi": bmi}, expected_version=patient.row_version,
                                             reason="continuous edit")
            edits += 1
            if edits == 1:
                say("writing")
        say(f"edits {edits}")


def hold_open(url: str, seconds: str) -> None:
    """Keep the database open for a while, saying each time this process's lock on the server is lost
    and taken again ('lost', 'held'); its checks quickened so a test sees them in a second or two. The
    main thread ticks meanwhile ('tick N' each second): it never waits on the lock's connection."""
    from sijpro.storage import server_lock

    server_lock.CHECK_SECONDS, server_lock.RETRY_SECONDS, server_lock.ANSWER_SECONDS = 0.2, 0.2, 1.0
    deadline = time.monotonic() + float(seconds)
    with trusted(url, "desk") as clinic:
        keeper = clinic.database.clinic_lock
        held = keeper is not None and keeper.held
        say("open" if held else "open, not held")
        ticks, next_tick = 0, time.monotonic() + 1
        while time.monotonic() < deadline:
            time.sleep(0.02)
            if keeper is not None and keeper.held != held:
                held = keeper.held
                say("held" if held else "lost")
            if time.monotonic() >= next_tick:
                ticks, next_tick = ticks + 1, next_tick + 1
                say(f"tick {ticks}")
    say("closed")


JOBS = {"answer_slowly": answer_slowly, "complete_patients": complete_patients, "keep_writing": keep_writing,
        "hold_open": hold_open}

if __name__ == "__main__":
    JOBS[sys.argv[1]](*sys.argv[2:])
