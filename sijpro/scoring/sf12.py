"""SF-12 Health Survey version 1: physical (PCS-12) and mental (MCS-12) component summaries.

Source: Ware JE, Kosinski M, Keller SD. A 12-Item Short-Form Health Survey: construction of scales and
preliminary tests of reliability and validity. Med Care 1996;34(3):220-33 — 1990 US general-population
norm-based weights (mean 50, SD 10). Items are taken in their native answer codes; GH1 and BP2 are
recoded 6 - x and MH3 and VT2 7 - x; each non-reference answer adds its regression weight; any
unanswered item leaves both summaries missing, as the published algorithm prescribes.

The weights below are keyed by the *native* answer code (before recoding), reference answer weight 0.
Checks that pin them: all-best answers give 56.57706 / 60.75781, all-worst 23.99938 / 19.06444.
"""

from __future__ import annotations

from collections.abc import Mapping

SCORING_VERSION = "sf12v1-us1990-1"
SCORE_NAMES = ("pcs", "mcs")
ITEMS = ("GH1", "PF02", "PF04", "RP2", "RP3", "RE2", "RE3", "BP2", "MH3", "VT2", "MH4", "SF2")

PCS_CONSTANT = 56.57706
MCS_CONSTANT = 60.75781

# item -> native answer code -> (PCS weight, MCS weight)
WEIGHTS: dict[str, dict[int, tuple[float, float]]] = {
    "GH1": {2: (-1.31872, -0.06064), 3: (-3.02396, 0.03482), 4: (-5.56461, -0.16891), 5: (-8.37399, -1.71175)},
    "PF02": {1: (-7.23216, 3.93115), 2: (-3.45555, 1.86840)},
    "PF04": {1: (-6.24397, 2.68282), 2: (-2.73557, 1.43103)},
    "RP2": {1: (-4.61617, 1.44060)},
    "RP3": {1: (-5.51747, 1.66968)},
    "RE2": {1: (3.04365, -6.82672)},
    "RE3": {1: (2.32091, -5.69921)},
    "BP2": {2: (-3.80130, 0.90384), 3: (-6.50522, 1.49384), 4: (-8.38063, 1.76691), 5: (-11.25544, 1.48619)},
    "MH3": {
        2: (0.66514, -1.94949), 3: (1.36689, -4.09842), 4: (2.37241, -6.31121),
        5: (2.90426, -7.92717), 6: (3.46638, -10.19085),
    },
    "VT2": {
        2: (-0.42251, -0.92057), 3: (-1.14387, -1.65178), 4: (-1.61850, -3.29805),
        5: (-2.02168, -4.88962), 6: (-2.44706, -6.02409),
    },
    "MH4": {
        1: (4.61446, -16.15395), 2: (3.41593, -10.77911), 3: (2.34247, -8.09914),
        4: (1.28044, -4.59055), 5: (0.41188, -1.95934),
    },
    "SF2": {1: (-0.33682, -6.29724), 2: (-0.94342, -8.26066), 3: (-0.18043, -5.63286), 4: (0.11038, -3.13896)},
}


def score(answers: Mapping[str, int | None]) -> dict[str, float | None]:
    pcs, mcs = PCS_CONSTANT, MCS_CONSTANT
    for item in ITEMS:
        value = answers.get(item)
        if value is None:
            return {"pcs": None, "mcs": None}
        pcs_weight, mcs_weight = WEIGHTS[item].get(value, (0.0, 0.0))
        pcs += pcs_weight
        mcs += mcs_weight
    return {"pcs": pcs, "mcs": mcs}
