"""Questionnaires as data: definitions loaded from ``resources/instruments/*.yaml`` and validated."""

from sijpro.instruments.loader import (
    InstrumentFileError,
    bundled_instruments,
    get_instrument,
    load_directory,
    load_instrument,
    parse_instrument,
)
from sijpro.instruments.model import Band, Instrument, Item, LocalText, Option, ScoreSpec

__all__ = [
    "Band", "Instrument", "InstrumentFileError", "Item", "LocalText", "Option", "ScoreSpec",
    "bundled_instruments", "get_instrument", "load_directory", "load_instrument", "parse_instrument",
]
