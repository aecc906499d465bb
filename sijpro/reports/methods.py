"""The methods paragraph printed with every cohort report, in the report's language.

It says what a reader needs to reproduce the numbers: the statistics and their software versions, the
responder thresholds with their sources and the library's version, the missing-data rules of the
scores, and what "last follow-up" means. Everything is read from the summary and the running software,
never typed in by hand, so the paragraph cannot drift from what was computed.
"""

from __future__ import annotations

import platform
from importlib import metadata

from sijpro import __version__
from sijpro.analysis.summary import CohortSummary
from sijpro.analysis.thresholds import library
from sijpro.reports.tables import outcome_keys, score_label
from sijpro.reports.texts import Words

SOFTWARE = ("numpy", "scipy", "statsmodels")


def software_versions() -> str:
    """``SIJ-PRO 0.1.0, Python 3.11.7, numpy 2.4.6, scipy 1.17.1, statsmodels 0.14.6`` (the mixed model's)."""
    parts = [f"SIJ-PRO {__version__}", f"Python {platform.python_version()}"]
    for name in SOFTWARE:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:  # a frozen bundle without the distribution's metadata
            continue
    return ", ".join(parts)


def methods_paragraphs(summary: CohortSummary, words: Words) -> list[str]:
    paragraphs = [words("methods.statistics"), words("methods.intervals"), words("methods.model")]
    sources: dict[str, list[str]] = {}
    for key in outcome_keys(summary):
        for kind, threshold in summary.chosen[key].items():
            if threshold is not None:
                text = words(f"threshold.{kind}.{threshold.unit}", value=words.threshold(threshold))
                sources.setdefault(threshold.source, []).append(f"{score_label(key, words)} {text}")
    if sources:
        listed = "; ".join(f"{', '.join(uses)} ({source})" for source, uses in sources.items())
        paragraphs.append(words("methods.thresholds", version=library().version, thresholds=listed))
    odi = summary.protocol.scoring_options("odi").get("max_missing", 1)
    paragraphs.append(words.plural("methods.missing", odi, odi=odi))
    paragraphs.append(words("methods.last"))
    paragraphs.append(words("methods.completeness", day=words.date(summary.day)))
    if summary.compare is not None:
        key = str(summary.compare["key"])
        label = f"compare.{key}"
        paragraphs.append(words("methods.compare", groups=words(label) if words.has(label) else key))
    paragraphs.append(words("methods.software", software=software_versions()))
    return paragraphs
