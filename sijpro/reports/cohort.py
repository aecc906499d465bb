"""The cohort summary PDF: the studies' tables, sentences worded as the papers do, and the mean trajectory.

Everything printed comes from the summary dict of :func:`sijpro.analysis.cohort_summary` (the JSON of
``report cohort --json``), so the PDF and the JSON cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from sijpro.analysis.cohort import LAST
from sijpro.analysis.descriptive import mean_confidence_interval
from sijpro.analysis.scores import score_spec
from sijpro.analysis.summary import CohortSummary, Node
from sijpro.instruments.model import half_up
from sijpro.protocol import BASELINE, Protocol
from sijpro.reports.charts import PALETTE, Chart, ChartFlowable, Series, months_axis, score_axis
from sijpro.reports.cohort_tables import pdf_table, titled
from sijpro.reports.document import (
    BODY,
    HEADING,
    SMALL,
    SUBTITLE,
    TITLE,
    Footer,
    cell,
    content_width,
    generated_line,
    render,
)
from sijpro.reports.flow import FlowFlowable, completeness_flow
from sijpro.reports.methods import methods_paragraphs
from sijpro.reports.tables import answered, describe_where, report_grids
from sijpro.reports.texts import Words

CHART_HEIGHT = 190.0


def cohort_pdf(
    summary: CohortSummary,
    *,
    generated_at: dt.datetime,
    clinic: str = "",
    language: str = "en",
    size: str = "a4",
) -> bytes:
    """The cohort PDF of ``summary``: its filters in the title, its tables, sentences and figure."""
    words = Words(language)
    width = content_width(size)
    filters = describe_where(summary.filters, words)
    story: list[Flowable] = [
        cell(clinic or "SIJ-PRO", TITLE),
        cell(f"{words('cohort_title')} · {words('filters', filters=filters)} · "
             f"{words.plural('n_patients', summary.n_patients)}", SUBTITLE),
        Spacer(1, 6),
    ]
    if not summary.n_patients:
        story.append(cell(words("no_patients"), BODY))
    else:
        story += [Paragraph(words("results"), HEADING), *(cell(s, BODY) for s in _sentences(summary, words))]
        story += [pdf_table(grid, width) for grid in report_grids(summary, words)]
        story.append(titled(words("flow_title", number=1), FlowFlowable(completeness_flow(summary, words), width)))
        charts = cohort_charts(summary, words)
        if charts:
            story.append(_trajectory(charts, words, width))
        modelled = cohort_charts(summary, words, model=True)
        if modelled:
            story.append(_trajectory(modelled, words, width, title=words("model_chart_title")))
        story += [Paragraph(words("methods"), HEADING), *(cell(p, SMALL) for p in methods_paragraphs(summary, words))]
    footer = Footer(
        left=generated_line(words, generated_at),
        second_line=words("scoring", versions=", ".join(summary.versions) or "–") + f" · {filters}",
        page_words=words,
    )
    return render(story, size=size, title=f"{words('cohort_title')}: {filters}", footer=footer,
                  language=words.language)


def _change_words(pct: float, words: Words) -> str:
    rounded = int(half_up(abs(pct), 0))
    if rounded == 0:
        return words("no_change")
    return words("reduction" if pct < 0 else "increase", pct=rounded)


def when_words(words: Words, protocol: Protocol, code: str) -> tuple[str, str]:
    """("at 2 years", "At 2 years") for ``m24``, as the papers word a timepoint; "at last follow-up" for ``last``."""
    if code == LAST:
        return words("last_lower"), words("at_last_cap")
    timepoint = protocol.timepoint(code)
    if timepoint.offset_months and timepoint.offset_months % 12 == 0 and not (timepoint.offset_weeks
                                                                              or timepoint.offset_days):
        span = words.plural("years", timepoint.offset_months // 12)
    else:
        span = str(timepoint.label.get(words.language) or timepoint.label.get("en") or code)
    text = words("at_span", span=span)
    return text, text[:1].upper() + text[1:]


def _sentences(summary: CohortSummary, words: Words) -> list[str]:
    """The abstract's sentences at ``summary.at``: "... went from 8.4 (7–10) ... to 5.2 (0–8) at 2 years,
    a reduction of 38% of the mean" (the change of the paired means, said as such)."""
    sentences = []
    when, when_cap = when_words(words, summary.protocol, summary.at)
    for key, table in summary.outcomes.items():
        before, after = table[BASELINE], table[summary.at]
        if not before["n"] or not after["n"] or after["pct_change_of_means"] is None:
            continue
        sentences.append(words(
            "went_from", score=score_spec(key).label[words.language], before=words.mean_range(before),
            after=words.mean_range(after), when=when,
            change=_change_words(after["pct_change_of_means"], words), p=words.p_value(after["p_ttest"]),
            n=after["n_paired"],
        ))
    satisfied = summary.satisfaction[summary.at]
    if satisfied["n"]:
        sentences.append(words("satisfied_sentence", when=when_cap,
                               pct=words.number(satisfied["satisfied_pct"], 0), n=satisfied["n"]))
    relief = summary.relief[summary.at]
    if relief["n"]:
        sentences.append(words(
            "relief_sentence", when=when_cap, mean=words.number(relief["mean"]), sd=words.number(relief["sd"]),
            n30=relief["ge30"]["n"], pct30=words.number(relief["ge30"]["pct"]),
            n80=relief["ge80"]["n"], pct80=words.number(relief["ge80"]["pct"]),
        ))
    days = summary.follow_up_days
    if days["n"]:
        sentences.append(words(
            "follow_up_sentence", mean=words.number(days["mean"]), sd=words.number(days["sd"]),
            median=words.number(days["median"], 0), q1=words.number(days["q1"], 0),
            q3=words.number(days["q3"], 0), n=days["n"]))
    return sentences


def _mean_series(table: Node, label: str, color: str, protocol: Protocol) -> Series:
    points, intervals, counts = [], [], []
    for timepoint in protocol.timepoints:
        cell_ = table.get(timepoint.code)
        if not cell_ or not cell_["n"]:
            continue
        x = timepoint.nominal_months()
        points.append((x, cell_["mean"]))
        intervals.append(mean_confidence_interval(cell_) or (cell_["mean"], cell_["mean"]))
        counts.append(cell_["n"])
    return Series(label, color, tuple(points), intervals=tuple(intervals), counts=tuple(counts))


def _model_series(fit: Node, label: str, color: str, protocol: Protocol) -> Series:
    points, intervals = [], []
    for timepoint in protocol.timepoints:
        point = fit["timepoints"].get(timepoint.code)
        if not point or point["mean"] is None:
            continue
        points.append((timepoint.nominal_months(), point["mean"]))
        intervals.append(tuple(point["ci95"]) if point["ci95"] else (point["mean"], point["mean"]))
    return Series(label, color, tuple(points), intervals=tuple(intervals))


def cohort_charts(summary: CohortSummary, words: Words, *, model: bool = False) -> list[Chart]:
    """Mean scores by timepoint with their 95% confidence intervals and n: the PDF's figure, as data that
    the PDF draws with reportlab and the cohort view with matplotlib. A score nobody answered gets no
    line, and a panel with no line is left out. ``model``: the mixed model's estimated means instead
    (relief, asked only after surgery, is not modelled)."""
    protocol = summary.protocol
    outcomes = {key: table for key, table in summary.outcomes.items() if answered(table)}
    x = months_axis(0, 24, words("months_axis"))

    def series(key: str, color: str) -> Series:
        label = words(f"score.{key}") if words.has(f"score.{key}") else key
        if model:
            return _model_series(summary.model[key], label, color, protocol)
        return _mean_series(outcomes[key], label, color, protocol)

    panels = []
    pain = [series(k, c) for k, c in (("nrs.lumbar", PALETTE[0]), ("nrs.radicular", PALETTE[1])) if k in outcomes]
    if pain:
        panels.append(Chart(words("chart_pain"), x, score_axis(0, 10), tuple(pain)))
    if "odi.odi" in outcomes:
        odi = score_spec("odi.odi")
        panels.append(Chart(odi.label[words.language], x, score_axis(odi.minimum, odi.maximum),
                            (series("odi.odi", PALETTE[0]),)))
    sf12 = [series(k, c) for k, c in (("sf12.pcs", PALETTE[2]), ("sf12.mcs", PALETTE[3])) if k in outcomes]
    if sf12:
        panels.append(Chart(words("chart_sf12"), x, score_axis(0, 100), tuple(sf12),
                            reference=(score_spec("sf12.pcs").reference or 50, words("norm"))))
    if answered(summary.relief) and not model:
        relief = _mean_series(summary.relief, words("relief"), PALETTE[4], protocol)
        panels.append(Chart(words("chart_relief_mean"), x, score_axis(0, 100), (relief,)))
    return panels


def _trajectory(charts: Sequence[Chart], words: Words, width: float, *, title: str = "") -> KeepTogether:
    cell_width = (width - 12) / 2
    flows = [ChartFlowable(panel, cell_width, CHART_HEIGHT) for panel in charts]
    rows = [flows[i:i + 2] + [""] * (2 - len(flows[i:i + 2])) for i in range(0, len(flows), 2)]
    table = Table(rows, colWidths=[cell_width + 6] * 2)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    return titled(title or words("trajectory_title"), table)
