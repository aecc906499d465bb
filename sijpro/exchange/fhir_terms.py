"""What a FHIR Bundle of ours must carry so that every code and extension in it resolves inside it.

Answer codes, score codes and the export tag use code systems of this application, and the de-identified
resources carry our ``days-from-index-surgery`` extension; a validator that meets a canonical URL it
cannot resolve reports it (one per coding: thousands in a clinic's export). So the Bundle holds a
CodeSystem for each of them and the extension's StructureDefinition, all under ``CANONICAL_BASE``.

Every resource also gets a generated narrative (``text``): the few facts a person reading the resource
needs, as the basic XHTML that FHIR allows (R4 dom-6, txt-1, txt-2).
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sijpro import __version__
from sijpro.instruments import Instrument, Item

CANONICAL_BASE = "http://sijpro.local/fhir"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CANONICAL_BASE)
DAYS_FROM_SURGERY = f"{CANONICAL_BASE}/StructureDefinition/days-from-index-surgery"
SCORE_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/score"
EXPORT_TAG_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/export"
EXPORT_TAGS = (("identified", "Identified export"), ("deidentified", "De-identified export"))
XHTML = "http://www.w3.org/1999/xhtml"
PUBLISHER = "SIJ-PRO"


def resource_id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


def answer_system(instrument: Instrument, item: Item) -> str:
    return f"{CANONICAL_BASE}/CodeSystem/{instrument.id}-{item.code}"


def one_line(text: str) -> str:
    return " ".join(text.split())


def _name(*parts: str) -> str:
    """A computable name (R4 csd-0, sdf-0: a letter, then letters, digits and underscores)."""
    return "".join(part[:1].upper() + part[1:] for chunk in parts for part in chunk.replace("-", "_").split("_"))


# --- narrative ---------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _escaped(text: str) -> str:
    """Answer texts and item codes repeat across thousands of responses: each is escaped once."""
    return html.escape(text)


def narrative(title: str, facts: Iterable[tuple[str, str]] = (), table: Sequence[Sequence[str]] = (),
              header: Sequence[str] = ()) -> dict[str, str]:
    """A generated narrative: a bold title, facts as 'label: value' lines, and an optional table."""
    parts = [f"<p><b>{_escaped(title)}</b></p>"]
    parts += [f"<p>{_escaped(label)}: {_escaped(value)}</p>" for label, value in facts if value]
    if table:
        head = "".join(f"<th>{_escaped(cell)}</th>" for cell in header)
        rows = "".join("<tr>" + "".join(f"<td>{_escaped(cell)}</td>" for cell in row) + "</tr>" for row in table)
        parts.append(f"<table><tr>{head}</tr>{rows}</table>" if head else f"<table>{rows}</table>")
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(parts)}</div>'}


# --- code systems ------------------------------------------------------------------------------------

def code_system(url: str, version: str, name: str, *, title: str, concepts: Sequence[tuple[str, str]],
                description: str, copyright_text: str = "") -> dict[str, Any]:
    made: dict[str, Any] = {
        "resourceType": "CodeSystem",
        "id": resource_id("CodeSystem", url, version),
        "text": narrative(title, [("URL", url), ("Version", version)], concepts, ("Code", "Display")),
        "url": url,
        "version": version,
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": description,
    }
    if copyright_text:
        made["copyright"] = copyright_text
    made.update({"caseSensitive": True, "content": "complete", "count": len(concepts),
                 "concept": [{"code": code, "display": display} for code, display in concepts]})
    return made


def answer_code_systems(instrument: Instrument) -> list[dict[str, Any]]:
    """One CodeSystem per choice item: its option values as codes, the English option texts as displays."""
    return [
        code_system(
            answer_system(instrument, item), instrument.version, _name(instrument.id, item.code, "answers"),
            title=f"{instrument.title['en']}: answers to item {item.code}",
            concepts=[(str(option.value), one_line(option.text["en"])) for option in item.options],
            description=f"The answer options of item {item.code} of the {instrument.title['en']}; the code is "
            "the scored value.",
            copyright_text=instrument.licence["en"],
        )
        for item in instrument.items if item.kind == "choice"
    ]


def score_code_system(instruments: Sequence[Instrument]) -> dict[str, Any]:
    concepts = [(f"{instrument.id}.{spec.name}", spec.label["en"]) for instrument in instruments
                for spec in instrument.scores]
    return code_system(SCORE_SYSTEM, __version__, "SijproScore", title="SIJ-PRO scores", concepts=concepts,
                       description="The scores SIJ-PRO computes, coded '<instrument>.<score>'.")


def export_tag_code_system() -> dict[str, Any]:
    return code_system(EXPORT_TAG_SYSTEM, __version__, "SijproExport", title="SIJ-PRO export kinds",
                       concepts=EXPORT_TAGS,
                       description="Whether an export carries identities (MRN, names, dates) or is de-identified.")


def days_from_surgery_definition() -> dict[str, Any]:
    """The StructureDefinition of the extension a de-identified response or observation carries.

    Without ``fhirVersion``: the official R4 JSON schema's list of versions stops at 4.0.0, so 4.0.1
    would fail it (and the element is optional)."""
    description = ("Days from the index surgery to the completion of the questionnaire (negative before surgery); "
                   "carried instead of a date by de-identified exports.")
    return {
        "resourceType": "StructureDefinition",
        "id": resource_id("StructureDefinition", DAYS_FROM_SURGERY, __version__),
        "text": narrative("Extension: days from index surgery", [("URL", DAYS_FROM_SURGERY), ("Value", "integer"),
                                                                ("Used on", "QuestionnaireResponse, Observation")]),
        "url": DAYS_FROM_SURGERY,
        "version": __version__,
        "name": "DaysFromIndexSurgery",
        "title": "Days from index surgery",
        "status": "active",
        "experimental": False,
        "publisher": PUBLISHER,
        "description": description,
        "kind": "complex-type",
        "abstract": False,
        "context": [{"type": "element", "expression": "QuestionnaireResponse"},
                    {"type": "element", "expression": "Observation"}],
        "type": "Extension",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
        "derivation": "constraint",
        "differential": {"element": [
            {"id": "Extension", "path": "Extension", "short": "Days from index surgery", "definition": description,
             "min": 0, "max": "1"},
            {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
            {"id": "Extension.url", "path": "Extension.url", "fixedUri": DAYS_FROM_SURGERY},
            {"id": "Extension.value[x]", "path": "Extension.value[x]", "min": 1, "type": [{"code": "integer"}]},
        ]},
    }


def terminology(instruments: Sequence[Instrument], *, deidentified: bool) -> list[dict[str, Any]]:
    """Every CodeSystem (and, de-identified, the StructureDefinition) the Bundle's resources refer to."""
    made = [export_tag_code_system(), score_code_system(instruments)]
    for instrument in instruments:
        made.extend(answer_code_systems(instrument))
    if deidentified:
        made.append(days_from_surgery_definition())
    return made
