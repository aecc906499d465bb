"""What is wrong with a value, as data: which field, which rule, with which values.

The core's checks return ``Problem(field, code, params)`` rather than a sentence, so each front end words
it: the CLI in English (``english``, the words below, naming the field as "field 'name': ..."), the
desktop in the user's language by its code (``ui.staff.form.problem_words``, the catalogue's
``staff.problem.<code>``), at the field it names. A test checks that every code has words in every
language the desktop ships.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Final


@dataclasses.dataclass(frozen=True)
class Problem:
    field: str | None
    """The field (a form's, a column's) the problem is about; None when it is about no one field."""
    code: str
    """Which rule: a key of ``WORDS``."""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    """The values the words quote, already as text (a date in ISO form, a number as typed)."""

    def __post_init__(self) -> None:
        if self.code not in WORDS:
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def text(self) -> str:
        """The English words, without the field."""
        words, _named = WORDS[self.code]
        return words.format(**self.params)

    def __str__(self) -> str:
        return english(self)


def english(problem: Problem) -> str:
    """The problem as the CLI says it: ``field 'bmi': 95 is not a BMI between 10 and 90``."""
    _words, named = WORDS[problem.code]
    if problem.field is None or not named:
        return problem.text
    return f"field '{problem.field}': {problem.text}"


WORDS: Final[dict[str, tuple[str, bool]]] = {
    # code: (English words, named: said after "field 'name': ")
    "required": ("required", True),
    "not_one_of": ("{value} is not one of {allowed}", True),
    "expected_yes_no": ("expected yes/no, found {value}", True),
    "expected_yes_or_no": ("expected yes or no, found {value}", True),
    "expected_text": ("expected text, found {value}", True),
    "expected_date": ("expected a date, found {value}", True),
    "too_long": ("longer than {limit} characters", True),
    "at_most": ("at most {limit} characters", True),
    "mrn_characters": ("{bad} not allowed (letters, digits, '-', '_', '.' and '/' only)", True),
    "mrn_formula": ("may not start with '-' (a spreadsheet would read it as a formula)", True),
    "birth_date": ("{day} is not a plausible birth date", True),
    "bmi_range": ("{value} is not a BMI between {low} and {high}", True),
    "site_length": ("a site code has at most {limit} characters", True),
    "site_code": ("{value} is not a site code (letters, digits, '-', '_' and '.', starting with a letter or digit)",
                  True),
    "site_text": ("a site code is text", True),
    "count_range": ("{value} is not a count between 0 and {high}", True),
    "unknown_interventions": ("unknown {codes} (known: {known})", True),
    "staged_needs_bilateral": ("a staged second side needs side 'bilateral'", True),
    "second_side_after": ("must be after the surgery date", True),
    "future_date": ("{day} is in the future", True),
    "no_surgery_yet": ("the patient has no surgery recorded; record the procedure first", True),
    "before_surgery": ("{day} is before the surgery on {surgery}", True),
    "other_needs_notes": ("say what the complication was when its kind is 'other'", True),
    "username_rule": ("use 2 to 64 lower-case letters, digits, '.', '_' or '-'", True),
    "password_length": ("use at least {count} characters", True),
    "password_kinds": ("mix at least two kinds of characters: letters, digits, spaces or symbols", True),
    "password_username": ("do not put the username in the password", True),
    "passwords_differ": ("the two passwords differ", True),
    "phone": ("{value} is not a phone number", True),
    "phone_length": ("a phone number has at most {limit} characters", True),
    "phone_invalid": ("{value} is not a valid phone number{region}", True),
    "phone_country": ("{value}: give the number with its country code (+33 ...), or set the clinic's country in "
                      "its settings", True),
    "email": ("{value} is not an e-mail address (name@example.org)", True),
    "email_length": ("an e-mail address has at most {limit} characters", True),
    "channel_unknown": ("{value} is not a contact channel ({channels})", True),
    "channel_needs": ("the preferred channel is {channel}, so {needed} is needed", True),
    "channel_consent": ("a preferred channel ({channel}) needs the patient's consent to be contacted", True),
    "keep_range": ("{value} is not between 1 and {high}", True),
    "folder_absolute": ("{value} is not an absolute path", True),
    "idle_range": ("{value} is not between {low} and {high}", True),
    "country_code": ("{value} is not a two-letter country code (ISO 3166, e.g. FR, CH, GB)", True),
    "baseline_form_date": ("a baseline form is filled in before the surgery ({surgery})", True),
    "follow_up_form_date": ("a follow-up form is filled in after the surgery ({surgery})", True),
    "no_answer_typed": ("no answer was typed in", True),
    "answer_refused": ("{detail}", True),
    "visit_cancelled": ("the {timepoint} visit was cancelled", False),
    "no_questionnaire": ("no questionnaire was typed in", False),
    "not_collected": ("{instrument} is not collected at {timepoint}", False),
    "already_completed": ("{instrument} at {timepoint} was already completed; correct an answer with amend", False),
    # refusals: whole sentences, each still naming the field it belongs to for the forms
    "reason_required": ("a reason is required to {action}", False),
    "mrn_taken": ("MRN {mrn} is already registered", False),
    "mrn_taken_as": ("MRN {mrn} is already registered (as {held})", False),
    "mrn_taken_other": ("MRN {mrn} is already registered to another patient", False),
    "mrn_taken_other_as": ("MRN {mrn} is already registered to another patient (as {held})", False),
    "username_refused": ("username {username}: use 2 to 64 lower-case letters, digits, '.', '_' or '-'", False),
    "user_exists": ("user {username} already exists", False),
    "role_unknown": ("role {role} is not one of {roles}", False),
    "pin_rule": ("the PIN must be 4 to 8 digits", False),
    "last_admin": ("{refused}: it is the only active admin account (make another admin first)", False),
    "unknown_host": ("cannot reach the database {where}: the server name {host} is not known on this network; "
                     "check the spelling of the server, or ask the clinic's IT", False),
    "unknown_server": ("cannot reach the database {where}: the server's name is not known on this network; check "
                       "the spelling of the server, or ask the clinic's IT", False),
    "call_back_day": ("a call back needs a day after today", True),
    "not_a_call_step": ("{step} is not a phone call of the {timepoint} ladder", True),
    "call_recorded": ("the {step} call of this visit was already recorded (reached, declined or a wrong number): it "
                      "is not made again", False),
    "web_address": ("{value} is not a web address: give the address patients open, for example "
                    "https://prom.example.org", True),
    "web_address_https": ("{value} is plain http: patients' links must use https (http only for this machine, "
                          "http://127.0.0.1)", True),
    "invite_no_birth": ("{mrn} has no birth date recorded: the at-home link asks for it before the first question; "
                        "record it first", False),
    "invite_no_visit": ("{mrn} has no visit open to answering today (due or overdue)", False),
    "withdraw_answered": ("questionnaires were answered on this surgery's schedule ({timepoints}): it cannot be "
                          "withdrawn; correct its date or details instead", False),
}
"""Every code, with its English words (the CLI's). The desktop's words are the catalogue's."""
