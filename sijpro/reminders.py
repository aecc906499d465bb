"""The reminder ladder and the day's contact plan: data in the protocol, and one pure function over it.

Registries keep their patients by chasing them: an e-mail when a window opens, a second one a week later,
a letter with a paper pack after two weeks, a nurse's phone call after three. The ladder is part of the
protocol (``reminders`` in ``resources/protocols/*.yaml``: a ``default`` ladder and, per timepoint code,
a ladder of its own; an empty list means no reminders, as for a baseline collected in clinic), edited by
an administrator and checked as a whole with the rest of the protocol.

``day_plan`` decides, for the visits a worklist found collectable (their state comes from
``sijpro.visit_state``, never worked out here), what to do today: the latest rung of the ladder whose day
has come, unless it was already made. Earlier rungs never made are not made late (a week-old e-mail is
not sent beside the letter that replaces it). A rung the patient cannot be reached by is listed as
skipped with the reason, so the nurse sees why someone is not being chased:

- nobody is contacted without a recorded yes (``consent``), nor after saying no (channel ``none``, or a
  contact whose outcome was ``declined``);
- an e-mail needs an address and a patient who prefers e-mail or stated no preference;
- a letter needs a postal address and a patient who does not prefer the phone (a letter is how an
  unanswered e-mail escalates);
- a call needs a phone number; it is the last rung for everyone who agreed to be contacted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from sijpro.contact import ContactDetails
from sijpro.visit_state import COLLECTABLE, StateCode

StepChannel = Literal["email", "post", "phone"]
STEP_CHANNELS: Final = ("email", "post", "phone")
DEFAULT_LADDER: Final = "default"
MAX_STEP_DAY: Final = 365
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


class LadderError(ValueError):
    """A ladder that cannot be used; the message names the ladder, the step and the field."""


@dataclass(frozen=True, slots=True)
class ReminderStep:
    code: str
    """Names the rung in the contact log (``email_1``): a rung made once is never made again."""
    channel: StepChannel
    day: int
    """Days after the visit's window opens."""

    def to_mapping(self) -> dict[str, Any]:
        return {"step": self.code, "channel": self.channel, "day": self.day}


Ladders = Mapping[str, tuple[ReminderStep, ...]]
"""``default`` and timepoint codes -> their ladder, in order of day."""


def parse_ladders(data: object, source: str, timepoints: Iterable[str]) -> dict[str, tuple[ReminderStep, ...]]:
    """The ``reminders`` mapping of a protocol file, each step checked (None or absent: no ladder)."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise LadderError(f"{source}, field 'reminders': expected a mapping of ladders")
    known = {DEFAULT_LADDER, *timepoints}
    ladders: dict[str, tuple[ReminderStep, ...]] = {}
    for name, raw in data.items():
        where = f"{source}, reminders.{name}"
        if name not in known:
            raise LadderError(f"{where}: not a timepoint of this protocol (nor {DEFAULT_LADDER})")
        items = [] if raw is None else raw
        if not isinstance(items, list):
            raise LadderError(f"{where}: expected a list of steps")
        ladders[str(name)] = tuple(_step(item, f"{where}[{position + 1}]") for position, item in enumerate(items))
        _check_ladder(ladders[str(name)], where)
    return ladders


def _step(raw: object, where: str) -> ReminderStep:
    if not isinstance(raw, Mapping):
        raise LadderError(f"{where}: expected a mapping with step, channel and day")
    unknown = sorted(set(raw) - {"step", "channel", "day"})
    if unknown:
        raise LadderError(f"{where}, field '{unknown[0]}': not a field of a step (step, channel, day)")
    code, channel, day = raw.get("step"), raw.get("channel"), raw.get("day")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise LadderError(f"{where}, field 'step': {code!r} is not a step code (lower-case letters, digits, '_')")
    if channel not in STEP_CHANNELS:
        raise LadderError(f"{where}, field 'channel': {channel!r} is not one of {', '.join(STEP_CHANNELS)}")
    if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= MAX_STEP_DAY:
        raise LadderError(f"{where}, field 'day': {day!r} is not a whole number of days from 0 to {MAX_STEP_DAY}")
    return ReminderStep(code, channel, day)


def _check_ladder(steps: tuple[ReminderStep, ...], where: str) -> None:
    seen: set[str] = set()
    for position, step in enumerate(steps):
        if step.code in seen:
            raise LadderError(f"{where}[{position + 1}], field 'step': {step.code} appears twice in this ladder")
        seen.add(step.code)
        if position and step.day <= steps[position - 1].day:
            raise LadderError(f"{where}[{position + 1}], field 'day': steps must come in increasing order of "
                              f"day ({step.day} is not after {steps[position - 1].day})")


def ladder_for(ladders: Ladders, timepoint: str) -> tuple[ReminderStep, ...]:
    """The timepoint's own ladder, else the default one."""
    found = ladders.get(timepoint)
    return found if found is not None else ladders.get(DEFAULT_LADDER, ())


def ladders_mapping(ladders: Ladders) -> dict[str, list[dict[str, Any]]]:
    return {name: [step.to_mapping() for step in steps] for name, steps in ladders.items()}


@dataclass(frozen=True, slots=True)
class ChasedVisit:
    """What the plan needs of a visit: who, which timepoint, its state today and when its window opened."""

    visit_id: int
    patient_id: int
    timepoint: str
    state: StateCode
    window_start: dt.date


@dataclass(frozen=True, slots=True)
class PlannedStep:
    visit_id: int
    patient_id: int
    timepoint: str
    step: str
    channel: StepChannel
    day: int
    """The rung's day on the ladder."""
    days_open: int
    """Days since the visit's window opened."""
    skipped: str | None = None
    """Why this rung is not made (``no_consent``, ``declined``, ``no_email``...), None when it is to be made."""


MADE_OUTCOMES: Final = frozenset({"sending", "sent", "refused", "reached", "declined", "wrong_number"})
"""Outcomes after which a rung is not made again: an e-mail on its way or sent (``sending`` is kept when a
run died between handing it over and hearing back: it may have gone, so it is never sent twice) or
refused by the server (that address will not do); a call that reached the patient, whom they declined,
or a wrong number. A ``failed`` e-mail is tried again at the next run; a call not answered the next day,
one the patient asked to have made later on that day."""
CallOutcome = Literal["reached", "no_answer", "call_back", "declined", "wrong_number"]
CALL_OUTCOMES: Final[tuple[CallOutcome, ...]] = get_args(CallOutcome)
UNDELIVERED_OUTCOMES: Final = frozenset({"sending", "refused", "failed"})


@dataclass(frozen=True, slots=True)
class ContactAttemptRecord:
    id: int
    patient_id: int
    visit_id: int
    step: str
    channel: str
    at: dt.datetime
    by: str
    outcome: str
    detail: str = ""
    call_back_on: dt.date | None = None


def _skip(step: ReminderStep, details: ContactDetails | None, declined: bool) -> str | None:
    if declined:
        return "declined"
    if details is None or details.consent is not True or details.channel == "none":
        return "declined" if details is not None and (details.consent is False or details.channel == "none") \
            else "no_consent"
    if not details.reaches(step.channel):
        return {"email": "no_email", "post": "no_address", "phone": "no_phone"}[step.channel]
    preferred = details.channel
    if step.channel == "email" and preferred not in ("email", ""):
        return "prefers_other"
    if step.channel == "post" and preferred == "phone":
        return "prefers_other"
    return None


def day_plan(
    day: dt.date,
    visits: Iterable[ChasedVisit],
    ladder: Callable[[str], tuple[ReminderStep, ...]],
    contacts: Mapping[int, ContactDetails],
    made: Mapping[int, Set[str]],
    *,
    declined: Set[int] = frozenset(),
    not_before: Mapping[tuple[int, str], dt.date] | None = None,
) -> list[PlannedStep]:
    """The rungs to make (or skipped, with why) on ``day``: one per collectable visit at most.

    ``ladder(timepoint)`` gives the ladder, ``contacts`` the patients' details by patient id, ``made`` the
    rungs already made per visit id (a failed send is not made: it is tried again), ``declined`` the
    patients who declined when contacted (each of their open visits is listed, skipped as ``declined``, every
    day: the nurse sees why nobody chases them), ``not_before`` the day a (visit id, rung) is to be tried again
    (a call not answered, or one the patient asked for later)."""
    plan: list[PlannedStep] = []
    for visit in visits:
        if visit.state not in COLLECTABLE:
            continue
        days_open = (day - visit.window_start).days
        reached = None
        for step in ladder(visit.timepoint):
            if step.day > days_open:
                break
            reached = step
        if reached is None:
            continue
        if visit.patient_id in declined:
            # the ladder stops, but the plan keeps saying why this open visit is not chased
            plan.append(PlannedStep(visit.visit_id, visit.patient_id, visit.timepoint, reached.code, reached.channel,
                                    reached.day, days_open, "declined"))
            continue
        if reached.code in made.get(visit.visit_id, ()):
            continue
        again = (not_before or {}).get((visit.visit_id, reached.code))
        if again is not None and again > day:
            continue
        skipped = _skip(reached, contacts.get(visit.patient_id), visit.patient_id in declined)
        plan.append(PlannedStep(visit.visit_id, visit.patient_id, visit.timepoint, reached.code, reached.channel,
                                reached.day, days_open, skipped))
    return plan
