"""The default follow-up protocol: due dates, windows and validation of admin-edited versions."""

from __future__ import annotations

import datetime as dt

import pytest

from sijpro.errors import UserError
from sijpro.protocol import ProtocolError, check_protocol, default_protocol, parse_protocol


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


def _edited(change) -> dict:
    data = default_protocol().to_mapping()
    change(data)
    return data


@pytest.mark.parametrize(("change", "position", "field", "words"), [
    (lambda d: d["timepoints"][3]["window"].update(after_days=500), 3, "window.after_days",
     "500 days is outside the sensible bounds (at most 183 days after the due date)"),
    (lambda d: d["timepoints"][1]["window"].update(before_days=200), 1, "window.before_days",
     "200 days is outside the sensible bounds"),
    (lambda d: d["timepoints"][0]["window"].update(before_days=500), 0, "window.before_days",
     "at most 365 days before surgery"),
    (lambda d: d["timepoints"][0]["window"].update(after_days=3), 0, "window.after_days",
     "a baseline is never collected after surgery"),
    (lambda d: d["timepoints"][0]["offset"].update(days=2), 0, "offset.days", "due on the day of surgery"),
    (lambda d: d["timepoints"][1]["window"].update(before_days=45), 1, "window.before_days",
     "a follow-up's window opens after the surgery day"),
    (lambda d: d["timepoints"][2]["window"].update(before_days=40), 2, "window.before_days",
     "its window overlaps the window of w6"),
    (lambda d: d["timepoints"][4]["offset"].update(months=7), 4, "window.before_days",
     "its window overlaps the window of m6"),
])
def test_a_protocol_is_checked_as_a_whole(change, position: int, field: str, words: str) -> None:
    protocol = parse_protocol(_edited(change))  # each timepoint is sound on its own
    with pytest.raises(ProtocolError) as refused:
        check_protocol(protocol)
    assert words in str(refused.value)
    assert (refused.value.position, refused.value.field) == (position, field)


def test_windows_are_checked_on_month_ends() -> None:
    """The 3-month window opens 75 to 78 days after surgery, as the months are long; a 6-week window
    closing 76 days after surgery overlaps it only for some surgery days, and the check finds one."""
    data = _edited(lambda d: d["timepoints"][1]["window"].update(after_days=34))
    protocol = parse_protocol(data)
    june = dt.date(2001, 6, 1)
    assert protocol.timepoint("w6").window(june)[1] < protocol.timepoint("m3").window(june)[0]  # apart in June
    with pytest.raises(ProtocolError, match="overlaps the window of w6") as refused:
        check_protocol(protocol)
    surgery = dt.date.fromisoformat(str(refused.value).split("with surgery on ")[1][:10])
    assert protocol.timepoint("w6").window(surgery)[1] >= protocol.timepoint("m3").window(surgery)[0]
    check_protocol(default_protocol())


def test_stored_versions_are_read_without_the_whole_protocol_rules() -> None:
    """A version saved before a rule existed stays readable (patients' schedules depend on it)."""
    data = _edited(lambda d: d["timepoints"][3]["window"].update(after_days=500))
    assert parse_protocol(data).timepoint("m6").window_after_days == 500


def test_saving_and_restoring_versions(clinic) -> None:
    protocols = clinic.protocols
    with pytest.raises(ProtocolError, match="500 days"):
        protocols.save_new_version(parse_protocol(_edited(lambda d: d["timepoints"][3]["window"].update(
            after_days=500))))
    assert protocols.current().version == 1
    shorter = parse_protocol(_edited(lambda d: d["timepoints"][3]["window"].update(after_days=60)))
    assert protocols.save_new_version(shorter).version == 2
    restored = protocols.restore(1)
    assert restored.version == 3 and protocols.current().timepoint("m6").window_after_days == 42
    assert restored.timepoints == default_protocol().timepoints
    event = clinic.audit.events(entity="protocol")[-1]
    assert event.reason == "restored version 1" and event.new["version"] == 3
    with pytest.raises(UserError, match="no protocol version 9"):
        protocols.restore(9)
