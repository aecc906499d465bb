"""FHIR export: the Bundle validates as FHIR R4 (fhir.resources' R4B models, the R4-compatible release)
and says what the database says."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from sijpro.exchange import fhir
from sijpro.exchange.subjects import prepare_export
from sijpro.instruments import get_instrument
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=[False, True], ids=["identified", "deidentified"])
def exported(request, tmp_path_factory) -> tuple[dict, object, bool]:
    courses = make_courses(10, seed=11)
    export = prepare_export(courses, default_protocol(), EXPORTED_AT, deidentify=request.param)
    target = tmp_path_factory.mktemp("fhir") / "bundle.json"
    fhir.write_fhir_export(export, target)
    return json.loads(target.read_text(encoding="utf-8")), export, request.param


def resources(document: dict, kind: str) -> list[dict]:
    return [entry["resource"] for entry in document["entry"] if entry["resource"]["resourceType"] == kind]


def test_bundle_validates_as_fhir_r4(exported) -> None:
    document, _, _ = exported
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    assert len(bundle.entry) == len(document["entry"])
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Questionnaire", "QuestionnaireResponse", "Observation"} <= kinds


def test_questionnaires_carry_item_codes_ordinal_values_and_loinc(exported) -> None:
    document, _, _ = exported
    questionnaires = {q["url"].rsplit("/", 1)[1]: q for q in resources(document, "Questionnaire")}
    assert set(questionnaires) == {"nrs", "odi", "sf12", "satisfaction", "relief"}
    assert questionnaires["odi"]["code"][0] == {"system": fhir.LOINC, "code": "97908-8",
                                                "display": "Oswestry Disability Index"}
    for instrument_id, resource in questionnaires.items():
        instrument = get_instrument(instrument_id)
        assert [item["linkId"] for item in resource["item"]] == list(instrument.item_codes)
        for item, definition in zip(resource["item"], instrument.items, strict=True):
            if definition.kind == "choice":
                assert item["type"] == "choice"
                codes = [option["valueCoding"]["code"] for option in item["answerOption"]]
                ordinals = [option["extension"][0] for option in item["answerOption"]]
                assert codes == [str(value) for value in definition.accepted_values()]
                assert all(ext["url"] == fhir.ORDINAL_VALUE for ext in ordinals)
                assert [ext["valueDecimal"] for ext in ordinals] == list(definition.accepted_values())
            else:
                assert item["type"] == "integer"
    nrs_codes = [item["code"][0]["code"] for item in questionnaires["nrs"]["item"]]
    assert nrs_codes == ["72514-3", "72514-3"]


def test_one_response_per_questionnaire_with_status_answers_and_source(exported) -> None:
    document, export, deidentify = exported
    responses = resources(document, "QuestionnaireResponse")
    expected = [q for subject in export.subjects for q in subject.questionnaires]
    assert len(responses) == len(expected)
    for resource, questionnaire in zip(responses, expected, strict=True):
        assert resource["status"] == ("amended" if questionnaire.status == "amended" else "completed")
        assert resource["questionnaire"].startswith(fhir.CANONICAL_BASE + "/Questionnaire/" + questionnaire.instrument)
        assert resource["source"] == resource["subject"]
        given = {item["linkId"]: item["answer"][0] for item in resource["item"]}
        assert set(given) == {code for code, value in questionnaire.answers.items() if value is not None}
        for code, answer in given.items():
            value = answer.get("valueInteger", answer.get("valueCoding", {}).get("code"))
            assert str(value) == str(questionnaire.answers[code])
        if deidentify:
            assert "authored" not in resource
            assert resource["extension"] == [{"url": fhir.DAYS_FROM_SURGERY, "valueInteger": questionnaire.day}]
        else:
            authored = dt.datetime.fromisoformat(resource["authored"])
            assert authored.tzinfo is not None
            assert authored == questionnaire.completed_at


def test_score_observations_with_loinc_units_and_provenance(exported) -> None:
    document, export, _ = exported
    observations = resources(document, "Observation")
    urls = {entry["fullUrl"] for entry in document["entry"]}
    expected = sum(1 for s in export.subjects for q in s.questionnaires for v in q.scores if v.value is not None)
    assert len(observations) == expected
    by_code: dict[str, list[dict]] = {}
    for observation in observations:
        local = next(c["code"] for c in observation["code"]["coding"] if c["system"] == fhir.SCORE_SYSTEM)
        by_code.setdefault(local, []).append(observation)
        assert observation["derivedFrom"][0]["reference"] in urls
        assert observation["category"][0]["coding"][0]["code"] == "survey"
    odi = by_code["odi.odi"][0]
    assert odi["code"]["coding"][0]["code"] == "97909-6"
    assert odi["valueQuantity"]["unit"] == "%" and odi["valueQuantity"]["system"] == fhir.UCUM
    assert by_code["nrs.lumbar"][0]["code"]["coding"][0]["code"] == "72514-3"
    assert by_code["nrs.lumbar"][0]["bodySite"] == {"text": "Low back"}
    assert isinstance(by_code["satisfaction.satisfied"][0]["valueBoolean"], bool)
    assert isinstance(by_code["satisfaction.overall"][0]["valueInteger"], int)
    scores = sorted(v.value for s in export.subjects for q in s.questionnaires for v in q.scores
                    if v.key == "sf12.pcs" and v.value is not None)
    assert sorted(o["valueQuantity"]["value"] for o in by_code["sf12.pcs"]) == [round(v, 2) for v in scores]


def test_subjects_are_patients_or_study_id_pseudonyms(exported) -> None:
    document, export, deidentify = exported
    patients = resources(document, "Patient")
    references = [r["subject"] for kind in ("QuestionnaireResponse", "Observation") for r in resources(document, kind)]
    assert len(patients) == len(export.subjects)
    urls = {f"urn:uuid:{patient['id']}" for patient in patients}
    assert {ref["reference"] for ref in references} <= urls
    identifiers = {patient["identifier"][0]["value"] for patient in patients}
    if deidentify:
        assert identifiers == {s.subject_id for s in export.subjects}
        assert all(p["identifier"][0]["system"] == fhir.STUDY_ID_SYSTEM for p in patients)
        assert all(set(p) <= {"resourceType", "id", "text", "identifier", "gender"} for p in patients)
    else:
        assert identifiers == {s.identity.mrn for s in export.subjects}


def test_two_exports_of_the_same_data_are_identical(tmp_path: Path) -> None:
    courses = make_courses(4, seed=2)
    for name in ("a.json", "b.json"):
        fhir.write_fhir_export(prepare_export(courses, default_protocol(), EXPORTED_AT), tmp_path / name)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


REQUIRED_BINDINGS = {
    # FHIR R4 value sets with a required binding, which the model classes do not check themselves
    ("QuestionnaireResponse", "status"): {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    ("Observation", "status"): {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                                "entered-in-error", "unknown"},
    ("Questionnaire", "status"): {"draft", "active", "retired", "unknown"},
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
}
R4_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
                 "url", "choice", "open-choice", "attachment", "reference", "quantity"}


def test_codes_with_required_bindings_are_from_their_value_sets(exported) -> None:
    document, _, _ = exported
    for entry in document["entry"]:
        resource = entry["resource"]
        for (kind, element), allowed in REQUIRED_BINDINGS.items():
            if resource["resourceType"] == kind and element in resource:
                assert resource[element] in allowed, (kind, element, resource[element])
        if resource["resourceType"] == "Questionnaire":
            assert {item["type"] for item in resource["item"]} <= R4_ITEM_TYPES
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert len({entry["fullUrl"] for entry in document["entry"]}) == len(document["entry"])


def test_the_validator_rejects_what_fhir_does_not_allow(exported) -> None:
    """The validation above has teeth: an unknown element or a malformed decimal is refused."""
    document, _, _ = exported
    broken = json.loads(json.dumps(document))
    observation = next(e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Observation")
    observation["valueQuantity"]["value"] = "forty"
    with pytest.raises(ValueError, match="valueQuantity"):
        Bundle.model_validate(broken)
    broken = json.loads(json.dumps(document))
    broken["entry"][0]["resource"]["answers"] = []
    with pytest.raises(ValueError, match="Extra inputs"):
        Bundle.model_validate(broken)
