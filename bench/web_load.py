"""Load: many patients answering at home at once through ``sijpro serve`` on loopback, on PostgreSQL.

``python -m bench.web_load [--patients 200] [--minutes 5] [--think 10] [--workers N]`` (needs
``SIJPRO_TEST_POSTGRES_URL``, whose database it fills in a schema of its own, dropped at the end; not part
of ``make bench`` or ``make test``). It registers the patients (each six weeks after surgery: 15 questions
due), issues their invitations, starts ``python main.py serve`` as a subprocess on a free loopback port
and lets one thread per patient do what a browser does: open the link (the patients arrive over the
first 30 s), give the birth date, then answer
a question (POST, then GET the page it is sent to), wait ``--think`` seconds (0.5 to 1.5 times), and so
on; once all 15 are answered it changes answers from the review until the time is up, then sends. It
prints answers sent, stored, lost (the last value sent for an item is not the one stored) and duplicated
(more than one response per questionnaire, or more than one stored answer per item), and the median,
p95 and worst time of an answer's POST and of the page after it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, make_url, text

from sijpro.records import PatientDraft, ProcedureDraft
from sijpro.services.clinic import Clinic

ROOT = Path(__file__).resolve().parents[1]
BORN = dt.date(1961, 4, 12)
ARRIVALS = 30.0
"""Seconds over which the patients open their links."""
TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')
CHOICES = re.compile(r'name="choice" value="([0-9]+)"')


@dataclass
class Patient:
    mrn: str
    visit_id: int
    link_path: str
    sent: dict[str, str] = field(default_factory=dict)
    """question number -> the last value sent and acknowledged (303)."""
    answer_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    submitted: bool = False


class Browser:
    """One patient's connection: keep-alive, the cookies the server set, nothing else."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        """The patient's own address, as the clinic's reverse proxy (here: this script, from 127.0.0.1,
        the trusted proxy) passes it on: the door counts its tries per address."""
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "X-Forwarded-For": self.address}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read().decode("utf-8")
                break
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", payload


def prepare(url: str, patients: int, port: int) -> list[Patient]:
    os.environ["SIJPRO_WEB_URL"] = f"http://127.0.0.1:{port}"
    Clinic.init(url)
    made = []
    with Clinic.open(url) as clinic:
        staff = clinic.system_session("web load")
        surgery = dt.date.today() - dt.timedelta(days=42)
        for n in range(patients):
            mrn = f"LOAD{n:04d}"
            patient = staff.patients.register(PatientDraft(
                mrn=mrn, family_name=f"Patient{n}", given_name="Test", birth_date=BORN, sex="F", language="en"),
                confirm_duplicate=True)
            staff.procedures.record(patient.id, ProcedureDraft(surgery, side="left", approach="lateral"))
            issued = staff.invitations.issue(patient.id)
            made.append(Patient(mrn, issued.visit_id, "/v/" + issued.link.rsplit("/v/", 1)[1]))
    return made


def patient_run(patient: Patient, port: int, until: float, think: float, start: threading.Event) -> None:
    start.wait()
    rng = random.Random(patient.mrn)
    time.sleep(rng.uniform(0, ARRIVALS))  # patients open their links over the first half minute, not all at once
    number = int(patient.mrn.removeprefix("LOAD"))
    browser = Browser(port, f"198.51.{100 + number // 250}.{number % 250 + 1}")  # a header, never a destination
    try:
        browser.request("GET", patient.link_path)
        status, location, _ = browser.request("POST", "/confirm", {
            "secret": patient.link_path.rsplit("/", 1)[1], "day": str(BORN.day), "month": str(BORN.month),
            "year": str(BORN.year)})
        if status != 303:
            patient.errors.append(f"confirm {status}")
            return
        status, location, page = browser.request("GET", "/q")
        status, _, page = browser.request("GET", location)
        found = TOKEN.search(page)
        if found is None:
            patient.errors.append(f"first question {status}: no form")
            return
        form = found.group(1)
        number = 1
        while time.monotonic() < until:
            time.sleep(think * rng.uniform(0.5, 1.5))
            choices = CHOICES.findall(page)
            value = rng.choice(choices)
            review = len(patient.sent) == 15
            fields = {"form_token": form, "choice": value, **({"from": "review"} if review else {})}
            began = time.perf_counter()
            status, location, _ = browser.request("POST", f"/q/{number}", fields)
            patient.answer_ms.append((time.perf_counter() - began) * 1000)
            if status != 303:
                patient.errors.append(f"answer {number}: {status}")
                continue
            patient.sent[str(number)] = value
            began = time.perf_counter()
            status, _, page = browser.request("GET", location)
            patient.page_ms.append((time.perf_counter() - began) * 1000)
            if len(patient.sent) == 15:  # all answered: change one from the review
                number = rng.randint(1, 15)
                status, _, page = browser.request("GET", f"/q/{number}?from=review")
            else:
                number = int(location.rsplit("/", 1)[1])
        if len(patient.sent) < 15:  # the time ran out before the last question: nothing to send yet
            return
        status, location, _ = browser.request("POST", "/submit", {"form_token": form})
        patient.submitted = status == 303 and location.endswith("/done")
        if not patient.submitted:
            patient.errors.append(f"submit {status} {location}")
    except Exception as error:  # counted and printed; the other patients go on
        patient.errors.append(f"{type(error).__name__} after {len(patient.sent)} answers: {error}")


def stored(url: str) -> tuple[dict[tuple[int, str], int | None], int, int, dict[int, str]]:
    """(visit, item) -> value; duplicated responses; duplicated answers; visit -> status."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT r.visit_id, r.instrument, a.item, a.value FROM responses r "
                "JOIN answers a ON a.response_id = r.id")).all()
            duplicate_responses = connection.execute(text(
                "SELECT count(*) - count(DISTINCT (visit_id, instrument)) FROM responses")).scalar_one()
            duplicate_answers = connection.execute(text(
                "SELECT count(*) - count(DISTINCT (response_id, item)) FROM answers")).scalar_one()
            statuses: dict[int, str] = {row[0]: row[1] for row in connection.execute(text(
                "SELECT id, status FROM visits")).all()}
    finally:
        engine.dispose()
    return {(row[0], f"{row[1]}.{row[2]}"): row[3] for row in rows}, duplicate_responses, duplicate_answers, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> int:  # noqa: PLR0915 - one run, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--think", type=float, default=10.0,
                        help="seconds a patient takes to read a question and answer it (mean; 0.5 to 1.5 times)")
    parser.add_argument("--threads", type=int, default=16, help="the server's threads (per worker)")
    parser.add_argument("--workers", type=int, default=None,
                        help="the server's processes (serve --workers; default: serve's own, two per core)")
    args = parser.parse_args()
    base = os.environ.get("SIJPRO_TEST_POSTGRES_URL")
    if not base:
        print("web_load: set SIJPRO_TEST_POSTGRES_URL to a PostgreSQL database it may add a schema to")
        return 2
    schema = f"webload_{uuid.uuid4().hex[:8]}"
    plain = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(plain, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = plain.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = None
    try:
        began = time.monotonic()
        patients = prepare(url, args.patients, port)
        print(f"{len(patients)} patients registered and invited in {time.monotonic() - began:.0f} s")
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"{schema}-serve.log"
        with log.open("wb") as output:
            workers = ["--workers", str(args.workers)] if args.workers else []
            server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "serve", "--port",
                                       str(port), "--threads", str(args.threads), *workers], cwd=ROOT, stdout=output,
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                print(log.read_text())
                return 1
            time.sleep(0.2)
        start = threading.Event()
        until = time.monotonic() + args.minutes * 60
        threads = [threading.Thread(target=patient_run, args=(p, port, until, args.think, start), daemon=True)
                   for p in patients]
        for thread in threads:
            thread.start()
        start.set()
        for thread in threads:
            thread.join(timeout=args.minutes * 60 + 120)
        values, duplicate_responses, duplicate_answers, statuses = stored(url)
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    from sijpro.instruments import get_instrument

    codes = [f"{i}.{item.code}" for i in ("nrs", "odi", "satisfaction", "relief")
             for item in get_instrument(i).asked_items]
    sent = sum(len(p.answer_ms) for p in patients)
    acknowledged = sum(len(p.sent) for p in patients)
    lost = 0
    for patient in patients:
        for number, value in patient.sent.items():
            if values.get((patient.visit_id, codes[int(number) - 1])) != int(value):
                lost += 1
    answer_ms = [ms for p in patients for ms in p.answer_ms] or [float("nan")]
    page_ms = [ms for p in patients for ms in p.page_ms] or [float("nan")]
    errors = [e for p in patients for e in p.errors]
    print(f"patients: {len(patients)}, for {args.minutes:g} min, thinking {args.think:g} s (0.5-1.5x) between answers;"
          f" server: {args.workers or 'two per core (default)'} worker(s) of {args.threads} threads;"
          f" {os.cpu_count()} CPUs shared with the clients")
    print(f"answers sent: {sent} ({sent / (args.minutes * 60):.1f}/s), acknowledged: {acknowledged} distinct items, "
          f"stored: {len(values)}, lost: {lost}, duplicated: {duplicate_responses + duplicate_answers}")
    print(f"sent in the end: {sum(p.submitted for p in patients)} of {len(patients)} visits; "
          f"visits completed: {sum(1 for s in statuses.values() if s == 'completed')}")
    print(f"answer POST ms: median {statistics.median(answer_ms):.1f}, p95 {percentile(answer_ms, 0.95):.1f}, "
          f"max {max(answer_ms):.1f}")
    print(f"next page GET ms: median {statistics.median(page_ms):.1f}, p95 {percentile(page_ms, 0.95):.1f}, "
          f"max {max(page_ms):.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[:5]})" if errors else ""))
    return 0 if lost == 0 and duplicate_responses + duplicate_answers == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
