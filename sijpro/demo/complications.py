"""The demo clinic's complications and reoperations, so a cohort report's complications table is not empty."""

from __future__ import annotations

import datetime as dt
import random

from sijpro.records import ComplicationDraft, ComplicationKind, ProcedureDraft

COMPLICATION_SHARE = 0.1
"""Patients with a complication: about what SIJ fusion series report by two years (INSITE, iMIA, LOIS)."""
COMPLICATION_WEIGHTS: dict[ComplicationKind, tuple[float, float]] = {
    "wound_infection": (0.25, 0.05), "nerve_injury": (0.2, 0.3), "implant_malposition": (0.15, 0.7),
    "haematoma": (0.1, 0.05), "non_union": (0.1, 0.6), "deep_infection": (0.07, 0.5),
    "thromboembolism": (0.05, 0.0), "other": (0.08, 0.05),
}
"""Kind -> (share of the complications, chance it needed a reoperation)."""
EARLY: frozenset[ComplicationKind] = frozenset({"wound_infection", "haematoma", "thromboembolism", "deep_infection"})
"""Kinds seen within weeks of surgery; the others (implant, nerve, non-union) over the first two years."""
OTHER_NOTES = ("trochanteric bursitis", "urinary retention", "contralateral SIJ pain")


def demo_complication(rng: random.Random, procedure: ProcedureDraft, today: dt.date) -> ComplicationDraft | None:
    """A complication for about one operated patient in ten, on the side operated (one of the two after a
    bilateral fusion), reoperated as often as the series report; None for the others."""
    followed = (today - procedure.surgery_date).days
    if followed < 2 or rng.random() >= COMPLICATION_SHARE:
        return None
    kinds = list(COMPLICATION_WEIGHTS)
    kind = rng.choices(kinds, weights=[COMPLICATION_WEIGHTS[k][0] for k in kinds])[0]
    days = rng.randint(2, min(followed, 60 if kind in EARLY else 600))
    side = procedure.side if procedure.side != "bilateral" else rng.choice(("left", "right"))
    return ComplicationDraft(
        occurred_on=procedure.surgery_date + dt.timedelta(days=days), kind=kind, side=side,
        revision=rng.random() < COMPLICATION_WEIGHTS[kind][1],
        notes=rng.choice(OTHER_NOTES) if kind == "other" else "")
