"""Cohorts whose printed statistics are those of the two seed studies, to prove the reports reproduce them.

Seed 003 (Deer et al. 2021, posterior SIJ fusion, 111 patients): the lists below were searched once so
that, printed as the paper does, they give its Table 1 (age 69.8 ± 9, BMI 30.6 ± 6.2, follow-up
290.9 ± 195.7 days), Table 2 (relief 67.6% ± 28.9%, 102/92/52 patients at >=30/50/80%) and, for the
51 patients with FBSS, Table 3 (76.5% ± 25.5%, 49/47/30) and 349.4 ± 233.4 days.

Seed 000 (54 patients after lumbosacral fusion, two-year follow-up) is built from counts: NRS lumbar
8.4 (7-10) -> 5.2 (0-8), radicular 5.1 (2-10) -> 3.0 (0-8), ODI 69.4 (52-86) -> 45.6 (29-70), 41 women,
31 bilateral, 3 (1-7) prior lumbar surgeries, 86% of 50 answers satisfied or very satisfied.
"""

from __future__ import annotations

import datetime as dt

from sijpro.protocol import default_protocol
from sijpro.records import PatientOutcomes, PatientRecord, ProcedureRecord, TimepointOutcome
from tests.outcome_builders import visit

RELIEF_FBSS = (
    0, 0, 30, 45, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 57, 74, 75, 77, 78, 79, 79, 80, 80, 82, 85, 85, 86,
    86, 88, 89, 89, 89, 89, 94, 94, 96, 98, 99, 99, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
)
RELIEF_OTHER = (
    0, 0, 0, 0, 1, 5, 12, 30, 30, 30, 30, 30, 32, 34, 49, 50, 50, 50, 50, 52, 52, 53, 53, 55, 55, 56, 56, 56,
    57, 60, 61, 64, 65, 66, 68, 69, 71, 72, 80, 80, 80, 80, 80, 80, 83, 84, 86, 87, 89, 89, 92, 93, 98, 100,
    100, 100, 100, 100, 100, 100,
)
DAYS_FBSS = (
    90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 97, 104, 110, 157, 158, 163, 191, 231, 242, 248, 270, 270,
    284, 308, 309, 316, 326, 328, 353, 380, 416, 418, 431, 432, 432, 472, 481, 513, 605, 608, 639, 655, 663,
    690, 699, 710, 750, 773, 794, 805,
)
DAYS_OTHER = (
    99, 99, 100, 102, 102, 103, 104, 105, 106, 110, 110, 112, 112, 112, 115, 115, 127, 127, 128, 131, 133,
    134, 139, 158, 163, 167, 173, 180, 183, 190, 192, 195, 197, 202, 210, 214, 216, 259, 277, 313, 325, 329,
    344, 347, 352, 362, 367, 375, 380, 381, 390, 409, 418, 433, 477, 491, 500, 524, 551, 598,
)
AGES = (
    51, 52, 53, 55, 56, 56, 56, 57, 57, 58, 58, 58, 59, 59, 59, 59, 60, 60, 60, 60, 61, 61, 62, 62, 62, 62,
    62, 62, 62, 63, 63, 63, 63, 64, 64, 64, 64, 64, 66, 66, 66, 66, 67, 67, 67, 67, 67, 68, 68, 68, 68, 68,
    68, 68, 69, 70, 70, 70, 70, 70, 71, 71, 72, 72, 73, 73, 73, 74, 74, 74, 74, 74, 74, 75, 75, 75, 76, 76,
    76, 76, 77, 77, 77, 77, 78, 78, 78, 78, 79, 79, 79, 79, 79, 80, 80, 80, 80, 80, 80, 80, 81, 81, 82, 82,
    85, 85, 85, 87, 88, 88, 89,
)
BMI_TENTHS = (
    209, 215, 217, 218, 224, 225, 227, 229, 231, 237, 238, 243, 244, 244, 244, 244, 245, 245, 245, 246, 246,
    246, 248, 248, 249, 249, 249, 250, 250, 250, 251, 252, 253, 254, 256, 257, 263, 265, 266, 268, 271, 271,
    273, 274, 276, 277, 278, 278, 278, 284, 286, 288, 288, 289, 292, 293, 295, 296, 297, 299, 302, 308, 308,
    313, 317, 317, 321, 322, 324, 326, 327, 327, 330, 331, 332, 337, 338, 338, 338, 339, 340, 344, 345, 345,
    351, 353, 358, 359, 362, 369, 376, 376, 389, 390, 390, 392, 392, 395, 395, 397, 400, 409, 410, 413, 418,
    424, 426, 427, 428, 429, 445,
)


def _birth(surgery: dt.date, age: int) -> dt.date:
    return dt.date(surgery.year - age, surgery.month, 1)


def _nearest_timepoint(days: int) -> str:
    months = days / (365.25 / 12)
    follow_ups = [tp for tp in default_protocol().timepoints if tp.code != "baseline"]
    return min(follow_ups, key=lambda tp: abs(tp.nominal_months() - months)).code


SEED_003_SITES = ("TPA", "ATL", "NYC", "HOU", "PHX", "DEN", "STL", "SEA")
"""Eight pain centres pooled, as in seed 003 (which does not give each centre's count)."""


def seed_003_cohort() -> list[PatientOutcomes]:
    """111 patients, the first 51 with FBSS; one follow-up each, answering the relief question."""
    relief = RELIEF_FBSS + RELIEF_OTHER
    days = DAYS_FBSS + DAYS_OTHER
    cohort = []
    for i in range(111):
        surgery = dt.date(2019, 1, 10) + dt.timedelta(days=3 * i)
        interventions = {code for code, members in (
            ("SCS", range(76)), ("ISS", range(69, 108)), ("IDDS", (0, 1, 108)), ("MILD", (109, 110)),
        ) if i in members}
        record = PatientRecord(
            id=i + 1, mrn=f"S3-{i + 1:03d}", family_name="Deer", given_name="Case", sex="F" if i % 37 < 20 else "M",
            birth_date=_birth(surgery, AGES[(i * 7) % 111]), bmi=BMI_TENTHS[(i * 13) % 111] / 10, fbss=i < 51,
            prior_interventions=frozenset(interventions), site=SEED_003_SITES[i % len(SEED_003_SITES)],
        )
        procedure = ProcedureRecord(i + 1, i + 1, surgery, side="right", approach="posterior")
        code = _nearest_timepoint(days[i])
        timepoint = default_protocol().timepoint(code)
        start, end = timepoint.window(surgery)
        answered = surgery + dt.timedelta(days=days[i])
        outcome = TimepointOutcome(code, timepoint.due_date(surgery), start, end, "completed", answered,
                                   {"relief.percent": float(relief[i])}, {"relief": "relief-1"})
        cohort.append(PatientOutcomes(record, procedure, (outcome,)))
    return cohort


def spread(n: int, total: int, low: int, high: int, step: int = 1) -> list[int]:
    """``n`` whole numbers from ``low`` to ``high`` (both present) adding up to ``total``."""
    values = [low] * (n - 1) + [high]
    remaining = total - sum(values)
    index = 1
    while remaining > 0:
        if values[index] + step <= high:
            values[index] += step
            remaining -= step
        index = index % (n - 2) + 1
    assert remaining == 0, "total not reachable in steps"
    return values


def seed_000_cohort() -> list[PatientOutcomes]:
    n = 54
    lumbar = (spread(n, 454, 7, 10), spread(n, 281, 0, 8))
    radicular = (spread(n, 275, 2, 10), spread(n, 162, 0, 8))
    odi = (spread(n, 3748, 52, 86, 2), spread(n, 2462, 29, 70))
    ages = spread(n, 3186, 27, 88)
    prior = spread(n, 162, 1, 7)
    cohort = []
    for i in range(n):
        surgery = dt.date(2017, 6, 1) + dt.timedelta(days=21 * i)
        record = PatientRecord(
            id=i + 1, mrn=f"S0-{i + 1:03d}", family_name="Fusion", given_name="Case", sex="F" if i < 41 else "M",
            birth_date=_birth(surgery, ages[i]), prior_lumbar_surgeries=prior[i], prior_lumbosacral_fusion=True,
            fbss=True,
        )
        procedure = ProcedureRecord(i + 1, i + 1, surgery, side="bilateral" if i % 54 < 31 else "left",
                                    approach="lateral")
        at_two_years: dict[str, float | None] = {
            "nrs.lumbar": lumbar[1][i], "nrs.radicular": radicular[1][i], "odi.odi": odi[1][i]}
        if i < 50:  # four patients did not answer the satisfaction question
            level = 1 if i < 25 else 2 if i < 43 else 3
            at_two_years |= {"satisfaction.overall": level, "satisfaction.satisfied": float(level <= 2)}
        visits = (
            visit("baseline", surgery, {"nrs.lumbar": lumbar[0][i], "nrs.radicular": radicular[0][i],
                                        "odi.odi": odi[0][i]}),
            visit("m24", surgery, at_two_years),
        )
        cohort.append(PatientOutcomes(record, procedure, visits))
    return cohort
