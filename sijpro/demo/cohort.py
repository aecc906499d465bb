"""A synthetic clinic: patients, surgeries and the questionnaires they answered, as one ``ImportBatch``.

The demo goes through the same loader as an import, so what a trainee or a benchmark sees is what real
data would give: scores from the real scoring rules, visits from the real protocol. The clinic looks
like a working one on ``today``: surgeries spread over the last three years (and a few booked), visits
missed, completed late or not due yet, a few patients who withdrew.

Each patient is drawn from a generator seeded with (seed, position), so a seed always gives the same
cohort and a bigger cohort of the same seed starts with the smaller one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from sijpro.contact import ContactDraft
from sijpro.demo.answers import answers_for
from sijpro.demo.complications import demo_complication
from sijpro.demo.profiles import DemoPatient, post_fusion_patient, salvage_patient
from sijpro.folding import fold
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol, Timepoint, default_protocol
from sijpro.records import ComplicationDraft, ImportBatch, PatientDraft, QuestionnaireDraft, ResponseMode

POST_FUSION_SHARE = 0.65
"""Share of seed-000-like patients; the rest are seed-003-like salvage cases."""
HISTORY_DAYS = 3 * 365
BOOKED_DAYS = 60
"""Surgeries fall in the last ``HISTORY_DAYS`` or are booked up to ``BOOKED_DAYS`` ahead."""
MISSED = 0.08
LATE = 0.07
LATE_DAYS = 60
DROPOUT = 0.05
WITHDRAWN = 0.02
INSTRUMENT_SKIPPED = 0.02
PAPER = 0.15


def demo_mrn(seed: int, index: int) -> str:
    """Plainly synthetic, so demo patients are never taken for real ones, and unique per seed."""
    return f"DEMO-{seed}-{index + 1:05d}"


def generate_demo_cohort(
    n_patients: int, seed: int, *, today: dt.date, protocol: Protocol | None = None,
    progress: Progress = no_progress, site: str = "",
) -> ImportBatch:
    """``n_patients`` synthetic patients as the clinic would have them on ``today``, followed up under
    ``protocol`` (default: the bundled one), all of centre ``site`` (default: none)."""
    protocol = protocol or default_protocol()
    patients = []
    contacts: list[tuple[str, ContactDraft]] = []
    questionnaires: list[QuestionnaireDraft] = []
    cancelled: list[tuple[str, str]] = []
    complications: list[tuple[str, ComplicationDraft, str]] = []
    for index in range(n_patients):
        rng = random.Random(f"sijpro-demo:{seed}:{index}")
        surgery = today - dt.timedelta(days=rng.randint(-BOOKED_DAYS, HISTORY_DAYS))
        make = post_fusion_patient if rng.random() < POST_FUSION_SHARE else salvage_patient
        demo = make(rng, demo_mrn(seed, index), surgery, today)
        patients.append((dataclasses.replace(demo.patient, site=site), demo.procedure))
        contact = demo_contact(random.Random(f"sijpro-demo-contact:{seed}:{index}"), demo.patient)
        if not contact.empty:
            contacts.append((demo.patient.mrn, contact))
        complication = demo_complication(random.Random(f"sijpro-demo-complication:{seed}:{index}"),
                                         demo.procedure, today)
        if complication is not None:
            complications.append((demo.patient.mrn, complication, "demo"))
        answered, withdrawn = _follow_up(demo, protocol, today, rng)
        questionnaires.extend(answered)
        cancelled.extend(withdrawn)
        if index % 500 == 499:
            progress(index + 1, n_patients)
    progress(n_patients, n_patients)
    return ImportBatch(patients=tuple(patients), questionnaires=tuple(questionnaires),
                       cancelled_visits=tuple(cancelled), contacts=tuple(contacts),
                       complications=tuple(complications))


CHANNEL_SHARES = (("email", 0.55), ("post", 0.2), ("phone", 0.12), ("none", 0.05), ("", 0.08))
STREETS = ("rue des Lilas", "avenue Jean Jaurès", "chemin du Moulin", "Church Road", "High Street")
TOWNS = ("69003 Lyon", "1205 Genève", "33000 Bordeaux", "Bristol BS1 4ST")


def demo_contact(rng: random.Random, patient: PatientDraft) -> ContactDraft:
    """Synthetic contact details (a French mobile number, an address at example.org, a street), with the
    preferred channel and consent as an import file states them (a channel other than none is a yes).
    Drawn from their own generator, so the rest of the cohort is what it was without them."""
    channel = rng.choices([c for c, _ in CHANNEL_SHARES], [w for _, w in CHANNEL_SHARES])[0]
    local = fold(f"{patient.given_name}.{patient.family_name}").replace(" ", "-").replace("'", "")
    email = f"{local}.{rng.randint(1, 999)}@example.org" if channel in ("email", "") or rng.random() < 0.3 else ""
    phone = f"+33 6 12 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    address = f"{rng.randint(1, 120)} {rng.choice(STREETS)}\n{rng.choice(TOWNS)}"
    consent = None if not channel else channel != "none"
    return ContactDraft(phone, email, address, channel, consent)


def _follow_up(
    demo: DemoPatient, protocol: Protocol, today: dt.date, rng: random.Random
) -> tuple[list[QuestionnaireDraft], list[tuple[str, str]]]:
    """Walk the patient through the protocol up to ``today``: what they answered, and the visits the
    clinic cancelled when they withdrew."""
    questionnaires: list[QuestionnaireDraft] = []
    cancelled: list[tuple[str, str]] = []
    surgery = demo.procedure.surgery_date
    mrn = demo.patient.mrn
    timepoints = protocol.timepoints
    stop_after = len(timepoints)
    if rng.random() < DROPOUT + WITHDRAWN:
        stop_after = rng.randint(1, len(timepoints) - 1)
    withdrew = stop_after < len(timepoints) and rng.random() < WITHDRAWN / (DROPOUT + WITHDRAWN)
    for position, timepoint in enumerate(timepoints):
        if position >= stop_after:
            if withdrew:  # the clinic cancelled what was left; a dropout's visits just pass unanswered
                cancelled.append((mrn, timepoint.code))
            continue
        if rng.random() < (MISSED if not timepoint.is_baseline else MISSED / 3):
            continue
        completed = _completion_date(timepoint, surgery, rng)
        if completed > today:
            continue  # not due yet, or due and not answered yet
        months = (completed - surgery).days / (365.25 / 12)
        state = demo.course.state_at(months, rng)
        mode: ResponseMode = "paper" if rng.random() < PAPER else "kiosk"
        for instrument in timepoint.instruments:
            if rng.random() < INSTRUMENT_SKIPPED:
                continue
            questionnaires.append(QuestionnaireDraft(
                mrn=mrn, timepoint=timepoint.code, instrument=instrument,
                answers=answers_for(instrument, state, rng, mode), completed_on=completed, mode=mode,
                language=demo.patient.language,
            ))
    return questionnaires, cancelled


def _completion_date(timepoint: Timepoint, surgery: dt.date, rng: random.Random) -> dt.date:
    """Most answer near the due date, inside the window; some come back well after it closed."""
    start, end = timepoint.window(surgery)
    due = timepoint.due_date(surgery)
    if timepoint.is_baseline:
        return max(start, due - dt.timedelta(days=round(rng.triangular(1, 60, 7))))
    if rng.random() < LATE:
        return end + dt.timedelta(days=rng.randint(1, LATE_DAYS))
    offset = rng.triangular(-(due - start).days, (end - due).days, 0)
    return due + dt.timedelta(days=round(offset))
