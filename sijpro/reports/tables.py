"""The cohort tables (Node 1 and the others), built once from a ``CohortSummary`` for the PDF and the screen.

A :class:`Grid` is plain data: its title, column titles, rows of :class:`Cell` (the text as printed and
the number behind it) and the rows that head a section. The PDF lays a grid out with reportlab
(``cohort_tables.pdf_table``), the cohort page shows the same grid in a Qt model: adding a row is one
edit here, and the screen and the paper cannot disagree. Numbers are worded as the seed papers print
them by :class:`~sijpro.reports.texts.Words`, which also gives every word around them.

No reportlab or Qt import here, so the desktop loads it without the PDF machinery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sijpro.analysis.cohort import LAST, RELIEF_THRESHOLDS
from sijpro.analysis.complications import SUCCESS_SCORE
from sijpro.analysis.filters import INTERVENTION_KEYS
from sijpro.analysis.scores import satisfaction_levels, score_spec
from sijpro.analysis.summary import CohortSummary, Node
from sijpro.analysis.thresholds import KINDS
from sijpro.instruments import get_instrument
from sijpro.protocol import BASELINE, Protocol
from sijpro.records import COMPLICATION_KINDS, PRIOR_INTERVENTIONS
from sijpro.reports.texts import Words


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any = None
    """The number (or code) behind the text, as the summary holds it."""


@dataclass(frozen=True)
class Grid:
    title: str
    titles: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    """Relative column widths on paper."""
    sections: frozenset[int] = field(default_factory=frozenset)
    """Rows (0 = first row under the titles) that title the rows below them: bold, spanning the table."""
    note: str = ""
    """Printed under the table (what its columns mean)."""
    compact: bool = False
    """Many narrow columns: printed a size smaller."""

    def column(self, number: int) -> list[Any]:
        return [row[number].value for row in self.rows]


def timepoint_label(words: Words, protocol: Protocol, code: str) -> str:
    if code == LAST:
        return words("last")
    try:
        label = protocol.timepoint(code).label
    except KeyError:
        return code
    return label.get(words.language) or label.get("en") or code


def answered(by_timepoint: Node) -> bool:
    """Whether any timepoint of a summary table counts at least one patient."""
    return any(cell.get("n") for cell in by_timepoint.values())


def score_label(key: str, words: Words) -> str:
    return score_spec(key).label[words.language]


def baseline_grid(summary: CohortSummary, words: Words) -> Grid:
    """Node 1 in both styles: seed 003's mean ± SD / n (%), seed 000's mean (range), with seed 003's
    "Sex, male" row (and "Sex, other" when anyone is)."""
    base, sexes = summary.baseline, summary.sexes

    def continuous(label: str, cell: Node) -> tuple[Cell, ...]:
        return Cell(label), Cell(words.mean_sd(cell), cell["mean"]), Cell(words.mean_range(cell), cell["mean"])

    def count(label: str, cell: Node) -> tuple[Cell, ...]:
        return Cell(label), Cell(words.count_pct(cell), cell["n"]), Cell("")

    rows = [
        continuous(words("age_years"), base["age"]),
        count(words("female"), base["female"]),
        *([count(words("male"), sexes["M"])] if sexes else []),
        *([count(words("sex_other"), sexes["X"])] if sexes and sexes["X"]["n"] else []),
        continuous(words("bmi"), base["bmi"]),
        count(words("fbss"), base["fbss"]),
        count(words("bilateral"), base["bilateral"]),
        continuous(words("prior_lumbar_surgeries"), base["prior_lumbar_surgeries"]),
        count(words("prior_lumbosacral_fusion"), base["prior_lumbosacral_fusion"]),
        (Cell(words("past_procedures")), Cell(""), Cell("")),
    ]
    section = len(rows) - 1
    rows += [count(f"{words(code)} ({code})", base[code]) for code in PRIOR_INTERVENTIONS]
    rows.append(continuous(words("follow_up_days"), summary.follow_up_days))
    titles = (words("variable"), words("mean_sd_or_n_pct"), words("mean_range"))
    return Grid(words("table1"), titles, tuple(rows), (3.2, 1.4, 1.4), frozenset({section}))


def outcome_grid(summary: CohortSummary, key: str, words: Words, number: int) -> Grid:
    """Every timepoint of one score: n, mean (range), mean ± SD, change, both % changes, p, MCID rate."""
    mcid = summary.chosen[key]["mcid"]
    titles = (
        words("timepoint"), words("n"), words("mean_range"), words("mean_sd"), words("n_paired"), words("change"),
        words("pct_of_means"), words("mean_pct"), words("p_t"), words("p_w"),
        words("mcid_rate", mcid=words.threshold(mcid)) if mcid is not None else "MCID",
    )
    rows = []
    for code, cell in summary.outcomes[key].items():
        if not cell["n"]:
            continue
        row = [Cell(timepoint_label(words, summary.protocol, code), code), Cell(str(cell["n"]), cell["n"]),
               Cell(words.mean_range(cell), cell["mean"]), Cell(words.mean_sd(cell), cell["sd"])]
        if code == BASELINE:
            row += [Cell("")] * 7
        else:
            row += [
                Cell(str(cell["n_paired"]), cell["n_paired"]),
                Cell(words.signed(cell["mean_change"]), cell["mean_change"]),
                Cell(words.pct(cell["pct_change_of_means"]), cell["pct_change_of_means"]),
                Cell(words.pct(cell["mean_pct_change"]), cell["mean_pct_change"]),
                Cell(words.p_value(cell["p_ttest"]), cell["p_ttest"]),
                Cell(words.p_value(cell["p_wilcoxon"]), cell["p_wilcoxon"]),
                Cell("–" if cell["mcid_n"] is None else words.count_pct({"n": cell["mcid_n"], "pct": cell["mcid_pct"]}),
                     cell["mcid_n"]),
            ]
        rows.append(tuple(row))
    widths = (1.2, 0.45, 1.2, 1.2, 0.75, 0.8, 0.85, 0.8, 0.85, 1.0, 1.05)
    return Grid(words("table_outcome", number=number, score=score_label(key, words)), titles, tuple(rows), widths)


def satisfaction_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    levels = satisfaction_levels()
    item = get_instrument("satisfaction").item("overall")
    titles = (words("timepoint"), words("n"), *(item.option_text(value, words.language) for value, _ in levels),
              words("satisfied_or_very"))
    rows = []
    for code, cell in summary.satisfaction.items():
        if not cell["n"]:
            continue
        rows.append((
            Cell(timepoint_label(words, summary.protocol, code), code), Cell(str(cell["n"]), cell["n"]),
            *(Cell(words.count_pct({"n": cell[name], "pct": cell[name] / cell["n"] * 100}), cell[name])
              for _, name in levels),
            Cell(words.count_pct_ci(cell["satisfied_n"], cell["satisfied_pct"], cell["satisfied_ci95"]),
                 cell["satisfied_n"]),
        ))
    widths = (1.2, 0.45, *(1.05,) * len(levels), 1.9)
    return Grid(words("satisfaction_title", number=number), titles, tuple(rows), widths)


def relief_last_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """Seed 003's Node 2: relief at the last follow-up, its mean and the patients at each threshold."""
    last = summary.relief[LAST]
    rows = [(Cell(words("overall_mean", n=last["n"]), last["n"]),
             Cell(words.mean_sd(last, percent=True) if last["n"] else "–", last["mean"]))]
    for threshold in RELIEF_THRESHOLDS:
        share = last[f"ge{threshold}"]
        rows.append((Cell(words("ge", threshold=threshold), threshold),
                     Cell(words.count_pct_ci(share["n"], share["pct"], share["ci95"]), share["n"])))
    if _worse_collected():
        rows.append((Cell(words("worse")), Cell(words.count_pct(last["worse"]), last["worse"]["n"])))
    return Grid(words("relief_title", number=number), (words("relief_col"), words("mean_sd_or_n_pct")),
                tuple(rows), (3, 2))


def relief_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """The same thresholds at every timepoint (and the last follow-up)."""
    worse = _worse_collected()
    titles = (words("timepoint"), words("n"), words("mean_sd"),
              *(words("at_least", threshold=threshold) for threshold in RELIEF_THRESHOLDS),
              *((words("worse_short"),) if worse else ()))
    rows = []
    for code, cell in summary.relief.items():
        if not cell["n"]:
            continue
        rows.append((
            Cell(timepoint_label(words, summary.protocol, code), code), Cell(str(cell["n"]), cell["n"]),
            Cell(words.mean_sd(cell, percent=True), cell["mean"]),
            *(Cell(words.count_pct(cell[f"ge{threshold}"]), cell[f"ge{threshold}"]["n"])
              for threshold in RELIEF_THRESHOLDS),
            *((Cell(words.count_pct(cell["worse"]), cell["worse"]["n"]),) if worse else ()),
        ))
    widths = (1.3, 0.5, 1.4, 1.1, 1.1, 1.1, *((1.1,) if worse else ()))
    return Grid(words("relief_by_timepoint", number=number), titles, tuple(rows), widths)


def _worse_collected() -> bool:
    """Whether the relief questionnaire asks "worse than before surgery": a column of zeros for a question
    nobody was asked would read as "nobody was worse"."""
    return "worse" in get_instrument("relief").score_names


def responder_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """Every score at every follow-up: the mean change with its t interval, and each responder definition
    (MCID, SCB, PASS of the threshold library) as n (%) with its Wilson interval; a section per score."""
    kinds = [kind for kind in KINDS if any(kinds.get(kind) for kinds in summary.chosen.values())]
    titles = (words("timepoint"), words("n_paired"), words("change_ci"),
              *(words(f"responders.{kind}") for kind in kinds))
    rows: list[tuple[Cell, ...]] = []
    sections = set()
    for key in outcome_keys(summary):
        sections.add(len(rows))
        rows.append((Cell(score_label(key, words), key), *(Cell("") for _ in titles[1:])))
        for code, cell in summary.outcomes[key].items():
            if code == BASELINE or not cell["n_paired"]:
                continue
            row = [Cell(timepoint_label(words, summary.protocol, code), code),
                   Cell(str(cell["n_paired"]), cell["n_paired"]),
                   Cell(f"{words.signed(cell['mean_change'])} {words.interval(cell['mean_change_ci95'])}",
                        cell["mean_change"])]
            for kind in kinds:
                if summary.chosen[key][kind] is None or cell[f"{kind}_n"] is None:
                    row.append(Cell("–"))
                    continue
                row.append(Cell(words.count_pct_ci(cell[f"{kind}_n"], cell[f"{kind}_pct"], cell[f"{kind}_ci95"]),
                                cell[f"{kind}_n"]))
            rows.append(tuple(row))
    widths = (1.1, 0.55, 1.6, *(1.9,) * len(kinds))
    note = words("responders_note", thresholds=threshold_words(summary, words))
    return Grid(words("responders_title", number=number), titles, tuple(rows), widths, frozenset(sections), note)


def threshold_words(summary: CohortSummary, words: Words) -> str:
    """"MCID: NRS back ≥2 points ...": every threshold used, worded once for the notes and the methods."""
    parts = []
    for key, kinds in summary.chosen.items():
        if key not in outcome_keys(summary):
            continue
        chosen = [words(f"threshold.{kind}.{t.unit}", value=words.threshold(t)) for kind, t in kinds.items() if t]
        if chosen:
            parts.append(f"{score_label(key, words)}: {', '.join(chosen)}")
    return "; ".join(parts)


def completeness_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """Visits per timepoint by their state today: due by now (eligible), answered, missed, still being
    collected (pending), not yet due; the share of the eligible answered; and the follow-up contacts made
    or tried per answered and per lost visit (mean, with the contacts in all)."""
    titles = (words("timepoint"), words("eligible"), words("answered"), words("missed_col"), words("pending"),
              words("not_yet_due"), words("contacts_answered"), words("contacts_lost"))
    rows = []
    for code, counts in summary.completeness.items():
        rows.append((
            Cell(timepoint_label(words, summary.protocol, code), code),
            Cell(str(counts["eligible"]), counts["eligible"]),
            Cell(words.count_pct({"n": counts["answered"], "pct": counts["pct_answered"]}), counts["answered"]),
            Cell(str(counts["missed"]), counts["missed"]), Cell(str(counts["pending"]), counts["pending"]),
            Cell(str(counts["not_yet_due"]), counts["not_yet_due"]),
            *(_contacts_cell(counts["contacts"][group], words) for group in ("answered", "lost")),
        ))
    return Grid(words("completeness_title", number=number), titles, tuple(rows),
                (1.4, 0.9, 1.2, 0.9, 0.9, 0.9, 1.1, 1.1), note=words("completeness_note"))


def _contacts_cell(counted: Mapping[str, Any], words: Words) -> Cell:
    """'1.4 (35)': contacts per visit and in all; a dash without visits."""
    if not counted["visits"]:
        return Cell("–", None)
    return Cell(f"{words.number(counted['mean'])} ({counted['contacts']})", counted["mean"])


def complications_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """Patients with any complication, with each kind and reoperated, as n (%) [95% CI] of the cohort with
    the events counted; then INSITE-style success at each follow-up where somebody could be judged."""
    table = summary.complications

    def row(label: str, share: Node, events: int | None = None) -> tuple[Cell, ...]:
        return (Cell(label), Cell(words.count_pct_ci(share["n"], share["pct"], share["ci95"]), share["n"]),
                Cell("" if events is None else str(events), events))

    rows = [row(words("any_complication"), table["any"], table["n_events"])]
    rows += [row(words(f"complication.{kind}"), table["by_kind"][kind], table["by_kind"][kind]["events"])
             for kind in COMPLICATION_KINDS]
    rows.append(row(words("reoperation"), table["reoperation"]))
    judged = [(code, cell) for code, cell in summary.success.items() if cell["n"]]
    for code, cell in judged:
        label = words("success_row", when=timepoint_label(words, summary.protocol, code), n=cell["n"])
        rows.append(row(label, {"n": cell["n_success"], "pct": cell["pct"], "ci95": cell["ci95"]}))
    note = words("complications_note", n=summary.n_patients)
    threshold = summary.chosen.get(SUCCESS_SCORE, {}).get("mcid")
    if judged and threshold is not None:
        note += " " + words("success_note", score=score_label(SUCCESS_SCORE, words),
                            threshold=words.threshold(threshold) if threshold.unit == "percent"
                            else words("points", n=words.plain(threshold.value)))
    return Grid(words("complications_title", number=number),
                (words("complication_col"), words("patients_col"), words("events_col")), tuple(rows), (2.6, 2.2, 0.8),
                note=note)


def baseline_rows(words: Words) -> list[tuple[str, str]]:
    """(variable, label) of Table 1's variables, in Table 1's order, for tables comparing groups."""
    return [("age", words("age_years")), ("female", words("female")), ("bmi", words("bmi")),
            ("fbss", words("fbss")), ("bilateral", words("bilateral")),
            ("prior_lumbar_surgeries", words("prior_lumbar_surgeries")),
            ("prior_lumbosacral_fusion", words("prior_lumbosacral_fusion")),
            *((code, f"{words(code)} ({code})") for code in PRIOR_INTERVENTIONS)]


def group_cell(words: Words, cell: Node) -> Cell:
    """A Table 1 cell of one group: mean ± SD of a continuous variable, n (%) of a yes/no one."""
    if "mean" in cell:
        return Cell(words.mean_sd(cell), cell["mean"])
    return Cell(words.count_pct(cell), cell["n"])


def test_cell(words: Words, test: Node | None, *, stacked: bool = False) -> Cell:
    """``p=0.021 (Fisher)``; ``stacked``, the test's name on a line of its own (a narrow column)."""
    if not test:
        return Cell("–")
    gap = "\n" if stacked else " "
    return Cell(f"{words.p_value(test['p'])}{gap}({words('test.' + test['test'])})", test["p"])


def lost_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """The baseline of the patients followed up at ``at`` beside that of those eligible who were not."""
    lost = summary.lost_vs_followed
    titles = (words("variable"), words("followed", n=lost["followed"]["n"]), words("lost", n=lost["lost"]["n"]),
              words("p_between"))
    rows = [(Cell(label, name), group_cell(words, lost["followed"][name]), group_cell(words, lost["lost"][name]),
             test_cell(words, lost["tests"].get(name))) for name, label in baseline_rows(words)]
    when = timepoint_label(words, summary.protocol, lost["at"])
    return Grid(words("lost_title", number=number, when=when), titles, tuple(rows), (3.0, 1.4, 1.4, 1.6),
                note=words("lost_note"))


def describe_where(where: Mapping[str, str], words: Words) -> str:
    if not where:
        return words("all_patients")
    parts = []
    for key, value in where.items():
        if key == "site":
            parts.append(words("where.site", value=value))
        elif key in INTERVENTION_KEYS:
            parts.append(words(f"where.intervention.{value}", name=words(key.upper())))
        elif key in ("age_from", "age_to"):
            parts.append(words(f"where.{key}", value=value))
        elif key in ("fbss", "prior_lumbosacral_fusion"):
            parts.append(words(f"where.{key}.{value}"))
        elif key == "sex":
            parts.append(words("where.sex", value=words(f"sex.{value}").lower()))
        elif key == "side":
            parts.append(words("where.side", value=words(f"side.{value}")))
        elif key == "approach":
            parts.append(words("where.approach", value=words(f"approach.{value}")))
        else:
            parts.append(words(f"where.{key}", value=words.date(dt.date.fromisoformat(value))))
    return "; ".join(parts)


STACKED_GROUPS = 3
STACKED_WIDTHS = (1.7, 1.66, 1.85)
"""Relative widths of the label, each group's and the test column when there are many groups."""


def compare_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """``--compare``: each group's Table 1 and its results at ``at`` side by side, with the test between
    the groups (seed 003's Table 3 beside its Table 2, and whether they differ)."""
    compare = summary.compare
    assert compare is not None
    groups, tests, at = compare["groups"], compare["tests"], summary.at
    when = timepoint_label(words, summary.protocol, at)
    titles = (words("variable"),
              *(f"{describe_where({compare['key']: value}, words)} (n={group['n_patients']})"
                for value, group in groups.items()), words("p_between"))
    rows: list[tuple[Cell, ...]] = []
    sections = set()
    stacked = len(groups) > STACKED_GROUPS
    """Many groups (a study's centres) make narrow columns: intervals and test names go on lines of their
    own instead of breaking inside a number."""

    def add(label: str, cells: list[Cell], test: str) -> None:
        if stacked:
            cells = [Cell(cell.text.replace(" [", "\n[", 1), cell.value) for cell in cells]
        rows.append((Cell(label, test), *cells, test_cell(words, tests.get(test), stacked=stacked)))

    sections.add(len(rows))
    rows.append((Cell(words("baseline_section")), *(Cell("") for _ in titles[1:])))
    for name, label in baseline_rows(words):
        add(label, [group_cell(words, group["baseline"][name]) for group in groups.values()], name)
    sections.add(len(rows))
    rows.append((Cell(words("results_at", when=when)), *(Cell("") for _ in titles[1:])))
    for key in outcome_keys(summary):
        label = score_label(key, words)
        add(label, [group_cell(words, group["outcomes"][key][at]) for group in groups.values()], f"{key}.{at}")
        for kind, threshold in summary.chosen[key].items():
            if threshold is None:
                continue
            cells = [Cell(words.count_pct_ci(group["outcomes"][key][at][f"{kind}_n"],
                                             group["outcomes"][key][at][f"{kind}_pct"],
                                             group["outcomes"][key][at][f"{kind}_ci95"]))
                     for group in groups.values()]
            add(f"{label}: {words(f'threshold.{kind}.{threshold.unit}', value=words.threshold(threshold))}", cells,
                f"{key}.{at}.{kind}")
    if answered(summary.satisfaction):
        add(words("satisfied_or_very"), [Cell(words.count_pct_ci(g["satisfaction"][at]["satisfied_n"],
                                                                  g["satisfaction"][at]["satisfied_pct"],
                                                                  g["satisfaction"][at]["satisfied_ci95"]))
                                          for g in groups.values()], f"satisfaction.satisfied.{at}")
    if answered(summary.relief):
        add(words("relief_col"), [Cell(words.mean_sd(g["relief"][at], percent=True) if g["relief"][at]["n"] else "–")
                                  for g in groups.values()], f"relief.percent.{at}")
        for cut in RELIEF_THRESHOLDS:
            shares = [g["relief"][at][f"ge{cut}"] for g in groups.values()]
            add(words("ge", threshold=cut),
                [Cell(words.count_pct_ci(share["n"], share["pct"], share["ci95"])) for share in shares],
                f"relief.ge{cut}.{at}")
    label_width, group_width, test_width = STACKED_WIDTHS if stacked else (2.6, 1.6, 1.4)
    widths = (label_width, *(group_width,) * len(groups), test_width)
    return Grid(words("compare_title", number=number, by=words(f"compare.{compare['key']}")
                      if words.has(f"compare.{compare['key']}") else compare["key"]),
                titles, tuple(rows), widths, frozenset(sections), note=words("compare_note"), compact=stacked)


def model_grid(summary: CohortSummary, words: Words, number: int) -> Grid:
    """The mixed model's estimated mean of each score at each timepoint, with its 95% interval."""
    codes = [tp.code for tp in summary.protocol.timepoints]
    titles = (words("score"), words("n_model"), *(timepoint_label(words, summary.protocol, code) for code in codes))
    rows = []
    for key in outcome_keys(summary):
        fit = summary.model[key]
        cells = []
        for code in codes:
            point = fit["timepoints"][code]
            text = "–" if point["mean"] is None else f"{words.number(point['mean'])} {words.interval(point['ci95'])}"
            cells.append(Cell(text, point["mean"]))
        rows.append((Cell(score_label(key, words), key),
                     Cell(f"{fit['n_patients']} / {fit['n_observations']}", fit["n_observations"]), *cells))
    widths = (1.9, 0.9, *(1.3,) * len(codes))
    return Grid(words("model_title", number=number), titles, tuple(rows), widths, note=words("model_note"))


def outcome_keys(summary: CohortSummary) -> list[str]:
    """Scores somebody in the selection answered: those get a table, numbered as a paper's would be."""
    return [key for key, table in summary.outcomes.items() if answered(table)]


def report_grids(summary: CohortSummary, words: Words) -> list[Grid]:
    """Every table of the cohort report in print order, numbered on: a questionnaire nobody in the
    selection answered gets no table."""
    grids = [baseline_grid(summary, words)]
    for key in outcome_keys(summary):
        grids.append(outcome_grid(summary, key, words, len(grids) + 1))
    if len(grids) > 1:
        grids[-1] = replace(grids[-1], note=words("outcome_note"))
        grids.append(responder_grid(summary, words, len(grids) + 1))
        grids.append(model_grid(summary, words, len(grids) + 1))
    if answered(summary.satisfaction):
        grids.append(satisfaction_grid(summary, words, len(grids) + 1))
    if answered(summary.relief):
        grids.append(relief_last_grid(summary, words, len(grids) + 1))
        grids.append(relief_grid(summary, words, len(grids) + 1))
    if summary.compare is not None and summary.compare["groups"]:
        grids.append(compare_grid(summary, words, len(grids) + 1))
    if summary.complications["n_events"]:  # a cohort nobody recorded a complication for gets no zeros
        grids.append(complications_grid(summary, words, len(grids) + 1))
    grids.append(completeness_grid(summary, words, len(grids) + 1))
    if summary.lost_vs_followed["lost"]["n"]:
        grids.append(lost_grid(summary, words, len(grids) + 1))
    return grids
