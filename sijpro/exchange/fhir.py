"""FHIR R4 export: one Bundle of type ``collection`` for an EHR or a research data warehouse.

It holds a Questionnaire per instrument (linkId = our item code; answer codings whose code is our
value and whose ordinalValue extension is the scored value; LOINC codes, with LOINC's own long
common names, where LOINC has them), a Patient per identified subject, a QuestionnaireResponse per
completed questionnaire and an Observation per score, derived from its response. De-identified, each
Patient carries the study ID only (no name, MRN or date), and instead of dates each response and
observation carries the days from the index surgery in an extension. The Bundle
also carries the CodeSystems of its answer and score codes and the extension's StructureDefinition
(``fhir_terms``), so every canonical URL in it resolves inside it, and every resource has a narrative.

No item is ``required``: paper and imported questionnaires may leave any item blank, and scoring has
a missing-data rule for that, so a completed response with a gap is still a valid response. The
export passes the official R4 JSON schema and the R4 invariants (tests run both).

Resource ids are name-based UUIDs of what they describe, so two exports of the same data use the
same ids. Canonical URLs live under ``CANONICAL_BASE``, a local namespace of this application.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sijpro import __version__
from sijpro.exchange.fhir_terms import (
    CANONICAL_BASE,
    DAYS_FROM_SURGERY,
    EXPORT_TAG_SYSTEM,
    SCORE_SYSTEM,
    answer_system,
    narrative,
    one_line,
    resource_id,
    terminology,
)
from sijpro.exchange.output import export_file
from sijpro.exchange.subjects import ExportSet, Subject, SubjectQuestionnaire, aware, instrument_order
from sijpro.exchange.variables import item_label
from sijpro.instruments import Instrument, Item, ScoreSpec, get_instrument
from sijpro.progress import Progress, no_progress
from sijpro.scoring import scorer_for

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MRN_SYSTEM = f"{CANONICAL_BASE}/identifier/mrn"
STUDY_ID_SYSTEM = f"{CANONICAL_BASE}/identifier/study-id"
SOURCE = f"{CANONICAL_BASE}/software/sijpro/{__version__}"
"""Bundle.meta.source: a uri naming this application and release (R4 types it ``uri``: no spaces)."""

QUESTIONNAIRE_LOINC = {"odi": ("97908-8", "Oswestry Disability Index")}
"""Codes with LOINC's long common names, word for word (loinc.org)."""
ITEM_LOINC = {
    ("nrs", "lumbar"): ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    ("nrs", "radicular"): ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}
SCORE_LOINC = {
    ("odi", "odi"): ("97909-6", "Oswestry disability index score ODI"),
    ("nrs", "lumbar"): ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    ("nrs", "radicular"): ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}
SCORE_BODY_SITE = {("nrs", "lumbar"): "Low back", ("nrs", "radicular"): "Leg"}
SCORE_UNITS = {
    ("odi", "odi"): ("%", "%"),
    ("relief", "percent"): ("%", "%"),
    ("nrs", "lumbar"): ("score", "{score}"),
    ("nrs", "radicular"): ("score", "{score}"),
    ("sf12", "pcs"): ("score", "{score}"),
    ("sf12", "mcs"): ("score", "{score}"),
}
"""Scores reported as a Quantity: (unit shown, UCUM code). The others are plain integers or booleans."""
BOOLEAN_SCORES = {("satisfaction", "satisfied")}
GENDER = {"F": "female", "M": "male", "X": "other"}
SURVEY_CATEGORY = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey", "display": "Survey"}],
}


def full_url(resource: dict[str, Any]) -> str:
    return f"urn:uuid:{resource['id']}"


def questionnaire_url(instrument: Instrument) -> str:
    return f"{CANONICAL_BASE}/Questionnaire/{instrument.id}"


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def questionnaire_item(instrument: Instrument, item: Item) -> dict[str, Any]:
    made: dict[str, Any] = {"linkId": item.code, "text": one_line(item.text["en"])}
    if item.heading:
        made["prefix"] = item_label(item)
    loinc = ITEM_LOINC.get((instrument.id, item.code))
    if loinc:
        made["code"] = [_coding(LOINC, *loinc)]
    if item.kind == "choice":
        made["type"] = "choice"
        made["answerOption"] = [
            {
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.value}],
                "valueCoding": _coding(answer_system(instrument, item), str(option.value),
                                       one_line(option.text["en"])),
            }
            for option in item.options
        ]
    else:
        made["type"] = "integer"
        made["extension"] = [{"url": MIN_VALUE, "valueInteger": item.minimum},
                             {"url": MAX_VALUE, "valueInteger": item.maximum}]
    return made


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    made: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id("Questionnaire", instrument.id, instrument.version),
        "text": narrative(instrument.title["en"], [("Version", instrument.version)],
                          [(item.code, item_label(item)) for item in instrument.items], ("Item", "Question")),
        "url": questionnaire_url(instrument),
        "version": instrument.version,
        "name": "".join(part.capitalize() for part in instrument.id.split("_")),
        "title": instrument.title["en"],
        "status": "active",
        "subjectType": ["Patient"],
        "description": one_line(instrument.instructions["en"]),
        "copyright": instrument.licence["en"],
    }
    loinc = QUESTIONNAIRE_LOINC.get(instrument.id)
    if loinc:
        made["code"] = [_coding(LOINC, *loinc)]
    made["item"] = [questionnaire_item(instrument, item) for item in instrument.items]
    return made


def patient(subject: Subject) -> dict[str, Any]:
    identity = subject.identity
    assert identity is not None
    shown = " ".join(part for part in (identity.given_name, identity.family_name) if part) or "(no name recorded)"
    made: dict[str, Any] = {
        "resourceType": "Patient",
        "id": resource_id("Patient", identity.mrn),
        "text": narrative(shown, [("MRN", identity.mrn), ("Sex", GENDER.get(subject.sex or "", "")),
                                  ("Born", identity.birth_date.isoformat() if identity.birth_date else "")]),
        "identifier": [{
            "use": "usual",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR",
                                 "display": "Medical record number"}]},
            "system": MRN_SYSTEM, "value": identity.mrn,
        }],
    }
    name: dict[str, Any] = {"use": "official"}
    if identity.family_name:  # FHIR strings may not be empty: an unknown part is left out
        name["family"] = identity.family_name
    if identity.given_name:
        name["given"] = [identity.given_name]
    if len(name) > 1:
        made["name"] = [name]
    if subject.sex:
        made["gender"] = GENDER[subject.sex]
    if identity.birth_date:
        made["birthDate"] = identity.birth_date.isoformat()
    made["communication"] = [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": subject.language}]},
                              "preferred": True}]
    return made


def pseudonymous_patient(subject: Subject) -> dict[str, Any]:
    """A de-identified subject: the study ID and nothing that identifies a person (no name, date or MRN),
    so that responses and observations still refer to a resource in the Bundle (R4 ref-1)."""
    made: dict[str, Any] = {
        "resourceType": "Patient",
        "id": resource_id("Patient", "study-id", subject.subject_id),
        "text": narrative(f"Study subject {subject.subject_id}", [("Sex", GENDER.get(subject.sex or "", ""))]),
        "identifier": [{"use": "secondary", "system": STUDY_ID_SYSTEM, "value": subject.subject_id}],
    }
    if subject.sex:
        made["gender"] = GENDER[subject.sex]
    return made


def _subject_reference(subject: Subject, patient_resource: dict[str, Any]) -> dict[str, Any]:
    return {"reference": full_url(patient_resource), "display": subject.subject_id}


def _instant(moment: dt.datetime) -> str:
    """FHIR dateTime with a time needs a zone: naive times are UTC, as the database stores them."""
    return aware(moment).isoformat(timespec="seconds")


def _days_extension(questionnaire: SubjectQuestionnaire) -> list[dict[str, Any]]:
    return [] if questionnaire.day is None else [{"url": DAYS_FROM_SURGERY, "valueInteger": questionnaire.day}]


def questionnaire_response(subject: Subject, item: SubjectQuestionnaire, subject_ref: dict[str, Any],
                           instrument: Instrument) -> dict[str, Any]:
    made: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id("QuestionnaireResponse", subject.subject_id, item.timepoint, item.instrument),
    }
    extension = _days_extension(item)
    if extension and subject.identity is None:
        made["extension"] = extension
    made["identifier"] = {"system": f"{CANONICAL_BASE}/identifier/questionnaire-response",
                          "value": f"{subject.subject_id}/{item.timepoint}/{item.instrument}"}
    made["questionnaire"] = f"{questionnaire_url(instrument)}|{instrument.version}"
    made["status"] = "amended" if item.status == "amended" else "completed"
    made["subject"] = subject_ref
    if item.completed_at is not None:
        made["authored"] = _instant(item.completed_at)
    made["source"] = subject_ref
    answers, shown = [], []
    for question in instrument.items:
        value = item.answers.get(question.code)
        shown.append((question.code, "(not answered)" if value is None else question.option_text(value, "en")))
        if value is None:
            continue
        if question.kind == "choice":
            answer: dict[str, Any] = {"valueCoding": _coding(
                answer_system(instrument, question), str(value), question.option_text(value, "en"))}
        else:
            answer = {"valueInteger": value}
        answers.append({"linkId": question.code, "answer": [answer]})
    made["item"] = answers
    made["text"] = narrative(f"{instrument.title['en']}, timepoint {item.timepoint}",
                             [*_when_facts(subject, item), ("Status", made["status"])], shown, ("Item", "Answer"))
    return made


def _when_facts(subject: Subject, item: SubjectQuestionnaire) -> list[tuple[str, str]]:
    """Who and when, for a narrative: the MRN and date, or the study ID and days from surgery."""
    facts = [("Patient" if subject.identity is not None else "Study ID", subject.subject_id)]
    if item.completed_at is not None:
        facts.append(("Completed", _instant(item.completed_at)))
    elif item.day is not None:
        facts.append(("Days from index surgery", str(item.day)))
    return facts


def _score_value(instrument_id: str, spec: ScoreSpec, value: float) -> dict[str, Any]:
    """The score at its stated precision: 77.8, never 77.77777777777777."""
    if (instrument_id, spec.name) in BOOLEAN_SCORES:
        return {"valueBoolean": value >= 1}
    rounded = spec.rounded(value)
    unit = SCORE_UNITS.get((instrument_id, spec.name))
    if unit is None:
        return {"valueInteger": int(rounded)}
    number = int(rounded) if spec.decimals == 0 else float(rounded)
    return {"valueQuantity": {"value": number, "unit": unit[0], "system": UCUM, "code": unit[1]}}


def score_observations(subject: Subject, item: SubjectQuestionnaire, subject_ref: dict[str, Any],
                       response: dict[str, Any], instrument: Instrument) -> list[dict[str, Any]]:
    version = next((score.version for score in item.scores), scorer_for(instrument.id).SCORING_VERSION)
    made = []
    for spec in instrument.scores:
        value = item.score(spec.name)
        if value is None:
            continue
        codings = [_coding(SCORE_SYSTEM, f"{instrument.id}.{spec.name}", spec.label["en"])]
        loinc = SCORE_LOINC.get((instrument.id, spec.name))
        if loinc:
            codings.insert(0, _coding(LOINC, *loinc))
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("Observation", subject.subject_id, item.timepoint, instrument.id, spec.name),
        }
        extension = _days_extension(item)
        if extension and subject.identity is None:
            observation["extension"] = extension
        observation.update({
            "status": "amended" if item.status == "amended" else "final",
            "category": [SURVEY_CATEGORY],
            "code": {"coding": codings, "text": spec.label["en"]},
            "subject": subject_ref,
        })
        if item.completed_at is not None:
            observation["effectiveDateTime"] = _instant(item.completed_at)
        observation.update(_score_value(instrument.id, spec, value))
        percent = SCORE_UNITS.get((instrument.id, spec.name), ("", ""))[0] == "%"
        shown = (("yes" if value >= 1 else "no") if (instrument.id, spec.name) in BOOLEAN_SCORES
                 else spec.text(value) + (" %" if percent else ""))
        observation["text"] = narrative(f"{spec.label['en']}: {shown}",
                                        [*_when_facts(subject, item), ("Timepoint", item.timepoint)])
        observation["note"] = [{"text": f"Timepoint {item.timepoint}; scoring {version}"}]
        site = SCORE_BODY_SITE.get((instrument.id, spec.name))
        if site:
            observation["bodySite"] = {"text": site}
        observation["derivedFrom"] = [{"reference": full_url(response)}]
        made.append(observation)
    return made


def bundle(export: ExportSet, progress: Progress = no_progress) -> dict[str, Any]:
    instruments = [get_instrument(instrument_id) for instrument_id in instrument_order(export.protocol)]
    resources: list[dict[str, Any]] = [
        *terminology(instruments, deidentified=not export.identified),
        *(questionnaire(instrument) for instrument in instruments),
    ]
    total = len(export.subjects)
    for done, subject in enumerate(export.subjects, start=1):
        patient_resource = patient(subject) if subject.identity is not None else pseudonymous_patient(subject)
        resources.append(patient_resource)
        subject_ref = _subject_reference(subject, patient_resource)
        for item in subject.questionnaires:
            instrument = get_instrument(item.instrument)
            response = questionnaire_response(subject, item, subject_ref, instrument)
            resources.append(response)
            resources.extend(score_observations(subject, item, subject_ref, response, instrument))
        progress(done, total)
    return {
        "resourceType": "Bundle",
        "id": resource_id("Bundle", export.exported_at.isoformat()),
        "meta": {"tag": [{"system": EXPORT_TAG_SYSTEM, "code": "identified" if export.identified else "deidentified"}],
                 "source": SOURCE},
        "type": "collection",
        "timestamp": _instant(export.exported_at),
        "entry": [{"fullUrl": full_url(resource), "resource": resource} for resource in resources],
    }


def write_fhir_export(export: ExportSet, target: Path, progress: Progress = no_progress) -> None:
    document = bundle(export, progress)
    with export_file(target) as temporary:
        temporary.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
                             encoding="utf-8")
