"""Our scoring rules written as REDCap calculated fields, so a REDCap project scores like SIJ-PRO.

REDCap's calc syntax: ``[field]`` references, arithmetic, ``if(cond, a, b)``, ``and``/``or``,
``=``/``<>``/``<=``, ``sum()``/``mean()`` (which skip blank fields) and ``''`` for blank. A blank
field in plain arithmetic makes the result blank, which is the "any item missing -> no score" rule
for free; the ODI needs its count of answered sections spelled out. The SF-12 weights come from
``sijpro.scoring.sf12`` itself, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sijpro.scoring import odi, sf12

Names = Mapping[str, str]
"""Item code -> REDCap variable name."""

Builder = Callable[[str, Names, Mapping[str, int], int], str]
"""(score name, item variables, scoring options, decimals) -> calc expression."""


def ref(name: str) -> str:
    return f"[{name}]"


def _copy_of(item_code: str) -> Builder:
    """A score that is the answer itself (NRS, relief, satisfaction level)."""
    return lambda score, names, options, decimals: ref(names[item_code])


def _answered_count(names: list[str]) -> str:
    return "(" + "+".join(f"if({ref(name)}<>'',1,0)" for name in names) + ")"


def _rounded(expression: str, decimals: int) -> str:
    """round() to the score's stated precision, as the exports write it; whole scores need none."""
    return f"round({expression},{decimals})" if decimals else expression


def _odi(score: str, names: Names, options: Mapping[str, int], decimals: int) -> str:
    """mean() over answered sections x 20 = sum / (5 x answered) x 100, blank past the missing allowance."""
    max_missing = options.get("max_missing", odi.DEFAULT_MAX_MISSING)
    sections = [names[code] for code in odi.SECTIONS]
    needed = max(len(sections) - max_missing, 1)
    values = ",".join(ref(name) for name in sections)
    return f"if({_answered_count(sections)}>={needed},{_rounded(f'mean({values})*20', decimals)},'')"


def _sf12(score: str, names: Names, options: Mapping[str, int], decimals: int) -> str:
    column = 0 if score == "pcs" else 1
    constant = sf12.PCS_CONSTANT if score == "pcs" else sf12.MCS_CONSTANT
    terms = []
    for item in sf12.ITEMS:
        field = ref(names[item])
        nested = "0"
        for code, weights in sorted(sf12.WEIGHTS[item].items(), reverse=True):
            nested = f"if({field}={code},{weights[column]:.5f},{nested})"
        terms.append(nested)
    any_missing = " or ".join(f"{ref(names[item])}=''" for item in sf12.ITEMS)
    return f"if({any_missing},''," + _rounded(f"{constant:.5f}+" + "+".join(terms), decimals) + ")"


def _satisfied(score: str, names: Names, options: Mapping[str, int], decimals: int) -> str:
    level = ref(names["overall"])
    return f"if({level}='','',if({level}<=2,1,0))"


def _relief(score: str, names: Names, options: Mapping[str, int], decimals: int) -> str:
    """Worse than before surgery scores 0 % relief and worse 1; a percentage given means not worse."""
    percent, worse = ref(names["percent"]), ref(names["worse"])
    if score == "percent":
        return f"if({worse}=1,0,{percent})"
    return f"if({worse}=1,1,if({percent}<>'',0,{worse}))"


CALCULATIONS: dict[tuple[str, str], Builder] = {
    ("nrs", "lumbar"): _copy_of("lumbar"),
    ("nrs", "radicular"): _copy_of("radicular"),
    ("odi", "odi"): _odi,
    ("sf12", "pcs"): _sf12,
    ("sf12", "mcs"): _sf12,
    ("satisfaction", "overall"): _copy_of("overall"),
    ("satisfaction", "satisfied"): _satisfied,
    ("relief", "percent"): _relief,
    ("relief", "worse"): _relief,
}


def reproducible(instrument: str, score: str) -> bool:
    return (instrument, score) in CALCULATIONS


def calculation(instrument: str, score: str, names: Names, options: Mapping[str, int],
                decimals: int = 0) -> str | None:
    """The calc expression of one score at ``decimals`` places, or None when REDCap cannot reproduce it."""
    builder = CALCULATIONS.get((instrument, score))
    return builder(score, names, options, decimals) if builder else None
