"""Which scores the cohort tables compare against baseline, and the MCID each one is judged by.

The list is data-driven: every score of every instrument the protocol collects *at baseline* (by
default NRS lumbar and radicular, ODI, SF-12 PCS and MCS). Satisfaction and relief, asked only after
surgery, have their own sections of the summary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sijpro.errors import UserError
from sijpro.instruments import ScoreSpec, get_instrument
from sijpro.protocol import Protocol

SATISFACTION_LEVEL = "satisfaction.overall"
SATISFIED = "satisfaction.satisfied"
RELIEF = "relief.percent"
RELIEF_WORSE = "relief.worse"

MCID_TOLERANCE = 1e-9
"""Floating-point slack: an SF-12 change of 4.9999999999 computed from 5-point-apart scores reaches 5."""


def score_spec(key: str) -> ScoreSpec:
    """The chart and MCID metadata of ``"<instrument>.<score>"``."""
    instrument_id, _, name = key.partition(".")
    return get_instrument(instrument_id).score_spec(name)


def baseline_score_keys(protocol: Protocol) -> tuple[str, ...]:
    """``"<instrument>.<score>"`` of everything measured before surgery, in protocol order."""
    keys: list[str] = []
    for instrument_id in protocol.timepoints[0].instruments:
        keys.extend(f"{instrument_id}.{name}" for name in get_instrument(instrument_id).score_names)
    return tuple(keys)


def resolve_mcid(keys: tuple[str, ...], overrides: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """MCID per score: the instrument file's default unless overridden (a study may use its own)."""
    thresholds: dict[str, float | None] = {key: score_spec(key).mcid for key in keys}
    for key, value in (overrides or {}).items():
        if key not in thresholds:
            raise UserError(f"MCID given for unknown score {key!r}; scores: {', '.join(keys)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise UserError(f"MCID for {key} must be a positive number, not {value!r}")
        thresholds[key] = float(value)
    return thresholds


def satisfaction_levels() -> tuple[tuple[int, str], ...]:
    """(value, JSON key) of each satisfaction answer, the key being its English words in snake case."""
    item = get_instrument("satisfaction").item("overall")
    return tuple(
        (option.value, "_".join(option.text["en"].lower().replace("(", " ").replace(")", " ").split()))
        for option in item.options
    )
