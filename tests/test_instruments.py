"""Instrument files: every shipped file loads, is complete in both languages, and matches DESIGN.md."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sijpro.instruments import InstrumentFileError, bundled_instruments, load_directory, load_instrument
from sijpro.resources import resource_path

INSTRUMENT_DIR = resource_path("instruments")

DESIGN_CODES = {
    "nrs": {"lumbar": range(0, 11), "radicular": range(0, 11)},
    "odi": {f"odi{n}": range(0, 6) for n in range(1, 11)},
    "sf12": {"GH1": range(1, 6), "PF02": range(1, 4), "PF04": range(1, 4), "RP2": range(1, 3),
             "RP3": range(1, 3), "RE2": range(1, 3), "RE3": range(1, 3), "BP2": range(1, 6),
             "MH3": range(1, 7), "VT2": range(1, 7), "MH4": range(1, 7), "SF2": range(1, 6)},
    "satisfaction": {"overall": range(1, 5), "would_repeat": range(1, 3)},
    "relief": {"percent": range(0, 101), "worse": range(0, 2)},
}


def test_every_file_loads_and_the_set_is_the_designed_one() -> None:
    instruments = load_directory(INSTRUMENT_DIR)
    assert set(instruments) == set(DESIGN_CODES)
    assert bundled_instruments().keys() == instruments.keys()


@pytest.mark.parametrize("instrument_id", sorted(DESIGN_CODES))
def test_item_codes_and_values_follow_the_design(instrument_id: str) -> None:
    instrument = bundled_instruments()[instrument_id]
    assert list(instrument.item_codes) == list(DESIGN_CODES[instrument_id])
    for code, values in DESIGN_CODES[instrument_id].items():
        assert instrument.item(code).accepted_values() == tuple(values), code


@pytest.mark.parametrize("instrument_id", sorted(DESIGN_CODES))
def test_both_languages_are_complete(instrument_id: str) -> None:
    instrument = bundled_instruments()[instrument_id]
    assert instrument.languages == ("en", "fr")
    texts = [instrument.title, instrument.short_title, instrument.instructions, instrument.licence]
    for item in instrument.items:
        texts.append(item.text)
        texts.extend(option.text for option in item.options)
        texts.extend(item.anchors or ())
    for score in instrument.scores:
        texts.append(score.label)
        texts.extend(band.label for band in score.bands)
    for text in texts:
        assert set(text) == {"en", "fr"}
        assert all(value.strip() for value in text.values())
    # a French sentence identical to the English one is a missed translation (short titles such as
    # "Oswestry (ODI)" are proper names and may stay the same)
    untranslated = [t["en"] for t in texts[1:] if t is not instrument.short_title and t["en"] == t["fr"]
                    and " " in t["en"].strip() and any(c.isalpha() for c in t["en"])]
    assert untranslated == []


def test_only_odi_section_8_may_be_skipped() -> None:
    """Relief's 'worse' is optional only as the answer given beside the percentage, never on its own screen."""
    optional = [(i.id, item.code) for i in bundled_instruments().values() for item in i.asked_items
                if item.optional]
    assert optional == [("odi", "odi8")]


def test_kiosk_offers_relief_in_steps_of_five_and_worse_than_before_surgery() -> None:
    instrument = bundled_instruments()["relief"]
    relief = instrument.item("percent")
    assert relief.kiosk_values() == tuple(range(0, 101, 5))
    assert relief.accepted_values() == tuple(range(0, 101))
    assert relief.alternative is not None and relief.alternative.item == "worse"
    assert relief.alternative.text["en"] == "My pain is worse than before surgery"
    assert [item.code for item in instrument.asked_items] == ["percent"]
    assert instrument.score_names == ("percent", "worse")


def test_item_parse_reads_cells_and_explains_refusals() -> None:
    item = bundled_instruments()["odi"].item("odi3")
    assert item.parse(" 4 ") == 4
    assert item.parse("4.0") == 4
    assert item.parse("") is None
    with pytest.raises(ValueError, match="not a number"):
        item.parse("four")
    with pytest.raises(ValueError, match="not a whole number"):
        item.parse("2.5")
    with pytest.raises(ValueError, match="7 is not one of 0, 1, 2, 3, 4, 5"):
        item.parse("7")
    nrs = bundled_instruments()["nrs"].item("lumbar")
    with pytest.raises(ValueError, match="11 is outside 0-10"):
        nrs.parse("11")


# --- schema errors name the file, the item and the field ---------------------------------------

def _write_variant(tmp_path: Path, instrument_id: str, mutate) -> Path:
    data = yaml.safe_load((INSTRUMENT_DIR / f"{instrument_id}.yaml").read_text(encoding="utf-8"))
    variant = copy.deepcopy(data)
    mutate(variant)
    path = tmp_path / f"{instrument_id}.yaml"
    path.write_text(yaml.safe_dump(variant, allow_unicode=True), encoding="utf-8")
    return path


def _item(data: dict, code: str) -> dict:
    return next(item for item in data["items"] if item["code"] == code)


@pytest.mark.parametrize(("instrument_id", "mutate", "expected"), [
    ("odi", lambda d: _item(d, "odi3")["text"].pop("fr"),
     "odi.yaml, item odi3, field 'text': no text in language 'fr'"),
    ("odi", lambda d: _item(d, "odi4")["options"][2]["text"].update(fr="  "),
     "odi.yaml, item odi4, option 2, field 'text.fr': empty text"),
    ("odi", lambda d: _item(d, "odi5")["options"][1].update(value="one"),
     "odi.yaml, item odi5, option one, field 'value': expected a whole number"),
    ("sf12", lambda d: _item(d, "GH1").update(kind="slider"),
     "sf12.yaml, item GH1, field 'kind': 'slider' is not one of choice, scale"),
    ("sf12", lambda d: _item(d, "BP2").update(colour="red"),
     "sf12.yaml, item BP2, field 'colour': unknown field"),
    ("nrs", lambda d: _item(d, "lumbar").update(max=-1),
     "nrs.yaml, item lumbar, field 'max': must be above min"),
    ("nrs", lambda d: _item(d, "radicular").pop("min"),
     "nrs.yaml, item radicular, field 'min': missing"),
    ("relief", lambda d: _item(d, "percent").update(kiosk_step=7),
     "relief.yaml, item percent, field 'kiosk_step'"),
    ("satisfaction", lambda d: d["items"].append(copy.deepcopy(d["items"][0])),
     "satisfaction.yaml, field 'items': item code 'overall' is used twice"),
    ("satisfaction", lambda d: _item(d, "overall")["options"][1].update(value=1),
     "satisfaction.yaml, item overall, field 'options': two options share a value"),
    ("odi", lambda d: d["scores"][0]["bands"][1].update(upper=10),
     "odi.yaml, score odi, band moderate, field 'upper': bands must be in ascending order"),
    ("odi", lambda d: d.update(schema=2), "odi.yaml, field 'schema'"),
    ("odi", lambda d: d.update(id="oswestry"), "odi.yaml, field 'id': 'oswestry' does not match"),
    ("odi", lambda d: d["title"].update(de="Oswestry"),
     "odi.yaml, field 'title': language 'de' is not listed"),
])
def test_schema_errors_are_located(tmp_path: Path, instrument_id: str, mutate, expected: str) -> None:
    path = _write_variant(tmp_path, instrument_id, mutate)
    with pytest.raises(InstrumentFileError) as error:
        load_instrument(path)
    assert expected in str(error.value)


def test_broken_yaml_and_empty_folder_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "odi.yaml"
    bad.write_text("id: odi\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(InstrumentFileError, match=r"odi.yaml: not valid YAML"):
        load_instrument(bad)
    with pytest.raises(InstrumentFileError, match="no instrument files"):
        load_directory(tmp_path / "nowhere")
