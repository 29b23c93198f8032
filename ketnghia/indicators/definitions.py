"""The shipped indicator definitions (`definitions/*.toml`), read once and checked."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from ketnghia.indicators.domain import IndicatorDefinition, definitions_from_data

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

# The facts `facts.py` gives per base unit, year and variant.
FACTS = (
    "households",
    "poor_households",
    "near_poor_households",
    "road_car_passable",
    "road_known",
    "commune_meets_criteria",
    "commune_assessed",
    "village_meets_criteria",
    "village_assessed",
    "poor_households_covered",
    "poor_households_latest_approved",
    "confirmed_activities",
    "economic_models",
    "replication_villages",
    "support_value_delivered",
    "poor_households_supported",
)


def load_definitions(directory: Path = DEFINITIONS_DIR) -> list[IndicatorDefinition]:
    """Return the definitions of every file of `directory`, in file and declaration order."""
    found: list[IndicatorDefinition] = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        found.extend(definitions_from_data(data, source=path.name, facts=FACTS))
    return found


@functools.cache
def builtin_definitions() -> tuple[IndicatorDefinition, ...]:
    return tuple(load_definitions())


def definition_get(code: str) -> IndicatorDefinition:
    """Return the definition of `code`; KeyError if there is none."""
    for definition in builtin_definitions():
        if definition.code == code:
            return definition
    raise KeyError(code)
