"""The default follow-up protocol: due dates, windows and validation of admin-edited versions."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.protocol import ProtocolError, default_protocol, parse_protocol


def test_default_protocol_matches_the_design_table() -> None:
    protocol = default_protocol()
    assert protocol.codes == ("baseline", "w6", "m3", "m6", "m12", "m24")
    assert protocol.timepoint("baseline").instruments == ("nrs", "odi", "sf12")
    assert protocol.timepoint("w6").instruments == ("nrs", "odi", "satisfaction", "relief")
    assert protocol.timepoint("m24").instruments == ("nrs", "odi", "sf12", "satisfaction", "relief")
    assert protocol.scoring_options("odi") == {"max_missing": 1}


@pytest.mark.parametrize(("code", "due", "start", "end"), [
    ("baseline", "2024-03-15", "2023-12-16", "2024-03-15"),
    ("w6", "2024-04-26", "2024-04-12", "2024-05-10"),
    ("m3", "2024-06-15", "2024-06-01", "2024-07-13"),
    ("m6", "2024-09-15", "2024-08-18", "2024-10-27"),
    ("m12", "2025-03-15", "2025-02-01", "2025-05-10"),
    ("m24", "2026-03-15", "2026-01-18", "2026-06-07"),
])
def test_due_dates_and_windows(code: str, due: str, start: str, end: str) -> None:
    timepoint = default_protocol().timepoint(code)
    surgery = dt.date(2024, 3, 15)
    assert timepoint.due_date(surgery) == dt.date.fromisoformat(due)
    assert timepoint.window(surgery) == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_month_arithmetic_is_calendar_based() -> None:
    assert default_protocol().timepoint("m3").due_date(dt.date(2023, 11, 30)) == dt.date(2024, 2, 29)


def test_round_trip_through_the_stored_mapping() -> None:
    protocol = default_protocol()
    assert parse_protocol(protocol.to_mapping()) == protocol


@pytest.mark.parametrize(("mutate", "message", "position", "field"), [
    (lambda d: d["timepoints"][1].update(instruments=["nrs", "eq5d"]), "timepoint w6, field 'instruments'", 1,
     "instruments"),
    (lambda d: d["timepoints"][2]["offset"].update(months=-3), "timepoint m3, field 'offset.months'", 2,
     "offset.months"),
    (lambda d: d["timepoints"].reverse(), "first timepoint must be 'baseline'", 0, "code"),
    (lambda d: d["timepoints"][3].update(code="m3"), "codes must be unique", 3, "code"),
    (lambda d: d["timepoints"][4]["offset"].update(months=1), "increasing order", 4, "offset"),
    (lambda d: d["timepoints"][1].pop("label"), "timepoint w6, field 'label'", 1, "label"),
    (lambda d: d["timepoints"][5]["label"].update(fr=" "), "timepoint m24, field 'label.fr'", 5, "label.fr"),
    (lambda d: d["timepoints"][5]["window"].update(after_days=1.5), "field 'window.after_days'", 5,
     "window.after_days"),
    (lambda d: d["timepoints"][2].update(code=""), "timepoint #3, field 'code'", 2, "code"),
    (lambda d: d.update(version=0), "field 'version'", None, "version"),
])
def test_bad_protocols_are_refused_with_the_field(mutate, message: str, position: int | None, field: str) -> None:
    data = default_protocol().to_mapping()
    mutate(data)
    with pytest.raises(ProtocolError, match=message) as refused:
        parse_protocol(data)
    assert (refused.value.position, refused.value.field) == (position, field)
