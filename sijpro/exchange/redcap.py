"""REDCap export: a longitudinal project definition and the data to import into it.

The folder holds what a REDCap administrator uploads, in this order: the data dictionary (Designer),
the arms and events (Define My Events), the instrument-event mapping (Designate Instruments), then
the data (Data Import Tool). One form per instrument plus a ``patient`` form at baseline; one event
per protocol timepoint (``baseline_arm_1``, ``w6_arm_1``...). Scores are calculated fields that
reproduce our scoring rules (see ``redcap_calc``), so they are not in the import file: REDCap
computes them on import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sijpro.errors import InputErrors
from sijpro.exchange.csv_files import format_number
from sijpro.exchange.output import export_directory
from sijpro.exchange.redcap_calc import calculation, reproducible
from sijpro.exchange.subjects import ExportSet, Subject, SubjectQuestionnaire, instrument_order
from sijpro.exchange.variables import (
    Variable,
    item_variables,
    score_variable,
    score_variables,
    subject_variables,
)
from sijpro.instruments import Instrument, get_instrument
from sijpro.progress import Progress, no_progress
from sijpro.protocol import Protocol
from sijpro.records import NO_INTERVENTION, PRIOR_INTERVENTIONS
from sijpro.scoring import scorer_for

DICTIONARY_HEADER = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation",
)
PATIENT_FORM = "patient"
ARM = 1
COMPLETE = "2"

FILES = {
    "dictionary": "redcap_data_dictionary.csv",
    "arms": "redcap_arms.csv",
    "events": "redcap_events.csv",
    "mapping": "redcap_instrument_event_mapping.csv",
    "data": "redcap_import.csv",
    "readme": "README.txt",
}


@dataclass(frozen=True)
class Field:
    """One row of the data dictionary."""

    name: str
    form: str
    type: str
    label: str
    choices: str = ""
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    identifier: bool = False
    required: bool = False
    section: str = ""
    annotation: str = ""

    def row(self) -> list[str]:
        return [
            self.name, self.form, self.section, self.type, self.label, self.choices, self.note,
            self.validation, self.minimum, self.maximum, "y" if self.identifier else "", "",
            "y" if self.required else "", "", "", "", "", self.annotation,
        ]

    def import_columns(self) -> list[str]:
        """Columns this field takes in an import file: none for a calc, one per choice for a checkbox."""
        if self.type == "calc":
            return []
        if self.type == "checkbox":
            return [f"{self.name}___{code}" for code in choice_codes(self.choices)]
        return [self.name]


NONE_CODE, UNKNOWN_CODE = NO_INTERVENTION, "unknown"
EXTRA_CHOICES = (f"{UNKNOWN_CODE}, Not known",)
"""The choice every checkbox field adds: REDCap stores a checkbox as 0/1 per choice, so all zeros would say
'none of them' (a choice of its own, 'none') even for a patient nobody asked."""


def choice_codes(choices: str) -> list[str]:
    return [part.split(",", 1)[0].strip() for part in choices.split("|") if part.strip()]


EVENT_NAME_LENGTH = 18
"""REDCap keeps this many characters of an event's name in its unique name ('deadline_to_opt_ou_arm_2')."""


def event_name(timepoint: str, arm: int = ARM) -> str:
    """The unique event name REDCap generates for an event named ``timepoint``: lowercased, each character
    that is not a letter or digit as '_', cut to 18 characters, then the arm ('m12' -> 'm12_arm_1')."""
    return re.sub(r"[^a-z0-9]", "_", timepoint.lower())[:EVENT_NAME_LENGTH] + f"_arm_{arm}"


def event_name_problems(protocol: Protocol) -> list[str]:
    """Timepoints whose generated event names would collide (REDCap would then suffix one of them, and
    the mapping and import files would name the wrong event)."""
    seen: dict[str, str] = {}
    problems = []
    for code in protocol.codes:
        name = event_name(code)
        if name in seen:
            problems.append(f"timepoints {seen[name]!r} and {code!r} both become REDCap event {name!r}: "
                            f"give them codes that differ in their first {EVENT_NAME_LENGTH} characters")
        seen.setdefault(name, code)
    return problems


def _choices(variable: Variable, *, lowercase: bool = False) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "/")
    return " | ".join(f"{code.lower() if lowercase else code}, {clean(label)}" for code, label in variable.codes)


def _bound(value: float | None) -> str:
    return "" if value is None else format_number(value)


def field_for(variable: Variable, form: str, *, required: bool = False, section: str = "") -> Field:
    """A data-entry field for a variable, with REDCap's type and validation."""
    field = functools.partial(Field, name=variable.name, form=form, label=variable.label,
                              identifier=variable.identifying, required=required, section=section,
                              note=variable.unit)
    if variable.type == "code":
        return field(type="radio", choices=_choices(variable))
    if variable.type == "codes":  # a checkbox cannot be blank: 'none' and 'unknown' say which is meant
        return field(type="checkbox", choices=" | ".join((_choices(variable, lowercase=True), *EXTRA_CHOICES)))
    if variable.type == "yesno":
        return field(type="yesno")
    validation = {"integer": "integer", "number": "number", "date": "date_ymd"}.get(variable.type, "")
    return field(type="text", validation=validation, minimum=_bound(variable.minimum),
                 maximum=_bound(variable.maximum))


def patient_fields(identified: bool) -> list[Field]:
    """record_id is never the MRN (REDCap shows record IDs everywhere, in logs and URLs): identified, it is
    the patient's number in SIJ-PRO and the MRN is an identifier field of its own."""
    first, *rest = subject_variables(identified)
    if identified:
        record_id = Field("record_id", PATIENT_FORM, "text", "Record ID", validation="integer",
                          note="SIJ-PRO patient number; not an identifier")
        return [record_id, field_for(first, PATIENT_FORM), *(field_for(variable, PATIENT_FORM) for variable in rest)]
    record_id = Field("record_id", PATIENT_FORM, "text", first.label, note="study ID; not derivable from the MRN")
    return [record_id, *(field_for(variable, PATIENT_FORM) for variable in rest)]


def date_field(instrument: Instrument, identified: bool) -> Field:
    if identified:
        return Field(f"{instrument.id}_date", instrument.id, "text", "Date completed", validation="date_ymd",
                     identifier=True, section=instrument.title["en"])
    return Field(f"{instrument.id}_day", instrument.id, "text", "Days from index surgery to completion",
                 validation="integer", section=instrument.title["en"], note="negative before surgery")


def instrument_fields(instrument: Instrument, protocol: Protocol, identified: bool) -> list[Field]:
    fields = [date_field(instrument, identified)]
    names = {}
    for item, variable in zip(instrument.items, item_variables(instrument), strict=True):
        names[item.code] = variable.name
        fields.append(field_for(variable, instrument.id, required=not item.optional))
    version = scorer_for(instrument.id).SCORING_VERSION
    options = protocol.scoring_options(instrument.id)
    for spec, variable in zip(instrument.scores, score_variables(instrument), strict=True):
        expression = calculation(instrument.id, spec.name, names, options, spec.decimals)
        annotation = f"SIJ-PRO score {instrument.id}.{spec.name} ({version})"
        if expression is None:
            validation = f"number_{spec.decimals}dp" if spec.decimals else "integer"
            fields.append(Field(variable.name, instrument.id, "text", variable.label, validation=validation,
                                note="computed by SIJ-PRO; REDCap cannot reproduce this score",
                                annotation=f"@READONLY {annotation}"))
        else:
            fields.append(Field(variable.name, instrument.id, "calc", variable.label, choices=expression,
                                annotation=annotation))
    return fields


def project_fields(protocol: Protocol, identified: bool) -> list[Field]:
    fields = patient_fields(identified)
    for instrument_id in instrument_order(protocol):
        fields.extend(instrument_fields(get_instrument(instrument_id), protocol, identified))
    return fields


def forms(protocol: Protocol) -> list[str]:
    return [PATIENT_FORM, *instrument_order(protocol)]


def events(protocol: Protocol) -> list[list[str]]:
    """event_name, arm_num, day_offset, offset_min, offset_max, unique_event_name, custom_event_label.

    unique_event_name is left empty: the events do not exist yet, and REDCap generates it (``event_name``
    gives what it generates, which the mapping and import files use)."""
    rows = []
    for timepoint in protocol.timepoints:
        days = round(timepoint.nominal_months() * 365.25 / 12)
        rows.append([timepoint.code, str(ARM), str(days), str(timepoint.window_before_days),
                     str(timepoint.window_after_days), "", timepoint.label["en"]])
    return rows


def instrument_event_mapping(protocol: Protocol) -> list[list[str]]:
    rows = [[str(ARM), event_name(protocol.timepoints[0].code), PATIENT_FORM]]
    order = instrument_order(protocol)
    for timepoint in protocol.timepoints:
        for instrument in sorted(timepoint.instruments, key=order.index):
            rows.append([str(ARM), event_name(timepoint.code), instrument])
    return rows


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _patient_values(subject: Subject) -> dict[str, str]:
    values = {
        "record_id": subject.record_number,
        "sex": subject.sex or "",
        "language": subject.language,
        "bmi": format_number(subject.bmi),
        "fbss": _yes_no(subject.fbss),
        "prior_lumbar_surgeries": format_number(subject.prior_lumbar_surgeries),
        "prior_lumbosacral_fusion": _yes_no(subject.prior_lumbosacral_fusion),
        "side": subject.side or "",
        "approach": subject.approach or "",
        "site": subject.site,
        f"{PATIENT_FORM}_complete": COMPLETE,
    }
    given = subject.prior_interventions
    for code in PRIOR_INTERVENTIONS:
        values[f"prior_interventions___{code.lower()}"] = "1" if given and code in given else "0"
    values[f"prior_interventions___{NONE_CODE}"] = "1" if given == () else "0"
    values[f"prior_interventions___{UNKNOWN_CODE}"] = "1" if given is None else "0"
    identity = subject.identity
    if identity is None:
        values["age_at_surgery"] = format_number(subject.age_at_surgery)
    else:
        values.update({
            "mrn": identity.mrn,
            "family_name": identity.family_name, "given_name": identity.given_name,
            "birth_date": identity.birth_date.isoformat() if identity.birth_date else "",
            "surgery_date": identity.surgery_date.isoformat() if identity.surgery_date else "",
        })
    return values


def _questionnaire_values(questionnaire: SubjectQuestionnaire, instrument: Instrument) -> dict[str, str]:
    values: dict[str, str] = {}
    if questionnaire.completed_on is not None:
        values[f"{instrument.id}_date"] = questionnaire.completed_on.isoformat()
    else:
        values[f"{instrument.id}_day"] = format_number(questionnaire.day)
    for item, variable in zip(instrument.items, item_variables(instrument), strict=True):
        values[variable.name] = format_number(questionnaire.answers.get(item.code))
    for spec in instrument.scores:
        if not reproducible(instrument.id, spec.name):
            values[score_variable(instrument, spec)] = spec.text(questionnaire.score(spec.name))
    values[f"{instrument.id}_complete"] = COMPLETE
    return values


def import_header(fields: Sequence[Field]) -> list[str]:
    header = ["record_id", "redcap_event_name"]
    by_form: dict[str, list[str]] = {}
    for field in fields:
        if field.name != "record_id":
            by_form.setdefault(field.form, []).extend(field.import_columns())
    for form, columns in by_form.items():
        header.extend([*columns, f"{form}_complete"])
    return header


def record_order(record: str) -> tuple[int, int | str]:
    return (0, int(record)) if record.isdigit() else (1, record)


def import_rows(subjects: Sequence[Subject], protocol: Protocol, header: Sequence[str],
                progress: Progress = no_progress) -> list[list[str]]:
    """One row per subject and event with data, the patient form on the first event; sorted by record (in
    the order REDCap lists them: numbers as numbers) and events in protocol order."""
    first_event = protocol.timepoints[0].code
    rows = []
    ordered = sorted(subjects, key=lambda subject: record_order(subject.record_number))
    for done, subject in enumerate(ordered, start=1):
        by_event: dict[str, dict[str, str]] = {first_event: _patient_values(subject)}
        for questionnaire in subject.questionnaires:
            if questionnaire.timepoint not in protocol.codes:
                continue
            values = by_event.setdefault(questionnaire.timepoint, {})
            values.update(_questionnaire_values(questionnaire, get_instrument(questionnaire.instrument)))
        for timepoint in protocol.codes:
            if timepoint in by_event:
                values = by_event[timepoint] | {"record_id": subject.record_number,
                                                "redcap_event_name": event_name(timepoint)}
                rows.append([values.get(column, "") for column in header])
        progress(done, len(subjects))
    return rows


README = """SIJ-PRO export for REDCap ({mode})

Build the project, then import the data, in this order:
1. Project Setup: enable "longitudinal data collection with defined events".
2. Designer > Data Dictionary > upload {dictionary}
3. Define My Events > Upload arms ({arms}) then events ({events}).
4. Designate Instruments for My Events > Upload {mapping}
5. Data Import Tool > upload {data} (records in rows, dates Y-M-D).
Scores are calculated fields; REDCap computes them from the answers (run Data Quality rule H
if a record shows none).
"""


def write_redcap_export(export: ExportSet, directory: Path, progress: Progress = no_progress) -> list[str]:
    """Write the REDCap files into ``directory``; returns their names."""
    protocol, identified = export.protocol, export.identified
    problems = event_name_problems(protocol)
    if problems:
        raise InputErrors(problems)
    fields = project_fields(protocol, identified)
    header = import_header(fields)
    rows = import_rows(export.subjects, protocol, header, progress)
    with export_directory(directory) as out:
        out.write_csv(FILES["dictionary"], DICTIONARY_HEADER, (field.row() for field in fields))
        out.write_csv(FILES["arms"], ["arm_num", "name"], [[str(ARM), "Arm 1"]])
        out.write_csv(FILES["events"], ["event_name", "arm_num", "day_offset", "offset_min", "offset_max",
                                        "unique_event_name", "custom_event_label"], events(protocol))
        out.write_csv(FILES["mapping"], ["arm_num", "unique_event_name", "form"], instrument_event_mapping(protocol))
        out.write_csv(FILES["data"], header, rows)
        out.write_text(FILES["readme"], README.format(
            mode="identified" if identified else "de-identified", **FILES))
        return list(out.names)
