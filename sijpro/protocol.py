"""Follow-up protocols: which questionnaires are due when after the index surgery.

A protocol is data (``resources/protocols/default.yaml``, and admin-edited versions stored in the
database as the same mapping), so a clinic can change timepoints, windows and instruments without a
release. Month offsets use calendar arithmetic (python-dateutil), so "3 months after 30 November" is
28 February, as a nurse would count it.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from sijpro.errors import UserError
from sijpro.instruments import LocalText, bundled_instruments
from sijpro.reminders import LadderError, Ladders, ReminderStep, ladder_for, ladders_mapping, parse_ladders
from sijpro.resources import resource_path
from sijpro.visit_state import OVERDUE_DAYS

BASELINE = "baseline"


class ProtocolError(UserError):
    """A protocol definition that cannot be used; the message names the timepoint and field.

    ``position`` (0-based, in the list of timepoints) and ``field`` (e.g. ``offset.months``) say the same
    for a form that shows the problem at the field.
    """

    def __init__(self, message: str, *, position: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.field = field


@dataclass(frozen=True)
class Timepoint:
    code: str
    label: LocalText
    offset_days: int = 0
    offset_weeks: int = 0
    offset_months: int = 0
    window_before_days: int = 0
    window_after_days: int = 0
    instruments: tuple[str, ...] = ()

    @property
    def is_baseline(self) -> bool:
        return self.code == BASELINE

    def due_date(self, surgery: dt.date) -> dt.date:
        return surgery + relativedelta(
            months=self.offset_months, weeks=self.offset_weeks, days=self.offset_days
        )

    def window(self, surgery: dt.date) -> tuple[dt.date, dt.date]:
        due = self.due_date(surgery)
        return due - dt.timedelta(days=self.window_before_days), due + dt.timedelta(days=self.window_after_days)

    def nominal_months(self) -> float:
        """Position on a 'months from surgery' axis, for charts."""
        return self.offset_months + (self.offset_weeks * 7 + self.offset_days) / (365.25 / 12)


@dataclass(frozen=True)
class Protocol:
    name: str
    version: int
    timepoints: tuple[Timepoint, ...]
    scoring: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    reminders: Ladders = field(default_factory=dict)
    """The reminder ladders (``sijpro.reminders``): ``default`` and per timepoint code."""

    def ladder(self, timepoint: str) -> tuple[ReminderStep, ...]:
        return ladder_for(self.reminders, timepoint)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(tp.code for tp in self.timepoints)

    def timepoint(self, code: str) -> Timepoint:
        for tp in self.timepoints:
            if tp.code == code:
                return tp
        raise KeyError(f"protocol '{self.name}' has no timepoint {code!r}")

    def scoring_options(self, instrument_id: str) -> dict[str, int]:
        return dict(self.scoring.get(instrument_id, {}))

    def to_mapping(self) -> dict[str, Any]:
        """The same shape as the YAML file, for storing a version in the database."""
        return {
            "name": self.name,
            "version": self.version,
            "scoring": {key: dict(value) for key, value in self.scoring.items()},
            "timepoints": [
                {
                    "code": tp.code,
                    "label": dict(tp.label),
                    "offset": {"days": tp.offset_days, "weeks": tp.offset_weeks, "months": tp.offset_months},
                    "window": {"before_days": tp.window_before_days, "after_days": tp.window_after_days},
                    "instruments": list(tp.instruments),
                }
                for tp in self.timepoints
            ],
            **({"reminders": ladders_mapping(self.reminders)} if self.reminders else {}),
        }


def _whole(value: object, where: str, field: str, position: int | None = None, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProtocolError(f"{where}, field '{field}': expected a whole number of at least {minimum}, found "
                            f"{value!r}", position=position, field=field)
    return value


def parse_protocol(data: object, source: str = "protocol") -> Protocol:
    """Validate a protocol mapping; every error names the timepoint and the field."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{source}: expected a mapping")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProtocolError(f"{source}, field 'name': missing", field="name")
    version = _whole(data.get("version"), source, "version", minimum=1)
    raw_timepoints = data.get("timepoints")
    if not isinstance(raw_timepoints, list) or not raw_timepoints:
        raise ProtocolError(f"{source}, field 'timepoints': expected a non-empty list", field="timepoints")
    timepoints = [_timepoint(raw, source, position) for position, raw in enumerate(raw_timepoints)]
    _check_order(timepoints, source)
    scoring = data.get("scoring") or {}
    if not isinstance(scoring, Mapping):
        raise ProtocolError(f"{source}, field 'scoring': expected a mapping", field="scoring")
    odi_missing = (scoring.get("odi") or {}).get("max_missing", 1)
    _whole(odi_missing, source, "scoring.odi.max_missing")
    try:
        reminders = parse_ladders(data.get("reminders"), source, [timepoint.code for timepoint in timepoints])
    except LadderError as error:
        raise ProtocolError(str(error), field="reminders") from None
    return Protocol(
        name=name.strip(), version=version, timepoints=tuple(timepoints),
        scoring={key: dict(value) for key, value in scoring.items()}, reminders=reminders,
    )


def _timepoint(raw: object, source: str, position: int) -> Timepoint:
    def fail(field: str, problem: str) -> ProtocolError:
        return ProtocolError(f"{where}, field '{field}': {problem}", position=position, field=field)

    where = f"{source}, timepoint #{position + 1}"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("code"), str) or not raw["code"].strip():
        raise fail("code", "missing")
    where = f"{source}, timepoint {raw['code']}"
    label = raw.get("label")
    if not isinstance(label, Mapping) or not all(isinstance(label.get(lang), str) for lang in ("en", "fr")):
        raise fail("label", "needs an English and a French text")
    for language in ("en", "fr"):
        if not label[language].strip():
            raise fail(f"label.{language}", "missing")
    offset = raw.get("offset") or {}
    window = raw.get("window") or {}
    if not isinstance(offset, Mapping) or set(offset) - {"days", "weeks", "months"}:
        raise fail("offset", "use days, weeks and/or months")
    if not isinstance(window, Mapping) or set(window) - {"before_days", "after_days"}:
        raise fail("window", "use before_days and after_days")
    instruments = raw.get("instruments")
    if not isinstance(instruments, list) or not instruments:
        raise fail("instruments", "expected a non-empty list")
    known = bundled_instruments()
    for instrument in instruments:
        if instrument not in known:
            raise fail("instruments", f"unknown instrument {instrument!r}")

    def whole(mapping: Mapping[str, Any], group: str, key: str) -> int:
        return _whole(mapping.get(key, 0), where, f"{group}.{key}", position)

    return Timepoint(
        code=raw["code"].strip(),
        label={"en": label["en"], "fr": label["fr"]},
        offset_days=whole(offset, "offset", "days"),
        offset_weeks=whole(offset, "offset", "weeks"),
        offset_months=whole(offset, "offset", "months"),
        window_before_days=whole(window, "window", "before_days"),
        window_after_days=whole(window, "window", "after_days"),
        instruments=tuple(instruments),
    )


def _check_order(timepoints: list[Timepoint], source: str) -> None:
    """Baseline first, unique codes, each timepoint due after the one before (on any surgery date)."""
    if timepoints[0].code != BASELINE:
        raise ProtocolError(f"{source}, field 'timepoints': the first timepoint must be '{BASELINE}'",
                            position=0, field="code")
    seen: set[str] = set()
    for position, timepoint in enumerate(timepoints):
        if timepoint.code in seen or timepoint.code == "last":
            raise ProtocolError(f"{source}, field 'timepoints': codes must be unique and not 'last' "
                                f"(timepoint #{position + 1}, {timepoint.code!r})", position=position, field="code")
        seen.add(timepoint.code)
    reference = dt.date(2001, 1, 31)
    for position in range(1, len(timepoints)):
        if timepoints[position].due_date(reference) <= timepoints[position - 1].due_date(reference):
            raise ProtocolError(
                f"{source}, field 'timepoints': timepoints must be in increasing order of offset (timepoint "
                f"{timepoints[position].code} is not after {timepoints[position - 1].code})",
                position=position, field="offset")


MAX_FOLLOW_UP_SIDE_DAYS = 183
"""A follow-up's window may open at most this many days before its due date and close at most this many
after: half a year either side is already wider than any published PRO schedule."""
MAX_BASELINE_DAYS = 365
"""A baseline may be collected up to a year before surgery (patients wait long for it), never after."""
REFERENCE_SURGERIES = tuple(dt.date(year, month, day) for year in range(2000, 2004) for month in range(1, 13)
                            for day in (1, 29, 30, 31) if day <= monthrange(year, month)[1])
"""Surgery days on which the time rules are checked when a timepoint counts in months: how many days a
month offset spans depends only on the month, the year (leap or not) and whether the day is past the
28th, so four years of the 1st, 29th, 30th and 31st stand for every day of the calendar."""


def check_protocol(protocol: Protocol, source: str = "protocol") -> None:
    """DESIGN.md's rules for a protocol as a whole, checked before a version is saved (stored versions
    are read without them, so a rule added later never makes a patient's schedule unreadable):

    - the baseline is due on the surgery day and its window closes then (it is never collected after
      surgery), opening at most ``MAX_BASELINE_DAYS`` before;
    - each follow-up's window lies within ``MAX_FOLLOW_UP_SIDE_DAYS`` of its due date and opens after the
      surgery day;
    - timepoints are in time order and the windows of consecutive timepoints do not overlap, on every
      surgery day of the calendar;
    - every rung of a timepoint's reminder ladder comes while its visit is still collected (a baseline
      until the surgery day, a follow-up until ``OVERDUE_DAYS`` after its window closes).

    The error names the timepoint and the field, for the editor to show at the cell.
    """
    def fail(position: int, field: str, problem: str) -> ProtocolError:
        where = f"{source}, timepoint {protocol.timepoints[position].code}"
        return ProtocolError(f"{where}, field '{field}': {problem}", position=position, field=field)

    baseline = protocol.timepoints[0]
    if baseline.offset_days or baseline.offset_weeks or baseline.offset_months:
        raise fail(0, "offset.days", "the baseline is due on the day of surgery (offset 0)")
    if baseline.window_after_days:
        raise fail(0, "window.after_days", "a baseline is never collected after surgery (0 days after)")
    if baseline.window_before_days > MAX_BASELINE_DAYS:
        raise fail(0, "window.before_days", f"{baseline.window_before_days} days is outside the sensible "
                   f"bounds (at most {MAX_BASELINE_DAYS} days before surgery)")
    for position, timepoint in enumerate(protocol.timepoints[1:], start=1):
        for side, days in (("before_days", timepoint.window_before_days), ("after_days", timepoint.window_after_days)):
            if days > MAX_FOLLOW_UP_SIDE_DAYS:
                raise fail(position, f"window.{side}", f"{days} days is outside the sensible bounds (at most "
                           f"{MAX_FOLLOW_UP_SIDE_DAYS} days {'before' if side == 'before_days' else 'after'} "
                           "the due date)")
    for position, timepoint in enumerate(protocol.timepoints):
        span = timepoint.window_before_days + timepoint.window_after_days
        last = span if timepoint.is_baseline else span + OVERDUE_DAYS
        for step in protocol.ladder(timepoint.code):
            if step.day > last:
                raise fail(position, "reminders", f"step {step.code} on day {step.day} comes after the visit "
                           f"stops being collected (day {last} after its window opens)")
    in_months = any(timepoint.offset_months for timepoint in protocol.timepoints)
    for surgery in REFERENCE_SURGERIES if in_months else REFERENCE_SURGERIES[:1]:  # days and weeks: any day
        dues = [timepoint.due_date(surgery) for timepoint in protocol.timepoints]
        windows = [(due - dt.timedelta(days=timepoint.window_before_days),
                    due + dt.timedelta(days=timepoint.window_after_days))
                   for timepoint, due in zip(protocol.timepoints, dues, strict=True)]
        for position in range(1, len(windows)):
            timepoint = protocol.timepoints[position]
            if dues[position] <= dues[position - 1]:
                raise fail(position, "offset", f"timepoints must be in increasing order of offset (timepoint "
                           f"{timepoint.code} is not after {protocol.timepoints[position - 1].code})")
            if windows[position][0] <= surgery:
                raise fail(position, "window.before_days", "a follow-up's window opens after the surgery day "
                           f"(with surgery on {surgery.isoformat()} it would open on "
                           f"{windows[position][0].isoformat()})")
            if windows[position][0] <= windows[position - 1][1]:
                raise fail(position, "window.before_days", "its window overlaps the window of "
                           f"{protocol.timepoints[position - 1].code} (with surgery on {surgery.isoformat()}: "
                           f"opens {windows[position][0].isoformat()}, {protocol.timepoints[position - 1].code} "
                           f"closes {windows[position - 1][1].isoformat()})")


@cache
def default_protocol() -> Protocol:
    path = resource_path("protocols", "default.yaml")
    return parse_protocol(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
