"""Variable names and meanings shared by every export: one source for columns and dictionaries.

Names follow the strictest consumer, REDCap: lowercase, start with a letter, letters, digits and
underscores, at most 26 characters, unique across the project. Statistics packages (R, SPSS, Stata,
SAS) accept the same names. Item variables keep the DESIGN.md item code, prefixed with the
instrument id unless the code already starts with it (``odi1``, ``sf12_gh1``, ``nrs_lumbar``); score
variables are ``<instrument>_<score>`` (``sf12_pcs``), ``<instrument>_score`` when the score is named
after its instrument (``odi_score``), and get a ``_score`` suffix where they would collide with an
item (``nrs_lumbar_score``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sijpro.analysis.completeness import COLUMN
from sijpro.analysis.thresholds import library
from sijpro.instruments import Instrument, Item, ScoreSpec
from sijpro.protocol import Protocol
from sijpro.records import NO_INTERVENTION

VariableType = Literal["text", "integer", "number", "date", "code", "codes", "yesno"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 26

Codes = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: VariableType
    codes: Codes = ()
    """For ``code`` (one of) and ``codes`` (';'-separated list of) variables: (code, English label)."""
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    note: str = ""
    identifying: bool = False
    """True for what identifies a person (MRN, names, birth date, calendar dates)."""
    decimals: int | None = None
    """For scores: the places every export writes them with (the instrument's stated precision)."""

    def codes_text(self) -> str:
        return "; ".join(f"{code} = {label}" for code, label in self.codes)


SEX_CODES: Codes = (("F", "Female"), ("M", "Male"), ("X", "Other or not stated"))
ANALYSIS_SEX_CODES: Codes = (("female", "Female"), ("male", "Male"), ("other", "Other or not stated"))
"""Sex in the analysis files: R reads a column holding only 'F' as the logical FALSE, never a word."""
ANALYSIS_SEX = dict(zip((code for code, _ in SEX_CODES), (code for code, _ in ANALYSIS_SEX_CODES), strict=True))

NOT_ADMINISTERED, SKIPPED, UNKNOWN = "NASK", "ASKU", "UNK"
MISSING_CODES: Codes = (
    (NOT_ADMINISTERED, "not administered: the questionnaire was not given at this timepoint"),
    (SKIPPED, "skipped: the questionnaire was given but this item was left blank (or the score cannot be "
              "computed from the items answered)"),
    (UNKNOWN, "unknown: not recorded"),
)
"""Why a cell of an analysis file is empty, told apart with HL7's null-flavor codes (NASK not asked, ASKU
asked but unknown, UNK unknown), as REDCap's missing-data codes do; every reader is told they are missing
(datapackage.json, the data dictionary, SPSS and Stata user-missing values)."""
LANGUAGE_CODES: Codes = (("en", "English"), ("fr", "French"))
SIDE_CODES: Codes = (("left", "Left"), ("right", "Right"), ("bilateral", "Bilateral"))
APPROACH_CODES: Codes = (("lateral", "Lateral transiliac"), ("posterior", "Posterior"))
YES_NO_CODES: Codes = (("1", "Yes"), ("0", "No"))
INTERVENTION_CODES: Codes = (
    ("SCS", "Spinal cord stimulator"),
    ("ISS", "Interspinous spacer"),
    ("IDDS", "Intrathecal drug delivery system"),
    ("MILD", "Minimally invasive lumbar decompression"),
    ("RFA", "Radiofrequency ablation"),
    ("INJ", "Injections"),
)


def item_variable(instrument: Instrument, item: Item) -> str:
    code = item.code.lower()
    return code if code.startswith(instrument.id) else f"{instrument.id}_{code}"


def score_variable(instrument: Instrument, score: ScoreSpec) -> str:
    if score.name == instrument.id:
        return f"{instrument.id}_score"
    name = f"{instrument.id}_{score.name}"
    items = {item_variable(instrument, item) for item in instrument.items}
    return f"{name}_score" if name in items else name


def item_label(item: Item, language: str = "en") -> str:
    """The heading when the item has one (ODI sections), else the question on one line."""
    text = item.heading[language] if item.heading else item.text[language]
    return " ".join(text.split())


def item_codes(item: Item) -> Codes:
    return tuple((str(option.value), " ".join(option.text["en"].split())) for option in item.options)


def item_variables(instrument: Instrument) -> tuple[Variable, ...]:
    made = []
    for item in instrument.items:
        name, label = item_variable(instrument, item), item_label(item)
        note = f"{instrument.id} item {item.code}" + (" (may be skipped)" if item.optional else "")
        if item.kind == "choice":
            made.append(Variable(name, label, "code", item_codes(item), note=note))
        else:
            made.append(Variable(name, label, "integer", minimum=item.minimum, maximum=item.maximum,
                                 unit=item.unit["en"] if item.unit else "", note=note))
    return tuple(made)


def score_variables(instrument: Instrument, versions: dict[str, str] | None = None) -> tuple[Variable, ...]:
    version = (versions or {}).get(instrument.id)
    made = []
    for spec in instrument.scores:
        places = "whole number" if spec.decimals == 0 else f"{spec.decimals} decimal{'s' * (spec.decimals > 1)}"
        note = f"score {instrument.id}.{spec.name}, {places}, {spec.better} is better"
        mcid = library().default(f"{instrument.id}.{spec.name}", "mcid")
        if mcid is not None:
            note += f", MCID {mcid.text()}"
        if spec.bands:
            note += ", bands " + ", ".join(f"<= {band.upper:g} {band.code}" for band in spec.bands)
        if version:
            note += f"; scoring {version}"
        made.append(Variable(score_variable(instrument, spec), spec.label["en"], "number",
                             minimum=spec.minimum, maximum=spec.maximum, note=note, decimals=spec.decimals))
    return tuple(made)


def naming_problems(names: list[str]) -> list[str]:
    """Every way a list of variable names breaks the REDCap rules; empty when they are all fine."""
    problems = []
    seen: set[str] = set()
    for name in names:
        if not NAME_PATTERN.match(name):
            problems.append(f"{name!r}: lowercase letters, digits and underscores, starting with a letter")
        if len(name) > MAX_NAME_LENGTH:
            problems.append(f"{name!r}: longer than {MAX_NAME_LENGTH} characters")
        if name in seen:
            problems.append(f"{name!r}: used twice")
        seen.add(name)
    return problems


def subject_variables(identified: bool, *, analysis: bool = False) -> tuple[Variable, ...]:
    """Who the patient is and the baseline covariates, in the column order of the import format.

    De-identified: a study ID instead of MRN and names, the age at the index surgery instead of the
    birth date, and no surgery date (every other date is counted from it). ``analysis``: sex as words
    (``female``), for the files statistics packages read.
    """
    if identified:
        head: tuple[Variable, ...] = (
            Variable("mrn", "Medical record number", "text", identifying=True),
            Variable("family_name", "Family name", "text", identifying=True),
            Variable("given_name", "Given name", "text", identifying=True),
            Variable("birth_date", "Date of birth", "date", identifying=True),
        )
    else:
        head = (
            Variable("study_id", "Study ID", "text",
                     note="pseudonym valid within this export only; not derivable from the MRN"),
            Variable("age_at_surgery", "Age at index surgery", "integer", minimum=0, maximum=120, unit="years",
                     note="whole years; 90 means 90 or older"),
        )
    middle = (
        Variable("sex", "Sex", "code", ANALYSIS_SEX_CODES if analysis else SEX_CODES),
        Variable("language", "Questionnaire language", "code", LANGUAGE_CODES),
        Variable("bmi", "Body mass index", "number", unit="kg/m2"),
        Variable("fbss", "Failed back surgery syndrome", "yesno", YES_NO_CODES),
        Variable("prior_lumbar_surgeries", "Number of prior lumbar surgeries", "integer", minimum=0, maximum=20),
        Variable("prior_lumbosacral_fusion", "Prior lumbosacral fusion", "yesno", YES_NO_CODES),
        Variable("prior_interventions", "Prior interventions", "codes",
                 (*INTERVENTION_CODES, (NO_INTERVENTION, "None of them")),
                 note="';'-separated codes; none = none of them; empty = not known"),
    )
    surgery = (
        (Variable("surgery_date", "Date of index surgery", "date", identifying=True),) if identified else ()
    )
    tail = (
        Variable("side", "Side of index surgery", "code", SIDE_CODES),
        Variable("approach", "Surgical approach", "code", APPROACH_CODES),
        Variable("site", "Centre (site code)", "text", note="empty = no site recorded; with the study ID, "
                 "what keys a patient in a study database pooling several centres"),
    )
    return head + middle + surgery + tail


def record_variables(protocol: Protocol) -> tuple[Variable, ...]:
    """The identified ``patients.csv``'s last columns: the contact details and consent the clinic recorded
    and the visits it cancelled, so that the file imports back whole (never in a de-identified export)."""
    from sijpro.contact import CHANNELS

    return (
        Variable("phone", "Phone number", "text", identifying=True, note="as it was written"),
        Variable("email", "E-mail address", "text", identifying=True),
        Variable("address", "Postal address", "text", identifying=True, note="lines separated by line breaks"),
        Variable("contact_channel", "Preferred contact channel", "code", tuple((code, code) for code in CHANNELS),
                 note="empty = no preference stated; none = asked not to be contacted"),
        Variable("consent", "Consent to be contacted about follow-up", "yesno", YES_NO_CODES,
                 note="empty = not asked"),
        Variable("cancelled_visits", "Visits the clinic cancelled", "codes",
                 tuple((tp.code, tp.label["en"]) for tp in protocol.timepoints),
                 note="';'-separated timepoints, in protocol order; empty = none"),
    )


VISIT_COLUMNS: tuple[str, ...] = (*dict.fromkeys(column for column in COLUMN.values() if column), "cancelled")
"""The states a de-identified ``patients.csv`` gives each visit: the columns of the completeness table
(``sijpro.analysis.completeness``), and cancelled."""


def visits_variable(protocol: Protocol) -> Variable:
    """The de-identified patients file's visit states on the day of the export: what a study database
    counts follow-up completeness from, without a single date."""
    return Variable("visits", "State of each visit on the day of the export", "text",
                    note=f"timepoint=state, ';'-separated, in protocol order ({', '.join(protocol.codes)}); "
                         f"states: {', '.join(VISIT_COLUMNS)} (pending = due or overdue, not yet collected)")


def complication_variables(identified: bool) -> tuple[Variable, ...]:
    """The columns of ``complications.csv``, one complication or reoperation per line. Identified, the
    import format (``mrn, occurred_on, kind, side, revision, notes``); de-identified, the study ID and
    site, days from the index surgery and no notes (free text may name someone)."""
    from sijpro.records import COMPLICATION_KINDS
    from sijpro.reports.texts import Words

    words = Words("en")
    who = subject_variables(identified)
    when = (Variable("occurred_on", "Date of the complication", "date", identifying=True),) if identified else (
        Variable("days_from_surgery", "Days from the index surgery to the complication", "integer", minimum=0),)
    notes = (Variable("notes", "Notes", "text", identifying=True, note="required when the kind is other"),) \
        if identified else ()
    return (
        who[0], *(() if identified else (who[-1],)), *when,
        Variable("kind", "Complication", "code", tuple((kind, words(f"complication.{kind}"))
                                                       for kind in COMPLICATION_KINDS)),
        Variable("side", "Side", "code", SIDE_CODES, note="empty = not stated"),
        Variable("revision", "Reoperation (revision, removal or repositioning of the implant)", "yesno",
                 YES_NO_CODES),
        *notes,
    )
