"""Which scores the cohort tables compare against baseline, and the MCID each one is judged by.

The list is data-driven: every score of every instrument the protocol collects *at baseline* (by
default NRS lumbar and radicular, ODI, SF-12 PCS and MCS). Satisfaction and relief, asked only after
surgery, have their own sections of the summary.
"""

from __future__ import annotations

from collections.abc import Mapping

from sijpro.analysis.thresholds import Threshold, choose
from sijpro.instruments import ScoreSpec, get_instrument
from sijpro.protocol import Protocol

SATISFACTION_LEVEL = "satisfaction.overall"
SATISFIED = "satisfaction.satisfied"
RELIEF = "relief.percent"
RELIEF_WORSE = "relief.worse"



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


def resolve_mcid(
    keys: tuple[str, ...], overrides: Mapping[str, float | str | Threshold] | None = None,
) -> dict[str, Threshold | None]:
    """MCID per score: the threshold library's default unless overridden (a study may use its own,
    in points or as a percentage of baseline, e.g. ``{"odi.odi": "30%"}``)."""
    return {key: kinds["mcid"] for key, kinds in choose(keys, {"mcid": overrides or {}}).items()}


def satisfaction_levels() -> tuple[tuple[int, str], ...]:
    """(value, JSON key) of each satisfaction answer, the key being its English words in snake case."""
    item = get_instrument("satisfaction").item("overall")
    return tuple(
        (option.value, "_".join(option.text["en"].lower().replace("(", " ").replace(")", " ").split()))
        for option in item.options
    )
