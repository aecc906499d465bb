"""The day's follow-up contact plan (``sijpro remind``) of the run's 10,000-patient clinic.

* ``Reminders.plan`` through the service (the worklist's visits and states, the patients' contact details,
  the ladder), beside a plain ``sqlite3`` fetch of the same visits' rows joined with the contact table;
* the pure rule alone (``sijpro.reminders.day_plan``) over those inputs, beside one plain Python pass over
  the visits. Target: the whole plan under 1 s.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys

from bench.common import CLINIC_PATIENTS, CLINIC_TODAY, BenchResult, best_of, scaled, shared_clinic
from sijpro.reminders import ChasedVisit, day_plan
from sijpro.services.context import FixedClock
from tests.trusted import trusted

REPEAT = scaled(5, 1)
PLAIN_SQL = """
SELECT v.id, v.patient_id, v.timepoint, v.window_start, v.window_end, v.status, p.mrn, p.family_name,
       c.email, c.address, c.phone_e164, c.channel, c.consent
FROM visits v JOIN patients p ON p.id = v.patient_id LEFT JOIN patient_contacts c ON c.id = v.patient_id
WHERE v.window_start <= ? AND v.window_end >= ? AND v.status IN ('scheduled', 'open')
"""


def run() -> list[BenchResult]:
    database = shared_clinic()
    with trusted(str(database), "bench", clock=FixedClock(CLINIC_TODAY)) as clinic:
        plan = clinic.reminders.plan(CLINIC_TODAY)
        print(f"  plan on {CLINIC_TODAY}: {plan.counts}", file=sys.stderr)
        seconds = best_of(lambda: clinic.reminders.plan(CLINIC_TODAY), REPEAT)
        worklist = clinic.schedule.worklist(CLINIC_TODAY)
        chased = [*worklist.due, *worklist.overdue]
        contacts = clinic.contacts.of_patients([entry.patient.id for entry in chased])
        protocol = clinic.protocols.current()
    oldest = (CLINIC_TODAY - dt.timedelta(days=30)).isoformat()
    with sqlite3.connect(database) as connection:
        fetch = best_of(lambda: connection.execute(PLAIN_SQL, (CLINIC_TODAY.isoformat(), oldest)).fetchall(),
                        REPEAT)
    visits = [ChasedVisit(e.visit.id, e.patient.id, e.visit.timepoint, e.state.code, e.visit.window_start)
              for e in chased]
    rule = best_of(lambda: day_plan(CLINIC_TODAY, visits, protocol.ladder, contacts, {}), REPEAT)

    def plain_pass() -> None:
        for visit in visits:
            _ = (CLINIC_TODAY - visit.window_start).days >= 0 and contacts.get(visit.patient_id)

    plain = best_of(plain_pass, REPEAT)
    return [
        BenchResult(f"remind: the day's contact plan, {CLINIC_PATIENTS:,} patients ({len(visits):,} visits chased)",
                    seconds, "s", "sqlite3 fetch of the open visits with their contacts", fetch, target="< 1 s"),
        BenchResult(f"remind: the ladder rule alone over {len(visits):,} visits", rule, "s",
                    "one plain Python pass over the visits", plain),
    ]
