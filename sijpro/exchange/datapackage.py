"""A Frictionless Data Package (``datapackage.json``) describing the CSV files of an export.

Readers that know the standard (the ``frictionless`` packages for Python and R, pandas through them) then
read every column with its type, codes as categories with their labels (the value labels of SPSS and
Stata), the missing-value codes as missing, and the delimiter and decimal mark of an Excel export,
without anyone typing them in. Field names and meanings come from ``variables``, as the data dictionary's
do, so the two never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sijpro import __version__
from sijpro.exchange.output import TableFormat
from sijpro.exchange.subjects import ExportSet
from sijpro.exchange.variables import MISSING_CODES, Variable

FIELD_TYPES = {"text": "string", "integer": "integer", "number": "number", "date": "date", "code": "string",
               "codes": "string", "yesno": "integer"}
KEYS = {"patients.csv": (), "responses.csv": ("timepoint", "instrument", "item"), "analysis_wide.csv": ("timepoint",)}
"""What identifies a row of each file besides the patient (its first column)."""


def field(variable: Variable, table_format: TableFormat) -> dict[str, Any]:
    kind = FIELD_TYPES[variable.type]
    made: dict[str, Any] = {"name": variable.name, "title": variable.label, "type": kind}
    description = "; ".join(part for part in (variable.unit and f"unit: {variable.unit}", variable.note,
                                                variable.type == "codes" and f"';'-separated codes: "
                                                f"{variable.codes_text()}") if part)
    if description:
        made["description"] = description
    if kind == "number" and table_format.decimal != ".":
        made["decimalChar"] = table_format.decimal
    constraints: dict[str, Any] = {}
    if variable.type in ("code", "yesno"):
        values: list[Any] = [int(code) if kind == "integer" else code for code, _ in variable.codes]
        constraints["enum"] = values
        made["categories"] = [{"value": value, "label": label}
                              for value, (_, label) in zip(values, variable.codes, strict=True)]
    if kind in ("integer", "number"):
        for bound, value in (("minimum", variable.minimum), ("maximum", variable.maximum)):
            if value is not None:
                constraints[bound] = int(value) if kind == "integer" else value
    if constraints:
        made["constraints"] = constraints
    return made


def resource(name: str, variables: Sequence[Variable], table_format: TableFormat, coded_missing: bool,
             ) -> dict[str, Any]:
    missing = [""] + ([code for code, _ in MISSING_CODES] if coded_missing else [])
    schema: dict[str, Any] = {"fields": [field(variable, table_format) for variable in variables],
                              "missingValues": missing}
    if name in KEYS:
        schema["primaryKey"] = [variables[0].name, *KEYS[name]]
    made: dict[str, Any] = {
        "name": name.removesuffix(".csv"),
        "path": name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig" if table_format.bom else "utf-8",
        "dialect": {"delimiter": table_format.delimiter, "lineTerminator": "\r\n", "quoteChar": '"',
                    "doubleQuote": True, "header": True},
        "schema": schema,
    }
    if coded_missing:
        made["description"] = "Missing values: " + "; ".join(f"{code} = {meaning}" for code, meaning in MISSING_CODES)
    return made


def dictionary_resource(header: Sequence[str], table_format: TableFormat) -> dict[str, Any]:
    fields = [{"name": name, "type": "string"} for name in header]
    return {"name": "data_dictionary", "path": "data_dictionary.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig" if table_format.bom else "utf-8",
            "dialect": {"delimiter": table_format.delimiter, "lineTerminator": "\r\n", "header": True},
            "schema": {"fields": fields, "missingValues": [""]}}


def datapackage_json(export: ExportSet, files: Mapping[str, Sequence[Variable]], coded_missing: Collection[str],
                     table_format: TableFormat, dictionary_header: Sequence[str]) -> str:
    """The descriptor, as the text of datapackage.json (stable key order, so two exports compare equal)."""
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "sijpro-export",
        "title": f"SIJ-PRO export ({'identified' if export.identified else 'de-identified'})",
    }
    if export.identified:  # a de-identified export carries no calendar date at all
        descriptor["created"] = export.exported_at.isoformat(timespec="seconds")
    descriptor |= {
        "sources": [{"title": f"SIJ-PRO {__version__}"}],
        "resources": [
            *(resource(name, variables, table_format, name in coded_missing) for name, variables in files.items()),
            dictionary_resource(dictionary_header, table_format),
        ],
    }
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
