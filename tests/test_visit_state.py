"""One visit state (DESIGN.md "Visit state"): the pure rule, and every view that shows it agreeing.

The property test draws surgery dates, protocols (timepoints, offsets, windows) and days, completes
some visits early, in or after their windows, and checks that the worklist, ``sijpro due --json``,
the timeline, the dashboard and PDF page, and the kiosk hand-over all say the same of every visit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sijpro.commands.due import worklist_json
from sijpro.protocol import BASELINE, Protocol, Timepoint, default_protocol
from sijpro.records import TimepointOutcome
from sijpro.reports.patient import patient_page, patient_pdf
from sijpro.services.clinic import Clinic
from sijpro.services.context import FixedClock
from sijpro.visit_state import OVERDUE_DAYS, VisitState, course_states, visit_state
from tests.factories import answer_all, operated_patient

SURGERY = dt.date(2024, 1, 15)
PDF_WORDS = {"completed": None, "cancelled": "cancelled", "missed": "missing", "overdue": "overdue",
             "due": "due", "upcoming": "upcoming", "scheduled": "scheduled"}


def _visit(timepoint: str = "w6", status: str = "scheduled", start: dt.date = dt.date(2024, 2, 12),
           end: dt.date = dt.date(2024, 3, 11), completed_on: dt.date | None = None) -> TimepointOutcome:
    due = start + (end - start) / 2 if timepoint != BASELINE else end
    return TimepointOutcome(timepoint=timepoint, due_date=due, window_start=start, window_end=end, status=status,
                            completed_on=completed_on)


def test_states_by_date() -> None:
    w6 = _visit()
    assert visit_state(w6, dt.date(2024, 1, 20)).code == "scheduled"
    assert visit_state(w6, dt.date(2024, 1, 29)) == VisitState("upcoming")  # opens in 14 days
    assert visit_state(w6, dt.date(2024, 2, 12)).code == "due"
    assert visit_state(w6, dt.date(2024, 3, 11)).code == "due"
    assert visit_state(w6, dt.date(2024, 4, 2)) == VisitState("overdue", days_late=22)
    assert visit_state(w6, dt.date(2024, 4, 10)) == VisitState("overdue", days_late=OVERDUE_DAYS)
    assert visit_state(w6, dt.date(2024, 4, 11)).code == "missed"
    assert visit_state(dataclasses.replace(w6, status="cancelled"), dt.date(2024, 2, 20)).code == "cancelled"
    # A stored "missed" (an earlier version wrote it on import) is not trusted: the dates say due.
    assert visit_state(dataclasses.replace(w6, status="missed"), dt.date(2024, 2, 20)).code == "due"


def test_completed_late_counts_days_from_the_window_end() -> None:
    day = dt.date(2025, 1, 1)
    late = visit_state(_visit(status="completed", completed_on=dt.date(2024, 3, 23)), day)
    assert late == VisitState("completed", days_late=12) and late.late
    in_window = visit_state(_visit(status="completed", completed_on=dt.date(2024, 3, 11)), day)
    assert not in_window.late and not in_window.early
    assert visit_state(_visit(status="completed", completed_on=dt.date(2024, 2, 1)), day).early


def test_baseline_is_missed_once_the_surgery_has_happened() -> None:
    baseline = _visit(BASELINE, start=SURGERY - dt.timedelta(days=90), end=SURGERY)
    assert visit_state(baseline, SURGERY).code == "due"  # the morning of the surgery
    assert visit_state(baseline, SURGERY + dt.timedelta(days=1)).code == "missed"
    assert visit_state(baseline, SURGERY + dt.timedelta(days=17)).code == "missed"  # never overdue


def test_an_unfinished_visit_is_missed_once_the_next_window_opens() -> None:
    w6 = _visit()
    m3_opens = dt.date(2024, 4, 1)
    assert visit_state(w6, dt.date(2024, 3, 31), m3_opens).code == "overdue"
    assert visit_state(w6, m3_opens, m3_opens).code == "missed"
    m3 = _visit("m3", start=m3_opens, end=dt.date(2024, 5, 13))
    states = course_states([w6, m3], dt.date(2024, 4, 2))
    assert [s.code for s in states] == ["missed", "due"]
    # a cancelled next timepoint is not collected, so it does not end the one before it
    cancelled = dataclasses.replace(m3, status="cancelled")
    assert [s.code for s in course_states([w6, cancelled], dt.date(2024, 4, 2))] == ["overdue", "cancelled"]


def test_the_issue_cases_through_the_services(clinic: Clinic, clock: FixedClock, tmp_path: Path) -> None:
    """Worklist 'Overdue 22 d' is overdue on the dashboard and PDF too; a baseline is not offered 17 days
    after surgery; an overdue 6-week visit and a due 3-month one are never handed over together."""
    patient = operated_patient(clinic, surgery=SURGERY)
    visits = {v.timepoint: v for v in clinic.schedule.timeline(patient.id)}
    day = visits["m3"].window_end + dt.timedelta(days=22)
    assert day < visits["m6"].window_start
    [entry] = clinic.schedule.worklist(day).overdue
    assert entry.visit.timepoint == "m3" and entry.state == VisitState("overdue", days_late=22)
    page = patient_page(clinic.outcomes.patient(patient.id), today=day, protocol=default_protocol())
    m3_point = next(p for p in page.points if p.timepoint == "m3")
    assert page.status_code(m3_point) == ("overdue", 22) and not page.is_missing(m3_point)
    pdf = tmp_path / "patient.pdf"
    pdf.write_bytes(patient_pdf(clinic.outcomes.patient(patient.id), generated_at=dt.datetime.combine(
        day, dt.time(9)), protocol=default_protocol()))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    m3_line = next(line for line in text.splitlines() if line.strip().startswith("3 months"))
    assert "overdue (22 d)" in m3_line and "missing" not in m3_line
    after_surgery = SURGERY + dt.timedelta(days=17)
    assert clinic.collection.pending(patient.id, after_surgery) == []
    assert clinic.schedule.course(patient.id, after_surgery)[0].state.code == "missed"
    both_open = visits["m3"].window_start + dt.timedelta(days=3)  # w6 closed 24 days ago, m3 open
    handed = clinic.collection.pending(patient.id, both_open)
    assert {visit.timepoint for visit, _ in handed} == {"m3"}
    assert [instrument for _, instrument in handed] == list(visits["m3"].instruments)


# --- every view agrees, over surgery dates, protocols and days ---------------------------------------------

INSTRUMENT_SETS = (("nrs",), ("nrs", "satisfaction"))
MRNS = itertools.count(1)


@st.composite
def protocols(draw: st.DrawFn) -> Protocol:
    """The default protocol, or a drawn one: follow-ups in time order with non-overlapping windows."""
    if draw(st.booleans()):
        return default_protocol()
    base = default_protocol().timepoints[0]
    baseline = dataclasses.replace(base, window_before_days=draw(st.integers(1, 120)), instruments=("nrs",))
    timepoints: list[Timepoint] = [baseline]
    previous_end = 0
    for number in range(draw(st.integers(1, 5))):
        before = draw(st.integers(0, 40))
        offset = previous_end + before + draw(st.integers(1, 90))
        after = draw(st.integers(0, 60))
        timepoints.append(Timepoint(code=f"d{number}", label={"en": f"Day {offset}", "fr": f"Jour {offset}"},
                                    offset_days=offset, window_before_days=before, window_after_days=after,
                                    instruments=draw(st.sampled_from(INSTRUMENT_SETS))))
        previous_end = offset + after
    return dataclasses.replace(default_protocol(), name="drawn", timepoints=tuple(timepoints))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(protocol=protocols(), surgery=st.dates(dt.date(2022, 1, 1), dt.date(2025, 12, 31)),
       day_offset=st.integers(-120, 900), completions=st.lists(st.integers(-40, 80), max_size=3),
       near=st.one_of(st.none(), st.tuples(st.integers(0, 5), st.integers(-20, 45))))
def test_every_view_agrees_on_every_visit(clinic: Clinic, clock: FixedClock, *, protocol: Protocol,
                                          surgery: dt.date, day_offset: int, completions: list[int],
                                          near: tuple[int, int] | None) -> None:
    saved = clinic.protocols.save_new_version(protocol)
    patient = operated_patient(clinic, f"P{next(MRNS)}", surgery)
    visits = clinic.schedule.timeline(patient.id)
    for visit, shift in zip(visits[1:], completions, strict=False):  # complete some follow-ups early/on time/late
        clock.set(visit.window_end + dt.timedelta(days=shift))
        answer_all(clinic, visit.id, visit.instruments)
    clock.set(dt.date(2024, 6, 3))
    day = surgery + dt.timedelta(days=day_offset)
    if near is not None:  # a day close to the end of one visit's window, where states change
        position, shift = near
        day = visits[position % len(visits)].window_end + dt.timedelta(days=shift)

    course = clinic.schedule.course(patient.id, day)
    state = {entry.visit.id: entry.state for entry in course}
    assert state == dict(zip([v.id for v in clinic.schedule.timeline(patient.id)],
                             course_states(clinic.schedule.timeline(patient.id), day), strict=True))

    # the worklist and `due --json`: each visit in the section named by its state (missed ones while recent)
    worklist = clinic.schedule.worklist(day)
    listed = {entry["visit_id"]: (section, entry["state"]) for section in ("due", "overdue", "upcoming", "missed")
              for entry in worklist_json(worklist)[section] if entry["patient_id"] == patient.id}
    for entry in course:
        code, visit = entry.state.code, entry.visit
        event(f"state {code}")
        if code in {"due", "overdue", "upcoming"}:
            assert listed.pop(visit.id) == (code, code)
        elif code == "missed" and visit.status != "completed" and (day - visit.window_end).days <= 60:
            assert listed.pop(visit.id) == ("missed", "missed")
    assert listed == {}, "the worklist lists a visit in a section its state does not name"

    # the dashboard and the PDF (one page model)
    page = patient_page(clinic.outcomes.patient(patient.id), today=day, protocol=saved)
    for point in page.points:
        entry = next(e for e in course if e.visit.timepoint == point.timepoint)
        shown, days = page.status_code(point)
        expected = PDF_WORDS[entry.state.code]
        if expected is None:
            assert shown == ("late" if entry.state.late else "early" if entry.state.early else "in_window")
        else:
            assert shown == expected
        assert days == entry.state.days_late if shown in {"late", "overdue"} else days == 0
        assert page.is_missing(point) == (entry.state.code == "missed")

    # the kiosk hand-over: the one collectable visit's unfinished questionnaires, nothing else
    handed = clinic.collection.pending(patient.id, day)
    collectable = [e for e in course if e.state.collectable]
    assert len(collectable) <= 1, "two timepoints collectable at once"
    assert {visit.id for visit, _ in handed} <= {e.visit.id for e in collectable}
    if collectable and collectable[0].visit.status != "completed":
        assert handed, "a due or overdue visit is not handed over"

    # the rules themselves
    baseline = course[0]
    if day > surgery:
        assert baseline.state.code in {"missed", "completed"}
    for entry, following in itertools.pairwise(course):
        if entry.state.collectable:
            assert day < following.visit.window_start


@pytest.mark.parametrize("offset", [-1, 0])
def test_baseline_on_the_surgery_day_and_before(clinic: Clinic, offset: int) -> None:
    patient = operated_patient(clinic, surgery=SURGERY)
    handed = clinic.collection.pending(patient.id, SURGERY + dt.timedelta(days=offset))
    assert {visit.timepoint for visit, _ in handed} == {BASELINE}
