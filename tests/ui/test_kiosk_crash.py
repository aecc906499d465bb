"""Never lose an answer: kill the kiosk (SIGKILL) after k answers, start it again, find all k and resume
at question k+1. Both runs are real processes on a real SQLite file, driven through the widgets."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sijpro.instruments import get_instrument
from tests.trusted import trusted
from tests.ui.clinic_setup import create_clinic
from tests.ui.crash_kiosk import chosen

pytestmark = [pytest.mark.gui, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

ROOT = Path(__file__).resolve().parents[2]
RUN = [(code, item) for code in ("nrs", "odi", "sf12", "satisfaction", "relief")
       for item in get_instrument(code).items]
"""The 27 questions of a 3-month visit, in the order the kiosk asks them."""


def run_script(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "tests.ui.crash_kiosk", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def answer_then_kill(db: str, count: int) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-m", "tests.ui.crash_kiosk", "answer", db, str(count)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == f"COMMITTED {count}", process.stderr.read()  # type: ignore[union-attr]
        process.send_signal(signal.SIGKILL)
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("count", [1, 2, 10, 26])
def test_killed_after_k_answers_keeps_them_all_and_resumes_at_the_next(tmp_path, count) -> None:
    db = str(tmp_path / "clinic.sqlite")
    create_clinic(db, dt.date.today())

    assert answer_then_kill(db, count) == -signal.SIGKILL

    expected: dict[str, dict[str, int | None]] = {}
    for number, (code, item) in enumerate(RUN[:count], start=1):
        expected.setdefault(code, {})[item.code] = chosen(item, number)
    with trusted(db) as clinic:
        stored = {r.instrument: r.answers for r in clinic.collection.in_progress() if r.answers}
    assert stored == expected  # every answer given before the kill, and nothing else

    resumed = run_script("resume", db)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert report["offered"] == [f"Resume DUPONT, Hélène · MRN K-001 · {count} of 27 questions answered"]
    assert f"Welcome back. Your earlier answers are saved: you will continue at question {count + 1} of 27." \
        in report["welcome"]
    next_code, next_item = RUN[count]
    assert (report["question"], report["item"]) == (count + 1, next_item.code)
    assert report["instructions_first"] == (next_item is get_instrument(next_code).items[0])
    assert report["preselected"] is False
    _, last_item = RUN[count - 1]
    assert report["previous"] == {"question": count, "item": last_item.code, "shown": chosen(last_item, count)}


def test_a_kill_loses_nothing_even_between_two_taps_on_one_question(tmp_path) -> None:
    """The answer changed by the last tap is the one kept (each tap commits)."""
    db = str(tmp_path / "clinic.sqlite")
    create_clinic(db, dt.date.today())
    assert answer_then_kill(db, 1) == -signal.SIGKILL
    with trusted(db) as clinic:
        (response,) = [r for r in clinic.collection.in_progress() if r.answers]
        assert clinic.collection.resume_item(response.id) == "radicular"
