"""Synthetic patient courses for the export tests: real instruments, real scoring, awkward values."""

from __future__ import annotations

import datetime as dt
import random

from sijpro.exchange.subjects import AnsweredQuestionnaire, PatientCourse
from sijpro.instruments import get_instrument
from sijpro.protocol import Protocol, default_protocol
from sijpro.records import PatientRecord, ProcedureRecord, ResponseRecord, ScoreValue
from sijpro.scoring import score_answers

FAMILY_NAMES = ("Lefèvre", "O'Brien", "Núñez-García", "Smith, Jr", "Dupont \"Jo\"", "Zoë")
GIVEN_NAMES = ("Anne-Marie", "José", "Lisandre", "Chloé", "Ødegaard", "Mary Ann")


def random_answers(instrument_id: str, rng: random.Random, skip: float = 0.05) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item in get_instrument(instrument_id).items:
        answers[item.code] = None if rng.random() < skip else rng.choice(item.accepted_values())
    return answers


def make_courses(count: int = 12, seed: int = 7, protocol: Protocol | None = None) -> list[PatientCourse]:
    protocol = protocol or default_protocol()
    rng = random.Random(seed)
    courses = []
    response_id = 0
    for number in range(count):
        mrn = f"H{rng.randrange(10**6, 10**7)}"
        birth = dt.date(1940 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29))
        surgery = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(700))
        patient = PatientRecord(
            id=number + 1, mrn=mrn,
            family_name=FAMILY_NAMES[number % len(FAMILY_NAMES)] + str(number),
            given_name=GIVEN_NAMES[number % len(GIVEN_NAMES)],
            birth_date=None if number == 5 else birth,
            sex=rng.choice(["F", "M", "X", None]), language=rng.choice(["en", "fr"]),
            bmi=rng.choice([None, 27.5, 31.25, 22.0, 35.123]), fbss=rng.choice([None, True, False]),
            prior_lumbar_surgeries=rng.choice([None, 0, 1, 3]),
            prior_lumbosacral_fusion=rng.choice([None, True, False]),
            prior_interventions=frozenset(rng.sample(["SCS", "ISS", "IDDS", "MILD", "RFA", "INJ"], rng.randrange(3))),
        )
        procedure = ProcedureRecord(id=number + 1, patient_id=number + 1, surgery_date=surgery,
                                    side=rng.choice(["left", "right", "bilateral", None]),
                                    approach=rng.choice(["lateral", "posterior", None]))
        answered = []
        for visit, timepoint in enumerate(protocol.timepoints[: rng.randrange(1, len(protocol.timepoints) + 1)]):
            day = timepoint.due_date(surgery) + dt.timedelta(days=rng.randrange(-5, 6))
            if timepoint.is_baseline:
                day = surgery - dt.timedelta(days=rng.randrange(1, 60))
            for instrument_id in timepoint.instruments:
                if rng.random() < 0.1:
                    continue
                answers = random_answers(instrument_id, rng)
                scored = score_answers(instrument_id, answers, **protocol.scoring_options(instrument_id))
                completed = dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
                response_id += 1
                answered.append(AnsweredQuestionnaire(timepoint.code, ResponseRecord(
                    id=response_id, visit_id=number * 10 + visit, instrument=instrument_id,
                    mode=rng.choice(["kiosk", "paper"]), language=patient.language,
                    status=rng.choice(["complete", "complete", "amended"]),
                    started_at=completed - dt.timedelta(minutes=5), completed_at=completed, answers=answers,
                    scores=tuple(ScoreValue(instrument_id, name, value, scored.version)
                                 for name, value in scored.values.items()),
                )))
        courses.append(PatientCourse(patient, procedure, tuple(answered)))
    return courses
