"""The tables of the cohort PDF, laid out as the seed studies print them, from the summary dict alone.

Building from the summary (not the records) guarantees the PDF shows the numbers of the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from sijpro.analysis.cohort import LAST, RELIEF_THRESHOLDS
from sijpro.analysis.scores import satisfaction_levels
from sijpro.instruments import get_instrument
from sijpro.protocol import BASELINE, Protocol
from sijpro.records import PRIOR_INTERVENTIONS
from sijpro.reports.document import GRID_TABLE, HEADER_CELL, HEADING, cell
from sijpro.reports.fonts import BOLD
from sijpro.reports.texts import Words

Row = list[str | Paragraph]


def timepoint_label(words: Words, protocol: Protocol, code: str) -> str:
    if code == LAST:
        return words("last")
    try:
        return protocol.timepoint(code).label[words.language]
    except KeyError:
        return code


def grid(rows: Sequence[Row], widths: Sequence[float], total: float, *, section_rows: Sequence[int] = ()) -> Table:
    """A table in the house style; ``widths`` are relative and scaled to ``total`` points."""
    scale = total / sum(widths)
    table = Table([list(row) for row in rows], colWidths=[w * scale for w in widths], repeatRows=1)
    style = TableStyle(GRID_TABLE.getCommands())
    style.add("ALIGN", (1, 0), (-1, -1), "CENTER")
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor("#F6F8FA")])
    for row in section_rows:
        style.add("FONT", (0, row), (-1, row), BOLD, 7)
        style.add("SPAN", (0, row), (-1, row))
    table.setStyle(style)
    return table


def titled(title: str, table: Table) -> KeepTogether:
    return KeepTogether([Paragraph(title, HEADING), table])


def header(titles: Sequence[str]) -> Row:
    return [cell(title, HEADER_CELL) for title in titles]


def baseline_table(summary: dict, words: Words, width: float, sexes: Mapping[str, dict] | None = None) -> KeepTogether:
    """Table 1 in both styles: seed 003's mean ± SD / n (%), seed 000's mean (range). ``sexes``
    (``analysis.sex_counts``) adds seed 003's "Sex, male" row, and "Sex, other" when anyone is."""
    base = summary["baseline"]
    days = summary["follow_up_days"]
    rows: list[Row] = [header([words("variable"), words("mean_sd_or_n_pct"), words("mean_range")])]

    def continuous(label: str, cell_: dict) -> Row:
        return [cell(label), words.mean_sd(cell_), words.mean_range(cell_)]

    def count(label: str, cell_: dict) -> Row:
        return [cell(label), words.count_pct(cell_), ""]

    rows += [
        continuous(words("age_years"), base["age"]),
        count(words("female"), base["female"]),
        *([count(words("male"), sexes["M"])] if sexes else []),
        *([count(words("sex_other"), sexes["X"])] if sexes and sexes["X"]["n"] else []),
        continuous(words("bmi"), base["bmi"]),
        count(words("fbss"), base["fbss"]),
        count(words("bilateral"), base["bilateral"]),
        continuous(words("prior_lumbar_surgeries"), base["prior_lumbar_surgeries"]),
        count(words("prior_lumbosacral_fusion"), base["prior_lumbosacral_fusion"]),
        [words("past_procedures"), "", ""],
    ]
    section = len(rows) - 1
    rows += [count(f"{words(code)} ({code})", base[code]) for code in PRIOR_INTERVENTIONS]
    rows.append(continuous(words("follow_up_days"), days))
    return titled(words("table1"), grid(rows, (3.2, 1.4, 1.4), width, section_rows=[section]))


def outcome_table(
    label: str, table: dict, *, mcid: float | None, words: Words, protocol: Protocol, width: float, number: int
) -> KeepTogether:
    """Every timepoint of one score: n, mean (range), mean ± SD, change, both % changes, p, MCID rate."""
    mcid_title = words("mcid_rate", mcid=words.plain(mcid)) if mcid is not None else "MCID"
    rows: list[Row] = [header([
        words("timepoint"), words("n"), words("mean_range"), words("mean_sd"), words("n_paired"), words("change"),
        words("pct_of_means"), words("mean_pct"), words("p_t"), words("p_w"), mcid_title,
    ])]
    for code, cell_ in table.items():
        if not cell_["n"]:
            continue
        row: Row = [cell(timepoint_label(words, protocol, code)), str(cell_["n"]), words.mean_range(cell_),
                    words.mean_sd(cell_)]
        if code == BASELINE:
            row += [""] * 7
        else:
            mcid_cell = ("–" if cell_["mcid_n"] is None
                         else words.count_pct({"n": cell_["mcid_n"], "pct": cell_["mcid_pct"]}))
            row += [
                str(cell_["n_paired"]), words.signed(cell_["mean_change"]),
                words.pct(cell_["pct_change_of_means"]) if cell_["pct_change_of_means"] is not None else "–",
                words.pct(cell_["mean_pct_change"]) if cell_["mean_pct_change"] is not None else "–",
                words.p_value(cell_["p_ttest"]), words.p_value(cell_["p_wilcoxon"]), mcid_cell,
            ]
        rows.append(row)
    widths = (1.2, 0.45, 1.2, 1.2, 0.75, 0.8, 0.85, 0.8, 0.85, 1.0, 1.05)
    return titled(words("table_outcome", number=number, score=label), grid(rows, widths, width))


def satisfaction_table(summary: dict, words: Words, protocol: Protocol, width: float, number: int) -> KeepTogether:
    levels = satisfaction_levels()
    item = get_instrument("satisfaction").item("overall")
    rows: list[Row] = [header([
        words("timepoint"), words("n"), *(item.option_text(value, words.language) for value, _ in levels),
        words("satisfied_or_very"),
    ])]
    for code, cell_ in summary["satisfaction"].items():
        if not cell_["n"]:
            continue
        rows.append([
            cell(timepoint_label(words, protocol, code)), str(cell_["n"]),
            *(words.count_pct({"n": cell_[name], "pct": cell_[name] / cell_["n"] * 100}) for _, name in levels),
            words.count_pct({"n": cell_["satisfied_n"], "pct": cell_["satisfied_pct"]}),
        ])
    widths = (1.3, 0.5, *(1.1,) * len(levels), 1.5)
    return titled(words("satisfaction_title", number=number), grid(rows, widths, width))


def relief_tables(summary: dict, words: Words, protocol: Protocol, width: float, number: int) -> list[Flowable]:
    """Seed 003's Table 2 (at last follow-up), then the same thresholds at every timepoint."""
    last = summary["relief"][LAST]
    rows: list[Row] = [header([words("relief_col"), words("mean_sd_or_n_pct")])]
    rows.append([words("overall_mean", n=last["n"]), words.mean_sd(last, percent=True) if last["n"] else "–"])
    for threshold in RELIEF_THRESHOLDS:
        rows.append([words("ge", threshold=threshold), words.count_pct(last[f"ge{threshold}"])])
    flowables: list[Flowable] = [
        titled(words("relief_title", number=number), grid(rows, (3, 2), width * 0.7)),
    ]
    by_time: list[Row] = [header([words("timepoint"), words("n"), words("mean_sd"),
                                  *(f"≥{threshold}%" for threshold in RELIEF_THRESHOLDS)])]
    for code, cell_ in summary["relief"].items():
        if not cell_["n"]:
            continue
        by_time.append([
            cell(timepoint_label(words, protocol, code)), str(cell_["n"]), words.mean_sd(cell_, percent=True),
            *(words.count_pct(cell_[f"ge{threshold}"]) for threshold in RELIEF_THRESHOLDS),
        ])
    flowables.append(titled(words("relief_by_timepoint", number=number + 1),
                            grid(by_time, (1.3, 0.5, 1.4, 1.1, 1.1, 1.1), width)))
    return flowables
