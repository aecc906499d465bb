"""Soak: two kiosks and a desk on PostgreSQL through a blackhole proxy, with an outage every minute.

``python -m bench.soak_offline [--minutes 10] [--outage 15]`` (needs ``SIJPRO_TEST_POSTGRES_URL``; not
part of ``make bench`` or ``make test``: it runs for as long as it is told). Each kiosk is the kiosk's
own backend (``ui.kiosk.offline_backend.JournalledBackend`` over ``ClinicBackend``, without a window):
it takes the next patient due, opens the questionnaires, taps an answer every 0.1-0.4 s and sends. The
desk asks whether the database answers every second (as the staff window does) and reads the worklist
every five. Every minute the proxy blackholes the network (odd minutes) or refuses it (even minutes) for
``--outage`` seconds. At the end, once the journals are delivered, it prints answers given, stored,
duplicated (audit events beyond one per tap), lost, the longest tap, and how long the desk took to say
the database was unreachable.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, make_url, select

from sijpro.errors import UserError
from sijpro.instruments import get_instrument
from sijpro.records import PatientDraft, ProcedureDraft
from sijpro.services.clinic import Clinic
from sijpro.services.reachability import Reachability
from sijpro.services.relay import Relay
from sijpro.storage.journal import Journal
from sijpro.storage.models import AuditEvent, Delivery
from tests.tools.blackhole_proxy import BlackholeProxy
from ui.kiosk.clinic_backend import ClinicBackend
from ui.kiosk.offline_backend import JournalledBackend

INSTRUMENTS = ("nrs", "odi")


@dataclass
class Shared:
    url: str
    folder: Path
    queue: list[int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


NURSE, NURSE_PASSWORD = "soak-nurse", "a soak nurse's password"


@dataclass
class Desk:
    outages: int = 0
    noticed: list[float] = field(default_factory=list)
    reads: int = 0
    longest_read: float = 0.0


class Kiosk(threading.Thread):
    def __init__(self, name: str, shared: Shared) -> None:
        super().__init__(name=name, daemon=True)
        self.clinic = Clinic.open(shared.url, actor=f"kiosk ({name})")
        journal = Journal(shared.folder / f"{name}.sqlite")
        relay = Relay(journal, lambda: Clinic.open(shared.url, actor="relay"), name).start()
        self.backend = JournalledBackend(ClinicBackend(self.clinic, name), journal, relay)
        self.queue, self.lock, self.stop = shared.queue, shared.lock, shared.stop
        self.taps: list[float] = []
        self.given: dict[tuple[int, str], int] = {}
        self.sent = 0

    def run(self) -> None:
        rng = random.Random(self.name)
        while not self.stop.is_set():
            with self.lock:
                if not self.queue:
                    return
                patient_id = self.queue.pop()
            responses = self._open(patient_id)
            if responses is None:
                with self.lock:
                    self.queue.append(patient_id)
                continue
            for response_id, instrument in responses:
                for item in get_instrument(instrument).items:
                    value = rng.choice(item.kiosk_values())
                    started = time.monotonic()
                    self.backend.save_answer(response_id, item.code, value, "en")
                    self.taps.append(time.monotonic() - started)
                    self.given[(response_id, item.code)] = value
                    time.sleep(rng.uniform(0.1, 0.4))
            started = time.monotonic()
            self.backend.complete_all([response_id for response_id, _ in responses])
            self.taps.append(time.monotonic() - started)
            self.sent += 1

    def _open(self, patient_id: int) -> list[tuple[int, str]] | None:
        """The hand-over: asks the database (a nurse's step); None while it cannot be reached."""
        try:
            self.backend.unlock(NURSE, NURSE_PASSWORD)  # a nurse hands each patient the tablet
            planned = [p for p in self.backend.hand_over(patient_id, self.clinic.today)
                       if p.instrument in INSTRUMENTS]
            self.backend.claim([p.visit_id for p in planned])
            return [(self.backend.open(p.visit_id, p.instrument, "en").id, p.instrument) for p in planned]
        except UserError:
            time.sleep(1)
            return None


def prepare(url: str, patients: int) -> list[int]:
    Clinic.init(url)
    ids = []
    surgery = dt.date.today() - dt.timedelta(weeks=6)
    with Clinic.open(url) as opened:
        clinic = opened.system_session("soak")  # the soak builds its own clinic
        clinic.auth.add_user(NURSE, "Soak Nurse", "nurse", NURSE_PASSWORD)
        for number in range(patients):
            patient = clinic.patients.register(PatientDraft(f"S-{number:04d}", "Soak", f"P{number}"),
                                               confirm_duplicate=True)
            clinic.procedures.record(patient.id, ProcedureDraft(surgery, side="left"))
            ids.append(patient.id)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--outage", type=float, default=15.0, help="seconds of each outage")
    parser.add_argument("--patients", type=int, default=400)
    options = parser.parse_args()
    base = os.environ.get("SIJPRO_TEST_POSTGRES_URL")
    if not base:
        raise SystemExit("set SIJPRO_TEST_POSTGRES_URL to a PostgreSQL database the soak may use")
    from tests.conftest import _postgres_schema_url, _run_postgres

    folder = Path(tempfile.mkdtemp(prefix="sijpro-soak-"))
    os.environ.setdefault("SIJPRO_CLINIC_KEY_FILE", str(folder / "clinic.key"))
    schema = f"soak_{uuid.uuid4().hex[:10]}"
    _run_postgres(f"CREATE SCHEMA {schema}")
    direct = _postgres_schema_url(schema)
    target = make_url(base)
    proxy = BlackholeProxy(target.host or "127.0.0.1", target.port or 5432)
    proxied = direct.replace(f":{target.port}/", f":{proxy.port}/")
    try:
        shared = Shared(proxied, folder, list(reversed(prepare(direct, options.patients))))
        kiosks = [Kiosk(f"tablet-{n}", shared) for n in (1, 2)]
        for kiosk in kiosks:
            kiosk.start()
        desk = run_desk(proxy, proxied, options.minutes * 60, options.outage)
        proxy.set("pass")
        shared.stop.set()
        for kiosk in kiosks:
            kiosk.join(60)
        deadline = time.monotonic() + 120
        while any(k.backend.journal.pending() for k in kiosks) and time.monotonic() < deadline:
            time.sleep(0.5)
        for kiosk in kiosks:
            kiosk.backend.relay.stop()
        report(direct, kiosks, desk, options.minutes)
    finally:
        proxy.close()
        _run_postgres(f"DROP SCHEMA {schema} CASCADE")


def run_desk(proxy: BlackholeProxy, url: str, seconds: float, outage: float) -> Desk:
    """The desk's part, and the outages: every minute from its 30th second, blackholed or refused."""
    desk, reach = Desk(), Reachability(make_url(url))
    clinic = Clinic.open(url, actor="desk").sign_in(NURSE, NURSE_PASSWORD)
    started = time.monotonic()
    down_since: float | None = None
    next_read = started
    while time.monotonic() - started < seconds:
        minute, second = divmod(time.monotonic() - started, 60)
        if 30 <= second < 30 + outage and down_since is None:
            proxy.set("blackhole" if int(minute) % 2 == 0 else "refuse")
            down_since, desk.outages = time.monotonic(), desk.outages + 1
        elif down_since is not None and second >= 30 + outage:
            proxy.set("pass")
            down_since = None
        if down_since is not None and reach.poll() is False and len(desk.noticed) < desk.outages:
            desk.noticed.append(time.monotonic() - down_since)
        if down_since is None and time.monotonic() >= next_read:
            read_started = time.monotonic()
            with contextlib.suppress(UserError):
                clinic.schedule.worklist(dt.date.today())
                desk.reads += 1
            desk.longest_read = max(desk.longest_read, time.monotonic() - read_started)
            next_read = time.monotonic() + 5
        time.sleep(0.2)
    return desk


def report(url: str, kiosks: list[Kiosk], desk: Desk, minutes: float) -> None:
    given = {key: value for kiosk in kiosks for key, value in kiosk.given.items()}
    taps = [tap for kiosk in kiosks for tap in kiosk.taps]
    with Clinic.open(url) as opened, opened.database.reading() as session:
        clinic = opened.system_session("soak")
        stored = {}
        for response_id in {key[0] for key in given}:
            stored.update({(response_id, item): value
                           for item, value in clinic.collection.response(response_id).answers.items()})
        events = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == "response", AuditEvent.field.not_in(["status", "scores"]),
            AuditEvent.field.is_not(None), AuditEvent.entity_id.in_({key[0] for key in given}))) or 0
        deliveries = session.scalar(select(func.count()).select_from(Delivery)) or 0
    lost = sum(1 for key, value in given.items() if stored.get(key) != value)
    pending = sum(len(k.backend.journal.pending(limit=100_000)) for k in kiosks)
    refused = sum(k.backend.journal.counts().get("refused", 0) for k in kiosks)
    print(f"soak: {minutes:g} min, 2 kiosks + desk, {desk.outages} outages (blackhole and refused in turn)")
    print(f"  answers given     {len(given):>7,}")
    print(f"  answers stored    {sum(1 for key in given if key in stored):>7,}  (lost or different: {lost})")
    print(f"  duplicated        {max(events - len(given), 0):>7,}  (audit events {events:,}, "
          f"deliveries {deliveries:,})")
    print(f"  questionnaire runs sent {sum(k.sent for k in kiosks):,}; journal entries still pending {pending}, "
          f"refused {refused}")
    print(f"  longest tap       {max(taps, default=0.0):>7.3f} s (median {sorted(taps)[len(taps) // 2]:.3f} s)")
    print(f"  desk: 'unreachable' shown after {max(desk.noticed, default=0.0):.1f} s at most "
          f"({len(desk.noticed)} of {desk.outages} outages); {desk.reads} worklist reads, "
          f"longest {desk.longest_read:.2f} s")


if __name__ == "__main__":
    main()
