"""The patient's trajectory PDF: what the surgeon goes through with the patient at a follow-up visit.

One page in the usual case: header, four charts on fixed clinical axes, a table with a row per
timepoint, and the complications and reoperations recorded since surgery. A questionnaire that should
have been answered and was not is written "missing" and drawn as a dashed mark on the charts; it is never
plotted or counted as a zero.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from sijpro.analysis.scores import RELIEF, SATISFACTION_LEVEL, baseline_score_keys, resolve_mcid, score_spec
from sijpro.analysis.thresholds import Threshold
from sijpro.analysis.trajectory import TrajectoryPoint, patient_trajectory
from sijpro.instruments import get_instrument
from sijpro.protocol import Protocol, default_protocol
from sijpro.records import PatientOutcomes
from sijpro.reports.charts import PALETTE, Axis, Chart, ChartFlowable, Series, Shade, lighten, months_axis, score_axis
from sijpro.reports.document import (
    BODY,
    GRID_TABLE,
    HEADER_CELL,
    HEADING,
    MUTED,
    SMALL,
    SUBTITLE,
    TITLE,
    Footer,
    cell,
    content_width,
    generated_line,
    render,
)
from sijpro.reports.fonts import BOLD, ITALIC
from sijpro.reports.texts import LANGUAGES, Words
from sijpro.visit_state import VisitState as StoredState
from sijpro.visit_state import course_states

CHART_HEIGHT = 178.0
BAND_COLOURS = ("#009E73", "#F0E442", "#E69F00", "#D55E00", "#A0302A")
PAIN = ("nrs.lumbar", "nrs.radicular")
SF12 = ("sf12.pcs", "sf12.mcs")

VisitState = Literal["in_window", "late", "early", "cancelled", "missing", "overdue", "due", "upcoming", "scheduled"]
"""How the page words a visit: the state of ``sijpro.visit_state``, a completed one by when it was done."""
SHOWN: dict[str, VisitState] = {"cancelled": "cancelled", "missed": "missing", "overdue": "overdue", "due": "due",
                                "upcoming": "upcoming", "scheduled": "scheduled"}


@dataclass(frozen=True)
class PatientPage:
    """Everything the page needs, worked out once from the records."""

    outcomes: PatientOutcomes
    protocol: Protocol
    words: Words
    keys: tuple[str, ...]
    mcid: dict[str, Threshold | None]
    points: tuple[TrajectoryPoint, ...]
    today: dt.date

    def expected(self, point: TrajectoryPoint, key: str) -> bool:
        return key.partition(".")[0] in self.protocol.timepoint(point.timepoint).instruments

    @cached_property
    def states(self) -> dict[str, StoredState]:
        """Timepoint -> the visit's state today, from the one definition (``sijpro.visit_state``)."""
        visits = self.outcomes.timepoints
        return {visit.timepoint: state for visit, state in zip(visits, course_states(visits, self.today), strict=True)}

    def status(self, point: TrajectoryPoint) -> str:
        """'in window', 'late (+12 d)', 'overdue (12 d)', 'missing', 'upcoming'...: the visit as the clinic
        sees it today."""
        code, days = self.status_code(point)
        return self.words(f"status.{code}", days=days) if code in {"late", "overdue"} else self.words(f"status.{code}")

    def status_code(self, point: TrajectoryPoint) -> tuple[VisitState, int]:
        """The visit's state as a code (for screens with their own words), and its days late or overdue."""
        state = self.states.get(point.timepoint)
        if state is None:  # a timepoint this patient has no visit for (no index surgery yet)
            return "scheduled", 0
        if state.code == "completed":
            if state.late:
                return "late", state.days_late
            return ("early" if state.early else "in_window"), 0
        return SHOWN[state.code], state.days_late

    def is_missing(self, point: TrajectoryPoint) -> bool:
        """Not answered and no longer collected: the visit is missed (never drawn as a zero)."""
        state = self.states.get(point.timepoint)
        return state is not None and state.code == "missed"

    def answered_x(self, point: TrajectoryPoint) -> float:
        if point.months is not None:
            return point.months
        return self.protocol.timepoint(point.timepoint).nominal_months()


def patient_pdf(
    outcomes: PatientOutcomes,
    *,
    generated_at: dt.datetime,
    clinic: str = "",
    language: str | None = None,
    size: str = "a4",
    protocol: Protocol | None = None,
    mcid: Mapping[str, float] | None = None,
) -> bytes:
    """The trajectory PDF of one patient, in the patient's language (English if the reports do not
    have it) unless ``language`` is given.

    ``generated_at`` is printed in the footer and is the day against which visits count as missing; it
    is a parameter (not the clock) so that the same records always give the same bytes.
    """
    own = outcomes.patient.language if outcomes.patient.language in LANGUAGES else "en"
    # a patient in a language the reports lack still gets English
    page = patient_page(outcomes, today=generated_at.date(), language=language or own, protocol=protocol, mcid=mcid)
    words = page.words
    width = content_width(size)
    story: list[Flowable] = [
        *_header(page, clinic, width),
        Spacer(1, 6),
        _charts(page, width),
        Spacer(1, 6),
        _table(page, width),
        Spacer(1, 3),
        cell(words("patient_note", mcid=_mcid_text(page)), SMALL),
        *_complications(page, width),
    ]
    versions = sorted({v for tp in outcomes.timepoints for v in tp.versions.values()})
    footer = Footer(
        left=generated_line(words, generated_at),
        second_line=words("scoring", versions=", ".join(versions) or "–"),
        page_words=words,
    )
    title = f"{outcomes.patient.display_name} ({outcomes.patient.mrn})"
    return render(story, size=size, title=title, footer=footer, language=words.language)


def patient_page(outcomes: PatientOutcomes, *, today: dt.date, language: str = "en", protocol: Protocol | None = None,
                 mcid: Mapping[str, float] | None = None) -> PatientPage:
    """What the report (and the patient dashboard on screen) shows of ``outcomes`` on ``today``."""
    protocol = protocol or default_protocol()
    keys = (*baseline_score_keys(protocol), SATISFACTION_LEVEL, RELIEF)
    thresholds = resolve_mcid(baseline_score_keys(protocol), mcid)
    return PatientPage(outcomes, protocol, Words(language), keys, thresholds,
                       patient_trajectory(outcomes, protocol, keys, thresholds), today)


def _header(page: PatientPage, clinic: str, width: float) -> list[Flowable]:
    words, patient, procedure = page.words, page.outcomes.patient, page.outcomes.index_procedure
    age = patient.age_on(page.today)
    if procedure is None:
        surgery, staged = words("no_surgery"), words("none")
    else:
        details = [words.date(procedure.surgery_date)]
        if procedure.side:
            details.append(words(f"side.{procedure.side}"))
        if procedure.approach:
            details.append(words(f"approach.{procedure.approach}"))
        surgery = ", ".join(details)
        staged = words.date(procedure.second_side_date) if procedure.second_side_date else words("none")
    protocol_name = page.outcomes.protocol_name or page.protocol.name
    protocol_version = page.outcomes.protocol_version or page.protocol.version
    rows = [
        [words("patient"), patient.display_name, words("mrn"), patient.mrn],
        [words("age"), words.plural("years", age) if age is not None else words("unknown"),
         words("sex"), words(f"sex.{patient.sex}") if patient.sex else words("unknown")],
        [words("index_surgery"), surgery, words("staged_side"), staged],
        [words("protocol"), words("protocol_version", name=protocol_name, version=protocol_version), "", ""],
    ]
    table = Table(rows, colWidths=[width * f for f in (0.24, 0.38, 0.18, 0.20)])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY.fontName, 8),
        ("FONT", (0, 0), (0, -1), BOLD, 8),
        ("FONT", (2, 0), (2, -1), BOLD, 8),
        ("SPAN", (1, 3), (3, 3)),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LINEABOVE", (0, 0), (-1, 0), 0.6, HexColor("#8899AA")),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, HexColor("#8899AA")),
    ]))
    return [cell(clinic or "SIJ-PRO", TITLE), cell(words("patient_title"), SUBTITLE), Spacer(1, 4), table]


def _series(page: PatientPage, key: str, color: str, kind: Literal["line", "bars", "dots"] = "line",
            on_right_axis: bool = False) -> Series:
    points = tuple(
        (page.answered_x(point), value)
        for point in page.points
        if (value := point.values.get(key)) is not None
    )
    return Series(label=_column_label(page.words, key), color=color, points=points, kind=kind,
                  on_right_axis=on_right_axis)


def _missing_marks(page: PatientPage, keys: tuple[str, ...]) -> tuple[float, ...]:
    """Timepoints where a chart's questionnaire was due and no value of it exists."""
    marks = []
    for point in page.points:
        if not any(page.expected(point, key) for key in keys):
            continue
        lost = page.is_missing(point) or (
            point.outcome is not None and point.outcome.completed_on is not None
            and all(point.values.get(key) is None for key in keys if page.expected(point, key))
        )
        if lost:
            marks.append(page.protocol.timepoint(point.timepoint).nominal_months())
    return tuple(marks)


def patient_charts(page: PatientPage) -> list[Chart]:
    """Pain, ODI with its bands, SF-12 with the norm, relief and satisfaction: the page's four charts,
    as data that the PDF draws with reportlab and the dashboard with matplotlib."""
    words = page.words
    answered = [page.answered_x(p) for p in page.points if p.months is not None]
    x = months_axis(min(answered, default=0), max(answered, default=24), words("months_axis"))
    chart = functools.partial(Chart, x=x, missing_label=words("missing"), empty_label=words("no_answer_yet"))
    odi = score_spec("odi.odi")
    lower = odi.minimum
    shades = []
    for band, colour in zip(odi.bands, BAND_COLOURS, strict=False):
        shades.append(Shade(lower, band.upper, band.label[words.language], lighten(colour, 0.82)))
        lower = band.upper
    pain, sf12 = PAIN, SF12
    levels = get_instrument("satisfaction").item("overall").options
    return [
        chart(words("chart_pain"), y=score_axis(0, 10), series=(
            _series(page, pain[0], PALETTE[0]), _series(page, pain[1], PALETTE[1])),
            missing=_missing_marks(page, pain)),
        chart(odi.label[words.language], y=score_axis(odi.minimum, odi.maximum),
              series=(_series(page, "odi.odi", PALETTE[0]),), shades=tuple(shades),
              missing=_missing_marks(page, ("odi.odi",))),
        chart(words("chart_sf12"), y=score_axis(0, 100), series=(
            _series(page, sf12[0], PALETTE[2]), _series(page, sf12[1], PALETTE[3])),
            reference=(score_spec(sf12[0]).reference or 50, words("norm")),
            missing=_missing_marks(page, sf12)),
        chart(words("chart_relief"), y=score_axis(0, 100), series=(
            _series(page, RELIEF, PALETTE[4], kind="bars"),
            _series(page, SATISFACTION_LEVEL, PALETTE[0], kind="dots", on_right_axis=True)),
            right=Axis(len(levels) + 0.5, 0.5, tuple(float(o.value) for o in levels),
                       tuple(o.text[words.language] for o in levels)),
            missing=_missing_marks(page, (RELIEF, SATISFACTION_LEVEL))),
    ]


def _charts(page: PatientPage, width: float) -> Table:
    cell = (width - 12) / 2
    flow = [ChartFlowable(chart, cell, CHART_HEIGHT) for chart in patient_charts(page)]
    grid = Table([flow[:2], flow[2:]], colWidths=[cell + 6, cell + 6], rowHeights=[CHART_HEIGHT + 8] * 2)
    grid.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return grid


def _column_label(words: Words, key: str) -> str:
    if words.has(f"score.{key}"):
        return words(f"score.{key}")
    if key == SATISFACTION_LEVEL:
        return words("satisfaction")
    if key == RELIEF:
        return words("relief")
    return score_spec(key).label[words.language]


def _value_text(page: PatientPage, key: str, value: float) -> str:
    words = page.words
    if key == SATISFACTION_LEVEL:
        return get_instrument("satisfaction").item("overall").option_text(int(value), words.language)
    if key == RELIEF:
        return words.pct(value, 0)
    if key.startswith("sf12."):
        return words.number(value, 1)
    return words.plain(value)


def _score_text(page: PatientPage, point: TrajectoryPoint, key: str) -> tuple[str, bool]:
    """The text of one score cell, and whether it reports a missing answer (drawn in grey italics)."""
    if not page.expected(point, key) and point.values.get(key) is None:
        return "", False
    value = point.values.get(key)
    if value is None:
        answered = point.outcome is not None and point.outcome.completed_on is not None
        return (page.words("missing"), True) if answered or page.is_missing(point) else ("", False)
    text = _value_text(page, key, value)
    change = point.changes.get(key)
    if change is not None:
        decimals = 1 if key.startswith("sf12.") or abs(change - round(change)) > 1e-9 else 0
        text += f"\nΔ {page.words.signed(change, decimals)}"
        if point.mcid_reached.get(key):
            text += " ✓"
    return text, False


def _table(page: PatientPage, width: float) -> Table:
    words = page.words
    titles = [words("timepoint"), words("date"), words("status"), *(_column_label(words, k) for k in page.keys)]
    rows: list[list[str | Paragraph]] = [[cell(title, HEADER_CELL) for title in titles]]
    missing_cells: list[tuple[int, int]] = []
    for row, point in enumerate(page.points, start=1):
        label = page.protocol.timepoint(point.timepoint).label[words.language]
        outcome = point.outcome
        if outcome is not None and outcome.completed_on is not None:
            when = words.date(outcome.completed_on)
        else:
            when = words("due_on", date=words.date(point.due_date)) if point.due_date else "–"
        cells: list[str | Paragraph] = [cell(label), cell(when), page.status(point)]
        for column, key in enumerate(page.keys, start=3):
            text, missing = _score_text(page, point, key)
            cells.append(text)
            if missing:
                missing_cells.append((column, row))
        rows.append(cells)
    fractions = (56, 54, 58, *(47,) * (len(page.keys) - 2), 64, 56)
    scale = width / sum(fractions)
    table = Table(rows, colWidths=[f * scale for f in fractions], repeatRows=1)
    style = TableStyle(GRID_TABLE.getCommands())
    style.add("ALIGN", (3, 0), (-1, -1), "CENTER")
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor("#F6F8FA")])
    for column, row in missing_cells:
        style.add("FONT", (column, row), (column, row), ITALIC, 7)
        style.add("TEXTCOLOR", (column, row), (column, row), MUTED)
    for row, point in enumerate(page.points, start=1):
        if page.is_missing(point):
            style.add("TEXTCOLOR", (2, row), (2, row), HexColor("#B03020"))
    table.setStyle(style)
    return table


def _complications(page: PatientPage, width: float) -> list[Flowable]:
    """The complications that stand (withdrawn ones are not printed), dated, with their side and whether a
    reoperation was needed; one line saying there is none otherwise."""
    words, complications = page.words, page.outcomes.complications
    parts: list[Flowable] = [Paragraph(words("complications_heading"), HEADING)]
    if not complications:
        return [*parts, cell(words("no_complications"), BODY)]
    titles = [words("date"), words("complication_col"), words("side_col"), words("reoperation"), words("notes_col")]
    rows: list[list[str | Paragraph]] = [[cell(title, HEADER_CELL) for title in titles]]
    for complication in complications:
        rows.append([words.date(complication.occurred_on), cell(words(f"complication.{complication.kind}")),
                     words(f"side.{complication.side}") if complication.side else "–",
                     words("yes") if complication.revision else words("no"), cell(complication.notes)])
    fractions = (12, 30, 11, 16, 31)
    table = Table(rows, colWidths=[width * f / sum(fractions) for f in fractions], repeatRows=1)
    style = TableStyle(GRID_TABLE.getCommands())
    style.add("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor("#F6F8FA")])
    table.setStyle(style)
    return [*parts, table]


def _mcid_text(page: PatientPage) -> str:
    parts = [f"{_column_label(page.words, key)} {page.words.threshold(value)}"
             for key, value in page.mcid.items() if value is not None]
    return ", ".join(parts)

