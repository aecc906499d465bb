"""The report charts drawn on a matplotlib Figure: the same points, bands, norms, missing marks and counts
as the PDF, rendered to a real PNG."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from sijpro.analysis import cohort_summary
from sijpro.protocol import default_protocol
from sijpro.reports.cohort import cohort_charts
from sijpro.reports.figure import draw_charts
from sijpro.reports.patient import patient_charts, patient_page
from sijpro.reports.texts import Words
from tests.outcome_builders import patient, visit

SURGERY = dt.date(2024, 3, 15)
TODAY = dt.date(2025, 1, 20)


@pytest.fixture(scope="module")
def followed():
    """Baseline and 3 months answered (SF-12 left blank at 3 months), 6 weeks missed, 6 months lapsed."""
    return patient(7, {
        "baseline": {"nrs.lumbar": 8, "nrs.radicular": 6, "odi.odi": 64, "sf12.pcs": 27.4, "sf12.mcs": 41.2},
        "w6": None,
        "m3": visit("m3", SURGERY, {"nrs.lumbar": 5, "nrs.radicular": 6, "odi.odi": 46, "sf12.pcs": None,
                                    "sf12.mcs": None, "satisfaction.overall": 2, "satisfaction.satisfied": 1.0,
                                    "relief.percent": 55}),
        "m6": visit("m6", SURGERY, None, status="scheduled"),
        "m12": visit("m12", SURGERY, None, status="scheduled"),
    }, surgery=SURGERY)


def figure() -> Figure:
    shown = Figure(figsize=(10, 7), dpi=80, layout="constrained")
    FigureCanvasAgg(shown)
    return shown


def series_lines(axes) -> dict[str, Line2D]:
    """The lines drawn for each series on ``axes`` and on its twin (the right-hand scale), by label."""
    found = {}
    for each in (a for a in axes.figure.axes if a.get_position().bounds == axes.get_position().bounds):
        for line in each.lines:
            if (line.get_gid() or "").startswith("series:"):
                found[line.get_gid().removeprefix("series:")] = line
    return found


def texts(axes) -> list[str]:
    return [child.get_text() for child in axes.get_children() if isinstance(child, Text)]


def test_patient_charts_show_each_answer_once_and_missing_visits_as_marks(followed) -> None:
    shown = figure()
    page = patient_page(followed, today=TODAY, protocol=default_protocol())
    pain, odi, sf12, relief = draw_charts(shown, patient_charts(page))
    lines = series_lines(pain)
    assert list(lines["NRS back"].get_ydata()) == [8, 5]
    assert list(lines["NRS leg"].get_ydata()) == [6, 6]
    assert list(series_lines(odi)["ODI"].get_ydata()) == [64, 46]
    assert list(series_lines(sf12)["PCS"].get_ydata()) == [27.4]  # the blank SF-12 is not drawn as a point
    # w6 (missed) and m6 (window closed) are dashed marks labelled missing, never points at zero
    assert texts(pain).count("missing") == 2
    assert texts(sf12).count("missing") == 2  # m3 was answered without the SF-12, m6 lapsed
    assert len([p for p in odi.patches if p.get_gid() is None]) == 5  # one shaded band per ODI band
    assert "Bed-bound" in texts(odi)
    norm = [line for line in sf12.lines if line.get_label() == "US norm (50)"]
    assert len(norm) == 1 and list(norm[0].get_ydata()) == [50, 50]
    bars = [patch for patch in relief.patches if patch.get_gid() == "series:Relief"]
    assert [bar.get_height() for bar in bars] == [55]
    satisfaction = series_lines(relief)["Satisfaction"]
    assert list(satisfaction.get_ydata()) == [2] and satisfaction.get_linestyle() == "None"
    png = io.BytesIO()
    shown.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG")


def test_a_patient_without_answers_gets_empty_charts_that_say_so() -> None:
    shown = figure()
    empty = patient(3, {}, surgery=SURGERY)
    axes = draw_charts(shown, patient_charts(patient_page(empty, today=SURGERY, language="fr")))
    assert len(axes) == 4
    assert all("pas encore de réponse" in texts(each) for each in axes)


def test_cohort_chart_has_a_point_per_timepoint_with_its_interval_and_n(followed) -> None:
    second = patient(8, {
        "baseline": {"nrs.lumbar": 6, "nrs.radicular": 4, "odi.odi": 50, "sf12.pcs": 30, "sf12.mcs": 45},
        "m3": {"nrs.lumbar": 3, "nrs.radicular": 2, "odi.odi": 30, "sf12.pcs": 40, "sf12.mcs": 50,
               "satisfaction.overall": 1, "satisfaction.satisfied": 1.0, "relief.percent": 80},
    }, surgery=SURGERY)
    summary = cohort_summary([followed, second])
    shown = figure()
    pain = draw_charts(shown, cohort_charts(summary, Words("en")))[0]
    back = series_lines(pain)["NRS back"]
    assert list(back.get_ydata()) == [7.0, 4.0]  # baseline mean (8+6)/2, 3 months (5+3)/2
    assert list(back.get_xdata()) == [0, pytest.approx(3)]
    counts = [text for text in texts(pain) if text.isdigit()]
    assert counts == ["2", "2", "2", "2"]  # n under each point, one row per series
    assert len(pain.collections) == 2  # one set of 95% CI whiskers per series
