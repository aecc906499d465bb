"""Load instrument files and validate them against schema 1 (resources/instruments/SCHEMA.md).

Validation is strict and located: a mistake in a file names the file, the item and the field, because
the people who edit these files are clinicians adding a translation, not programmers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sijpro.errors import UserError
from sijpro.instruments.model import Alternative, Band, Instrument, Item, LocalText, Option, ScoreSpec
from sijpro.resources import resource_path

SCHEMA_VERSION = 1

_TOP_FIELDS = {
    "schema", "id", "version", "languages", "title", "short_title", "instructions", "licence",
    "source", "recall", "items", "scores",
}
_ITEM_FIELDS = {
    "code", "kind", "optional", "heading", "text", "options", "min", "max", "step", "kiosk_step",
    "anchors", "unit", "alternative",
}
_SCORE_FIELDS = {"name", "label", "min", "max", "decimals", "better", "reference", "bands"}
MAX_DECIMALS = 4


class InstrumentFileError(UserError):
    """An instrument file that does not follow the schema; the message locates the fault."""


class _Node:
    """A mapping read from the file, with the location used in every error message."""

    def __init__(self, data: object, where: str, languages: tuple[str, ...]) -> None:
        if not isinstance(data, Mapping):
            raise InstrumentFileError(f"{where}: expected a mapping, found {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.where = where
        self.languages = languages

    def fail(self, field: str, problem: str) -> InstrumentFileError:
        return InstrumentFileError(f"{self.where}, field '{field}': {problem}")

    def check_fields(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.fail(unknown[0], "unknown field")

    def has(self, field: str) -> bool:
        return self.data.get(field) is not None

    def raw(self, field: str) -> Any:
        if field not in self.data or self.data[field] is None:
            raise self.fail(field, "missing")
        return self.data[field]

    def string(self, field: str) -> str:
        value = self.raw(field)
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(field, "expected a non-empty text")
        return str(value)

    def integer(self, field: str, default: int | None = None) -> int:
        if default is not None and not self.has(field):
            return default
        value = self.raw(field)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"expected a whole number, found {value!r}")
        return value

    def number(self, field: str, default: float | None = None) -> float | None:
        if not self.has(field):
            return default
        value = self.raw(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(field, f"expected a number, found {value!r}")
        return float(value)

    def boolean(self, field: str, default: bool) -> bool:
        if not self.has(field):
            return default
        value = self.raw(field)
        if not isinstance(value, bool):
            raise self.fail(field, f"expected true or false, found {value!r}")
        return value

    def choice(self, field: str, allowed: tuple[str, ...]) -> str:
        value = self.string(field)
        if value not in allowed:
            raise self.fail(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def text(self, field: str) -> LocalText:
        value = self.raw(field)
        if not isinstance(value, Mapping):
            raise self.fail(field, "expected a text per language (en: ..., fr: ...)")
        missing = [lang for lang in self.languages if lang not in value]
        if missing:
            raise self.fail(field, f"no text in language '{missing[0]}'")
        extra = sorted(set(value) - set(self.languages))
        if extra:
            raise self.fail(field, f"language '{extra[0]}' is not listed in 'languages'")
        for lang in self.languages:
            text = value[lang]
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{field}.{lang}", "empty text")
        return {lang: str(value[lang]).strip() for lang in self.languages}

    def optional_text(self, field: str) -> LocalText | None:
        return self.text(field) if self.has(field) else None

    def children(self, field: str, label: str, key: str) -> list[_Node]:
        value = self.raw(field)
        if not isinstance(value, list) or not value:
            raise self.fail(field, "expected a non-empty list")
        nodes = []
        for index, entry in enumerate(value, start=1):
            name = entry.get(key) if isinstance(entry, Mapping) else None
            where = f"{self.where}, {label} {name}" if name is not None else f"{self.where}, {label} #{index}"
            nodes.append(_Node(entry, where, self.languages))
        return nodes


def _read_option(node: _Node) -> Option:
    node.check_fields({"value", "text"})
    return Option(value=node.integer("value"), text=node.text("text"))


def _read_item(node: _Node) -> Item:
    node.check_fields(_ITEM_FIELDS)
    code = node.string("code")
    kind = node.choice("kind", ("choice", "scale"))
    item = functools.partial(
        Item, code=code, text=node.text("text"), optional=node.boolean("optional", False),
        heading=node.optional_text("heading"), unit=node.optional_text("unit"),
    )
    if kind == "choice":
        for field in ("min", "max", "step", "kiosk_step", "anchors"):
            if node.has(field):
                raise node.fail(field, "only scale items take this field")
        options = tuple(_read_option(child) for child in node.children("options", "option", "value"))
        values = [option.value for option in options]
        if len(set(values)) != len(values):
            raise node.fail("options", "two options share a value")
        return item(kind="choice", options=options)
    if node.has("options"):
        raise node.fail("options", "only choice items take options")
    minimum, maximum = node.integer("min"), node.integer("max")
    step = node.integer("step", 1)
    kiosk_step = node.integer("kiosk_step", step)
    if maximum <= minimum:
        raise node.fail("max", f"must be above min ({minimum})")
    if step < 1 or (maximum - minimum) % step:
        raise node.fail("step", f"must divide max - min ({maximum - minimum})")
    if kiosk_step < step or kiosk_step % step or (maximum - minimum) % kiosk_step:
        raise node.fail("kiosk_step", "must be a multiple of step that divides max - min")
    alternative = None
    if node.has("alternative"):
        alternative_node = _Node(node.raw("alternative"), f"{node.where}, alternative", node.languages)
        alternative_node.check_fields({"item", "text"})
        alternative = Alternative(item=alternative_node.string("item"), text=alternative_node.text("text"))
    anchors = None
    if node.has("anchors"):
        anchor_node = _Node(node.raw("anchors"), f"{node.where}, anchors", node.languages)
        anchor_node.check_fields({"min", "max"})
        anchors = (anchor_node.text("min"), anchor_node.text("max"))
    return item(
        kind="scale", minimum=minimum, maximum=maximum, step=step, kiosk_step=kiosk_step,
        anchors=anchors, alternative=alternative,
    )


def _read_score(node: _Node) -> ScoreSpec:
    node.check_fields(_SCORE_FIELDS)
    minimum, maximum = node.number("min"), node.number("max")
    if minimum is None or maximum is None:
        raise node.fail("min" if minimum is None else "max", "missing")
    if maximum <= minimum:
        raise node.fail("max", f"must be above min ({minimum:g})")
    bands: list[Band] = []
    if node.has("bands"):
        for child in node.children("bands", "band", "code"):
            child.check_fields({"code", "upper", "label"})
            upper = child.number("upper")
            if upper is None:
                raise child.fail("upper", "missing")
            if bands and upper <= bands[-1].upper:
                raise child.fail("upper", "bands must be in ascending order")
            bands.append(Band(code=child.string("code"), upper=upper, label=child.text("label")))
    better = node.choice("better", ("lower", "higher"))
    if not node.has("decimals"):
        raise node.fail("decimals", "missing (the precision every export writes the score with)")
    decimals = node.integer("decimals")
    if not 0 <= decimals <= MAX_DECIMALS:
        raise node.fail("decimals", f"expected 0 to {MAX_DECIMALS}, found {decimals}")
    return ScoreSpec(
        name=node.string("name"), label=node.text("label"), minimum=minimum, maximum=maximum,
        better="lower" if better == "lower" else "higher",
        reference=node.number("reference"), bands=tuple(bands), decimals=decimals,
    )


def parse_instrument(data: object, source_name: str) -> Instrument:
    """Validate one parsed YAML document; ``source_name`` prefixes every error."""
    if not isinstance(data, Mapping):
        raise InstrumentFileError(f"{source_name}: expected a mapping at the top level")
    raw_languages = data.get("languages")
    if (
        not isinstance(raw_languages, list) or not raw_languages
        or not all(isinstance(lang, str) and lang for lang in raw_languages)
    ):
        raise InstrumentFileError(f"{source_name}, field 'languages': expected a list of language codes")
    languages = tuple(raw_languages)
    top = _Node(data, source_name, languages)
    top.check_fields(_TOP_FIELDS)
    if top.integer("schema") != SCHEMA_VERSION:
        raise top.fail("schema", f"this version of SIJ-PRO reads schema {SCHEMA_VERSION}")
    items = tuple(_read_item(child) for child in top.children("items", "item", "code"))
    codes = [item.code for item in items]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise top.fail("items", f"item code '{duplicates[0]}' is used twice")
    for item in items:
        target = next((other for other in items if item.alternative and other.code == item.alternative.item), None)
        if item.alternative and (target is None or target.kind != "choice"
                                 or {o.value for o in target.options} != {0, 1} or not target.optional):
            raise top.fail("items", f"item '{item.code}': its alternative must name an optional yes (1) / no (0) "
                           f"item of this questionnaire, not '{item.alternative.item}'")
    scores = tuple(_read_score(child) for child in top.children("scores", "score", "name"))
    return Instrument(
        id=top.string("id"), version=top.string("version"), languages=languages,
        title=top.text("title"), short_title=top.text("short_title"),
        instructions=top.text("instructions"), licence=top.text("licence"),
        source=top.string("source"), recall=top.optional_text("recall"),
        items=items, scores=scores,
    )


def load_instrument(path: Path) -> Instrument:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentFileError(f"{path.name}: cannot read the file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise InstrumentFileError(f"{path.name}: not valid YAML ({exc})") from exc
    instrument = parse_instrument(data, path.name)
    if instrument.id != path.stem:
        raise InstrumentFileError(f"{path.name}, field 'id': '{instrument.id}' does not match the file name")
    return instrument


def load_directory(directory: Path) -> dict[str, Instrument]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise InstrumentFileError(f"{directory}: no instrument files")
    return {instrument.id: instrument for instrument in map(load_instrument, files)}


@cache
def bundled_instruments() -> dict[str, Instrument]:
    """The instruments shipped with the app, loaded and validated once per process."""
    return load_directory(resource_path("instruments"))


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return bundled_instruments()[instrument_id]
    except KeyError:
        known = ", ".join(sorted(bundled_instruments()))
        raise UserError(f"unknown instrument '{instrument_id}' (known: {known})") from None
