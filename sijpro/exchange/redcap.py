"""REDCap export: a longitudinal project definition and the data to import into it.

The folder holds what a REDCap administrator uploads, in this order: the data dictionary (Designer),
the arms and events (Define My Events), the instrument-event mapping (Designate Instruments), then
the data (Data Import Tool). One form per instrument plus a ``patient`` form at baseline; one event
per protocol timepoint (``baseline_arm_1``, ``w6_arm_1``...). Scores are calculated fields that
reproduce our scoring rules (see ``redcap_calc``), so they are not in the import file: REDCap
computes them on import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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
from sijpro.records import PRIOR_INTERVENTIONS
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


def choice_codes(choices: str) -> list[str]:
    return [part.split(",", 1)[0].strip() for part in choices.split("|") if part.strip()]


def event_name(timepoint: str) -> str:
    """REDCap's unique event name for a timepoint: lowercase, non-alphanumerics as '_', arm suffix."""
    return re.sub(r"[^a-z0-9]+", "_", timepoint.lower()).strip("_") + f"_arm_{ARM}"


def _choices(variable: Variable, *, lowercase: bool = False) -> str:
    def clean(text: str) -> str:
        return text.replace("|", "/")
    return " | ".join(f"{code.lower() if lowercase else code}, {clean(label)}" for code, label in variable.codes)


def _bound(value: float | None) -> str:
    return "" if value is None else format_number(value)


def field_for(variable: Variable, form: str, *, required: bool = False, section: str = "") -> Field:
    """A data-entry field for a variable, with REDCap's type and validation."""
    common = {"name": variable.name, "form": form, "label": variable.label, "identifier": variable.identifying,
              "required": required, "section": section, "note": variable.unit}
    if variable.type == "code":
        return Field(type="radio", choices=_choices(variable), **common)
    if variable.type == "codes":
        return Field(type="checkbox", choices=_choices(variable, lowercase=True), **common)
    if variable.type == "yesno":
        return Field(type="yesno", **common)
    validation = {"integer": "integer", "number": "number", "date": "date_ymd"}.get(variable.type, "")
    return Field(type="text", validation=validation, minimum=_bound(variable.minimum),
                 maximum=_bound(variable.maximum), **common)


def patient_fields(identified: bool) -> list[Field]:
    first, *rest = subject_variables(identified)
    record_id = Field("record_id", PATIENT_FORM, "text", first.label, identifier=identified,
                      note="MRN" if identified else "study ID; not derivable from the MRN")
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
    """event_name, arm_num, day_offset, offset_min, offset_max, unique_event_name, custom_event_label."""
    rows = []
    for timepoint in protocol.timepoints:
        days = round(timepoint.nominal_months() * 365.25 / 12)
        rows.append([timepoint.code, str(ARM), str(days), str(timepoint.window_before_days),
                     str(timepoint.window_after_days), event_name(timepoint.code), timepoint.label["en"]])
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
        "record_id": subject.subject_id,
        "sex": subject.sex or "",
        "language": subject.language,
        "bmi": format_number(subject.bmi),
        "fbss": _yes_no(subject.fbss),
        "prior_lumbar_surgeries": format_number(subject.prior_lumbar_surgeries),
        "prior_lumbosacral_fusion": _yes_no(subject.prior_lumbosacral_fusion),
        "side": subject.side or "",
        "approach": subject.approach or "",
        f"{PATIENT_FORM}_complete": COMPLETE,
    }
    for code in PRIOR_INTERVENTIONS:
        values[f"prior_interventions___{code.lower()}"] = "1" if code in subject.prior_interventions else "0"
    identity = subject.identity
    if identity is None:
        values["age_at_surgery"] = format_number(subject.age_at_surgery)
    else:
        values.update({
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


def import_rows(subjects: Sequence[Subject], protocol: Protocol, header: Sequence[str],
                progress: Progress = no_progress) -> list[list[str]]:
    """One row per subject and event with data; the patient form on the first event."""
    first_event = protocol.timepoints[0].code
    rows = []
    for done, subject in enumerate(subjects, start=1):
        by_event: dict[str, dict[str, str]] = {first_event: _patient_values(subject)}
        for questionnaire in subject.questionnaires:
            if questionnaire.timepoint not in protocol.codes:
                continue
            values = by_event.setdefault(questionnaire.timepoint, {})
            values.update(_questionnaire_values(questionnaire, get_instrument(questionnaire.instrument)))
        for timepoint in protocol.codes:
            if timepoint in by_event:
                values = by_event[timepoint] | {"record_id": subject.subject_id,
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
