"""Follow-up completeness: how many visits were due by now, and how many were answered, missed or pending.

Registries judge themselves by it (NORspine about 72 % at 12 months). Each visit's state on the day is
the one visit-state function of the core (:mod:`sijpro.visit_state`), never worked out again here:

- ``answered``: completed; ``missed``: missed; ``pending``: due or overdue (still being collected);
- ``not_yet_due``: its window has not opened (upcoming or scheduled);
- ``eligible`` = answered + missed + pending, the visits whose window has opened (a visit answered
  before its window opened counts as answered, and so as eligible); cancelled visits (a withdrawal) are
  in none of these.

Each timepoint also counts the follow-up contacts (e-mails, letters, calls made or tried by the reminder
ladder) that went to its answered visits and to its lost ones (eligible, not answered: missed or still
being collected), so a clinic sees what chasing the answers cost and whether chasing more would pay:
``contacts: {answered: CONTACTS, lost: CONTACTS}`` with CONTACTS = ``{visits, contacted, contacts, mean,
by_channel: {email, post, phone}}``: the visits, those with at least one contact, the contacts in all,
per visit (None without visits), and by channel. These keys come beside DESIGN.md's counts, which they
leave as they are.

``lost_vs_followed`` compares the baseline of the patients answered at ``at`` with that of the
patients eligible there who did not answer, so a reader can see whether those lost were different.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sijpro.analysis.groups import baseline_table, baseline_tests
from sijpro.protocol import BASELINE, Protocol
from sijpro.records import PatientOutcomes
from sijpro.visit_state import StateCode, course_states

LAST = "last"
COLUMN: dict[StateCode, str | None] = {
    "completed": "answered", "missed": "missed", "due": "pending", "overdue": "pending",
    "upcoming": "not_yet_due", "scheduled": "not_yet_due", "cancelled": None,
}
COUNTS = ("eligible", "answered", "missed", "pending", "not_yet_due")


def visit_columns(outcomes: PatientOutcomes, day: dt.date) -> dict[str, str | None]:
    """timepoint -> ``answered``, ``missed``, ``pending``, ``not_yet_due`` or None (cancelled)."""
    states = course_states(outcomes.timepoints, day)
    return {visit.timepoint: COLUMN[state.code] for visit, state in zip(outcomes.timepoints, states, strict=True)}


Columns = Sequence[Mapping[str, str | None]]
"""``visit_columns`` of each patient, in the order of the patients."""


def all_columns(patients: Sequence[PatientOutcomes], day: dt.date) -> list[dict[str, str | None]]:
    return [visit_columns(outcomes, day) for outcomes in patients]


CONTACT_CHANNELS = ("email", "post", "phone")
CONTACT_GROUPS: dict[str, str] = {"answered": "answered", "missed": "lost", "pending": "lost"}
"""A visit's completeness column -> the group its contacts are counted in."""


def completeness(columns: Columns, protocol: Protocol, patients: Sequence[PatientOutcomes] = ()) -> dict:
    """timepoint -> ``{eligible, answered, missed, pending, not_yet_due, pct_answered, contacts}`` from each
    patient's ``visit_columns`` on the day; ``patients`` (in the order of ``columns``) give each visit's
    contacts made or tried."""
    table: dict[str, dict[str, Any]] = {tp.code: dict.fromkeys(COUNTS, 0) for tp in protocol.timepoints}
    tried = {tp.code: {group: _no_contacts() for group in ("answered", "lost")} for tp in protocol.timepoints}
    contacts_of = [{outcome.timepoint: outcome.contacts for outcome in p.timepoints} for p in patients]
    for position, patient in enumerate(columns):
        for timepoint, column in patient.items():
            if column is None or timepoint not in table:
                continue
            row = table[timepoint]
            row[column] += 1
            if column != "not_yet_due":
                row["eligible"] += 1
            group = CONTACT_GROUPS.get(column)
            if group is not None:
                _count(tried[timepoint][group], contacts_of[position].get(timepoint, ()) if contacts_of else ())
    for code, row in table.items():
        row["pct_answered"] = row["answered"] / row["eligible"] * 100 if row["eligible"] else None
        for counted in tried[code].values():
            counted["mean"] = counted["contacts"] / counted["visits"] if counted["visits"] else None
        row["contacts"] = tried[code]
    return table


def _no_contacts() -> dict:
    return {"visits": 0, "contacted": 0, "contacts": 0, "mean": None, "by_channel": dict.fromkeys(CONTACT_CHANNELS, 0)}


def _count(counted: dict, channels: Sequence[str]) -> None:
    counted["visits"] += 1
    counted["contacted"] += bool(channels)
    counted["contacts"] += len(channels)
    for channel in channels:
        counted["by_channel"][channel] = counted["by_channel"].get(channel, 0) + 1


def followed_and_lost(patients: Sequence[PatientOutcomes], columns_of: Columns, at: str,
                      ) -> tuple[list[PatientOutcomes], list[PatientOutcomes]]:
    """Patients answered at ``at`` and those eligible there who did not answer. At ``last``: patients
    with any follow-up answered, and those with follow-ups due by now but none answered."""
    followed, lost = [], []
    for outcomes, columns in zip(patients, columns_of, strict=True):
        if at == LAST:
            follow_ups = [c for tp, c in columns.items() if tp != BASELINE and c not in (None, "not_yet_due")]
            answered, eligible = "answered" in follow_ups, bool(follow_ups)
        else:
            column = columns.get(at)
            answered, eligible = column == "answered", column in ("answered", "missed", "pending")
        if answered:
            followed.append(outcomes)
        elif eligible:
            lost.append(outcomes)
    return followed, lost


def lost_vs_followed(patients: Sequence[PatientOutcomes], columns: Columns, at: str) -> dict:
    """``{at, followed: {n, <Table 1>}, lost: {n, <Table 1>}, tests: {variable: {test, p}}}``."""
    followed, lost = followed_and_lost(patients, columns, at)
    return {
        "at": at,
        "followed": {"n": len(followed), **baseline_table(followed)},
        "lost": {"n": len(lost), **baseline_table(lost)},
        "tests": baseline_tests({"followed": followed, "lost": lost}),
    }
