"""The FHIR export against references no one here wrote: HL7's official R4 JSON schema, the R4 invariants
(the constraints of the official R4 StructureDefinitions, run by fhirpath.js), the official R4 code systems
and extension definitions, and LOINC's own long common names. The npm packages that carry them are
pinned in ``tests/reference/npm.py`` and installed by ``make test``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from sijpro.exchange import fhir
from sijpro.exchange.subjects import prepare_export
from sijpro.protocol import default_protocol
from tests.exchange_data import make_courses
from tests.reference import npm

EXPORTED_AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
ENGINE_GAPS = {"eld-19", "eld-20"}
"""Invariants whose R4 regular expressions JavaScript refuses in unicode mode; checked in Python below."""
EXTERNAL_SYSTEMS = {"http://loinc.org", "http://unitsofmeasure.org", "urn:ietf:bcp:47"}
"""Terminologies defined outside FHIR (LOINC, UCUM, BCP-47 language tags)."""
LOINC_NAMES = Path(__file__).parent / "reference" / "loinc_long_common_names.csv"


@pytest.fixture(scope="module")
def modules() -> Path:
    return npm.ensure_installed()


def courses_with_edge_cases():
    """Real courses plus a patient with no recorded names (FHIR strings may not be empty)."""
    courses = make_courses(8, seed=21)
    nameless = dataclasses.replace(courses[0].patient, family_name="", given_name="")
    return [dataclasses.replace(courses[0], patient=nameless), *courses[1:]]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    made = {}
    for kind, deidentify in (("identified", False), ("deidentified", True)):
        export = prepare_export(courses_with_edge_cases(), default_protocol(), EXPORTED_AT, deidentify=deidentify,
                                key=b"k")
        target = tmp_path_factory.mktemp("fhir") / f"{kind}.json"
        fhir.write_fhir_export(export, target)
        made[kind] = (target, json.loads(target.read_text(encoding="utf-8")))
    return made


@pytest.fixture(scope="module")
def schema(modules) -> dict:
    document = json.loads(npm.SCHEMA.read_text(encoding="utf-8"))
    assert document["id"] == "http://hl7.org/fhir/json-schema/4.0"  # HL7's own R4 schema
    return document


def schema_errors(schema: dict, document: dict) -> list[str]:
    """The official schema's verdict on a resource or a Bundle. The schema picks a resource's definition by
    trying all 145 of them (oneOf); here each entry is checked against the definition its resourceType
    names, which is the one that oneOf would match, and the Bundle around them against its own: the same
    verdict, thirty times faster."""
    definitions = schema["definitions"]
    validators: dict[str, jsonschema.Draft6Validator] = {}

    def check(resource: dict, where: str) -> list[str]:
        kind = resource.get("resourceType")
        if kind not in definitions:
            return [f"{where}: unknown resourceType {kind!r}"]
        validator = validators.get(kind) or validators.setdefault(kind, jsonschema.Draft6Validator(
            {"$ref": f"#/definitions/{kind}", "definitions": definitions}))
        return [f"{where}{'/'.join(map(str, error.absolute_path))}: {error.message[:160]}"
                for error in validator.iter_errors(resource)]

    if document.get("resourceType") != "Bundle":
        return check(document, "")
    errors = [error for index, entry in enumerate(document.get("entry", ()))
              for error in check(entry.get("resource", {}), f"entry/{index}/resource/")]
    around = jsonschema.Draft6Validator({"$ref": "#/definitions/Bundle",
                                         "definitions": definitions | {"ResourceList": {"type": "object"}}})
    return errors + [f"{'/'.join(map(str, error.absolute_path))}: {error.message[:160]}"
                     for error in around.iter_errors(document)]


def resources(document: dict, kind: str | None = None) -> list[dict]:
    return [e["resource"] for e in document["entry"] if kind is None or e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("kind", ["identified", "deidentified"])
def test_the_official_r4_json_schema_accepts_the_bundle(bundles, schema, kind: str) -> None:
    _, document = bundles[kind]
    assert schema_errors(schema, document) == []
    source = urlsplit(document["meta"]["source"])
    assert source.scheme == "http" and source.netloc and " " not in document["meta"]["source"]


def test_the_schema_has_teeth(bundles, schema) -> None:
    """What the export wrote before: a meta.source with a space, and an empty family name."""
    _, document = bundles["identified"]
    broken = json.loads(json.dumps(document))
    broken["meta"]["source"] = "SIJ-PRO 0.1.0"
    assert schema_errors(schema, broken) == ["meta/source: 'SIJ-PRO 0.1.0' does not match '^\\\\S*$'"]
    patient = json.loads(json.dumps(resources(document, "Patient")[0]))
    patient["name"] = [{"family": ""}]
    assert schema_errors(schema, patient)
    assert schema_errors(schema, {**patient, "resourceType": "Patients"})


def run_invariants(modules: Path, *paths: Path) -> dict[str, dict]:
    done = subprocess.run(["node", str(npm.INVARIANTS_SCRIPT), str(modules), *map(str, paths)],
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def test_r4_invariants_hold_and_have_teeth(bundles, modules, tmp_path: Path) -> None:
    broken_path = tmp_path / "broken.json"
    broken = json.loads(json.dumps(bundles["identified"][1]))
    observation = next(o for o in resources(broken, "Observation") if "valueQuantity" in o)
    del observation["valueQuantity"]["system"]  # qty-3: a code needs its system
    resources(broken, "QuestionnaireResponse")[0]["text"]["div"] = '<div xmlns="http://www.w3.org/1999/xhtml"> </div>'
    broken_path.write_text(json.dumps(broken), encoding="utf-8")
    paths = [bundles["identified"][0], bundles["deidentified"][0], broken_path]
    results = run_invariants(modules, *paths)
    for path in paths[:2]:
        result = results[str(path)]
        assert result["checked"] > 10_000
        assert result["failures"] == []
        assert {error["key"] for error in result["errors"]} <= ENGINE_GAPS
    failures = results[str(broken_path)]["failures"]
    assert {"qty-3", "txt-2"} <= {failure["key"] for failure in failures}
    response = resources(broken, "QuestionnaireResponse")[0]
    assert {failure["resource"] for failure in failures} == {
        f"Observation/{observation['id']}", f"QuestionnaireResponse/{response['id']}"}


def test_element_paths_follow_eld_19_and_eld_20(bundles, modules) -> None:
    """The two invariants fhirpath.js cannot run in JavaScript, with their official regular expressions."""
    profiles = json.loads((npm.DEFINITIONS / "profiles-types.json").read_text(encoding="utf-8"))
    element = next(e["resource"] for e in profiles["entry"] if e["resource"]["id"] == "ElementDefinition")
    constraints = {c["key"]: c["expression"] for el in element["snapshot"]["element"] for c in el.get("constraint", [])}
    patterns = {key: re.search(r"matches\('(.*)'\)", constraints[key]).group(1).replace("\\\\", "\\")
                for key in ENGINE_GAPS}
    _, document = bundles["deidentified"]
    paths = [e["path"] for sd in resources(document, "StructureDefinition") for e in sd["differential"]["element"]]
    assert paths
    for key, pattern in patterns.items():
        for path in paths:
            assert re.fullmatch(pattern, path), (key, path)


def r4_code_systems() -> dict[str, set[str]]:
    """url -> codes of every CodeSystem in the official R4 definitions."""
    known: dict[str, set[str]] = {}

    def codes(concepts) -> set[str]:
        found = set()
        for concept in concepts or ():
            found.add(concept["code"])
            found |= codes(concept.get("concept"))
        return found

    for name in ("valuesets.json", "v2-tables.json", "v3-codesystems.json"):
        for entry in json.loads((npm.DEFINITIONS / name).read_text(encoding="utf-8"))["entry"]:
            resource = entry["resource"]
            if resource["resourceType"] == "CodeSystem":
                known[resource["url"]] = codes(resource.get("concept"))
    return known


def r4_extensions() -> set[str]:
    bundle = json.loads((npm.DEFINITIONS / "extension-definitions.json").read_text(encoding="utf-8"))
    return {entry["resource"]["url"] for entry in bundle["entry"]}


def walk(node, found: dict[str, list]) -> None:
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            found["codings"].append(node)
        if "url" in node and ("extension" in node or any(key.startswith("value") for key in node)):
            found["extensions"].append(node["url"])
        for value in node.values():
            walk(value, found)
    elif isinstance(node, list):
        for value in node:
            walk(value, found)


@pytest.mark.parametrize("kind", ["identified", "deidentified"])
def test_every_code_and_extension_resolves(bundles, modules, kind: str) -> None:
    """Each coding's system is a CodeSystem of the Bundle (its code defined there, with the same display), an
    official R4 CodeSystem, or LOINC/UCUM/BCP-47; each extension is defined in the Bundle or in R4; each
    reference and questionnaire canonical points at a resource of the Bundle."""
    _, document = bundles[kind]
    own = {cs["url"]: {c["code"]: c["display"] for c in cs["concept"]} for cs in resources(document, "CodeSystem")}
    defined = {sd["url"] for sd in resources(document, "StructureDefinition")}
    official, extensions = r4_code_systems(), r4_extensions()
    found: dict[str, list] = {"codings": [], "extensions": []}
    for resource in [document, *resources(document)]:
        if resource["resourceType"] not in ("CodeSystem", "StructureDefinition", "Bundle"):
            walk(resource, found)
    walk(document["meta"], found)
    unresolved = []
    for coding in found["codings"]:
        system, code = coding["system"], coding["code"]
        if system in own:
            if own[system].get(code) != coding.get("display", own[system].get(code)):
                unresolved.append(f"{system}|{code}: display {coding.get('display')!r}")
        elif system in official:
            if code not in official[system]:
                unresolved.append(f"{system}|{code}")
        elif system not in EXTERNAL_SYSTEMS:
            unresolved.append(system)
    unresolved += [url for url in found["extensions"] if url not in defined and url not in extensions]
    urls = {e["fullUrl"] for e in document["entry"]}
    canonicals = {f"{q['url']}|{q['version']}" for q in resources(document, "Questionnaire")}
    for response in resources(document, "QuestionnaireResponse"):
        unresolved += [ref for ref in (response["subject"]["reference"], response["source"]["reference"])
                       if ref not in urls]
        if response["questionnaire"] not in canonicals:
            unresolved.append(response["questionnaire"])
    for observation in resources(document, "Observation"):
        unresolved += [ref["reference"] for ref in (observation["subject"], *observation["derivedFrom"])
                       if ref["reference"] not in urls]
    assert len(found["codings"]) > 800  # the walk reached them all (about 900 in these courses)
    assert unresolved == []
    assert (fhir.DAYS_FROM_SURGERY in found["extensions"]) == (kind == "deidentified")


def test_loinc_displays_are_loinc_long_common_names(bundles) -> None:
    with LOINC_NAMES.open(encoding="utf-8", newline="") as handle:
        names = {row["loinc_num"]: row["long_common_name"] for row in csv.DictReader(handle)}
    _, document = bundles["identified"]
    found: dict[str, list] = {"codings": [], "extensions": []}
    walk(document, found)
    loinc = [coding for coding in found["codings"] if coding["system"] == fhir.LOINC]
    assert {coding["code"] for coding in loinc} == set(names)
    assert all(coding["display"] == names[coding["code"]] for coding in loinc), loinc


def test_items_that_may_be_left_blank_are_not_required(bundles) -> None:
    """Paper and imported questionnaires may leave any item blank and the scoring rules allow for it, so no
    item is required: every completed response then satisfies its Questionnaire."""
    _, document = bundles["identified"]
    questionnaires = {f"{q['url']}|{q['version']}": q for q in resources(document, "Questionnaire")}
    gaps = 0
    for response in resources(document, "QuestionnaireResponse"):
        questionnaire = questionnaires[response["questionnaire"]]
        answered = {item["linkId"] for item in response["item"]}
        required = {item["linkId"] for item in questionnaire["item"] if item.get("required")}
        assert required <= answered, (response["id"], required - answered)
        gaps += len(questionnaire["item"]) > len(answered)
    assert gaps > 0  # the data does have completed responses with blank items


@pytest.mark.parametrize("kind", ["identified", "deidentified"])
def test_every_resource_has_a_generated_narrative(bundles, kind: str) -> None:
    _, document = bundles[kind]
    identities = {(c.patient.mrn, c.patient.family_name) for c in courses_with_edge_cases()}
    for resource in resources(document):
        text = resource["text"]
        assert text["status"] == "generated"
        root = ET.fromstring(text["div"])
        assert root.tag == "{http://www.w3.org/1999/xhtml}div"
        assert "".join(root.itertext()).strip()
        if kind == "deidentified":
            for mrn, family in identities:
                assert mrn not in text["div"] and (not family or family not in text["div"])
