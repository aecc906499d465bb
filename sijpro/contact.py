"""A patient's contact details and consent to be contacted: one rule for the form, the import and the core.

Registries lose a quarter of their patients by 12 months unless someone reminds them, so the clinic keeps
how to reach each patient: a phone number (as the nurse typed it, and its international E.164 form worked
out by the ``phonenumbers`` library with the clinic's country for numbers written the national way), an
e-mail address (checked for syntax: the WHATWG form browsers use), a postal address, the channel the
patient prefers and whether they agreed to be contacted at all. These are identified data: they live in
their own table, reach only the roles the capability table lets read them, and never leave in a
de-identified export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

import phonenumbers

from sijpro.problems import Problem

Channel = Literal["email", "post", "phone", "none"]
CHANNELS: tuple[str, ...] = get_args(Channel)
"""``none``: the patient asked not to be contacted; an empty channel means no preference was stated."""
PHONE_LENGTH = 40
EMAIL_LENGTH = 254
ADDRESS_LENGTH = 500
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
"""The WHATWG "valid e-mail address" (what an HTML e-mail field accepts), with a dot in the domain: a
clinic's mail goes out on the internet, never to a bare host name."""
_REGION = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """What a form or an import line gives; the E.164 form is worked out, never typed."""

    phone: str = ""
    email: str = ""
    address: str = ""
    channel: str = ""
    """One of ``CHANNELS``, or empty when the patient stated no preference."""
    consent: bool | None = None
    """Agreed to be contacted about follow-up (None: not asked yet; nobody is contacted without a yes)."""

    @property
    def empty(self) -> bool:
        return self == ContactDraft()


@dataclass(frozen=True, slots=True)
class ContactDetails:
    patient_id: int
    phone: str = ""
    phone_e164: str = ""
    """``+33612345678``: what a dialler or an SMS gateway needs, whatever way the number was written."""
    email: str = ""
    address: str = ""
    channel: str = ""
    consent: bool | None = None
    row_version: int = 0
    """0: nothing recorded yet for this patient."""

    def draft(self) -> ContactDraft:
        return ContactDraft(self.phone, self.email, self.address, self.channel, self.consent)

    def reaches(self, channel: str) -> bool:
        """Whether the details on file allow a contact by ``channel`` (an address for a letter, and so on)."""
        return bool({"email": self.email, "post": self.address, "phone": self.phone_e164}.get(channel))


def region_problem(region: str) -> Problem | None:
    """Why ``region`` cannot be the clinic's country for phone numbers (ISO 3166 alpha-2, e.g. FR)."""
    if not region:
        return None
    if not _REGION.fullmatch(region) or region not in phonenumbers.SUPPORTED_REGIONS:
        return Problem("country", "country_code", {"value": repr(region)})
    return None


def e164(phone: str, region: str = "") -> str:
    """The E.164 form of ``phone`` (written nationally for ``region``, or with its +country code), or
    ValueError saying what is wrong with it."""
    number = _parsed(phone, region)
    if isinstance(number, Problem):
        raise ValueError(number.text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_problem(phone: str, region: str = "") -> Problem | None:
    """What is wrong with ``phone`` as a number of ``region`` (see ``e164``), or None."""
    number = _parsed(phone, region)
    return number if isinstance(number, Problem) else None


def _parsed(phone: str, region: str) -> phonenumbers.PhoneNumber | Problem:
    text = phone.strip()
    if len(text) > PHONE_LENGTH:
        return Problem("phone", "phone_length", {"limit": str(PHONE_LENGTH)})
    if not region and text.startswith("00"):
        text = "+" + text[2:]  # the international prefix of most of the world, when no country is set
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        if not region and not text.startswith(("+", "00")):
            return Problem("phone", "phone_country", {"value": repr(text)})
        return Problem("phone", "phone", {"value": repr(text)})
    if not phonenumbers.is_valid_number(number):
        where = f" in {region}" if region and not text.startswith(("+", "00")) else ""
        return Problem("phone", "phone_invalid", {"value": repr(text), "region": where})
    return number


def email_problem(email: str) -> Problem | None:
    if not email:
        return None
    if len(email) > EMAIL_LENGTH:
        return Problem("email", "email_length", {"limit": str(EMAIL_LENGTH)})
    if not _EMAIL.fullmatch(email):
        return Problem("email", "email", {"value": repr(email)})
    return None


def channel_problem(channel: str) -> Problem | None:
    if channel and channel not in CHANNELS:
        return Problem("channel", "channel_unknown", {"value": repr(channel), "channels": ", ".join(CHANNELS)})
    return None


def normalised_contact(draft: ContactDraft) -> ContactDraft:
    """Surrounding spaces removed from every field, and from every line of the address."""
    address = "\n".join(line.strip() for line in draft.address.strip().splitlines() if line.strip())
    return ContactDraft(draft.phone.strip(), draft.email.strip(), address, draft.channel.strip().lower(),
                        draft.consent)


def contact_details(patient_id: int, draft: ContactDraft, region: str, row_version: int = 1) -> ContactDetails:
    """The details to store for a checked draft (``contact_problems`` found nothing)."""
    draft = normalised_contact(draft)
    return ContactDetails(patient_id, draft.phone, e164(draft.phone, region) if draft.phone else "",
                          draft.email, draft.address, draft.channel, draft.consent, row_version)


def contact_problems(draft: ContactDraft, region: str) -> list[Problem]:
    """Every problem of a draft, each naming its field, as the form shows them."""
    draft = normalised_contact(draft)
    problems: list[Problem] = []
    for problem in (phone_problem(draft.phone, region) if draft.phone else None, email_problem(draft.email),
                    channel_problem(draft.channel)):
        if problem is not None:
            problems.append(problem)
    if len(draft.address) > ADDRESS_LENGTH:
        problems.append(Problem("address", "at_most", {"limit": str(ADDRESS_LENGTH)}))
    needed = {"email": ("email", "an e-mail address"), "post": ("address", "a postal address"),
              "phone": ("phone", "a phone number")}.get(draft.channel)
    if needed is not None and not getattr(draft, needed[0]):
        problems.append(Problem(needed[0], "channel_needs", {"channel": draft.channel, "needed": needed[1]}))
    if draft.consent is not True and draft.channel in ("email", "post", "phone"):
        problems.append(Problem("consent", "channel_consent", {"channel": draft.channel}))
    return problems
