"""The facts criteria formulas read: a named, documented registry that apps add providers to.

A fact is a number per unit and year (rates in percent, counts, 0/1 flags), or missing. Each
`FactProvider` declares the facts it gives and loads them for a list of units and a year; an
app registers its providers in its `AppConfig.ready` (`register`), and a set whose formula
names a fact no provider declares is refused when it is loaded. This module holds no ORM
code: the providers of this app live in `providers.py`.

Twinning facts (activities, who is in charge, coverage) come from the twinning app's own
provider (`ketnghia/twinning/facts.py`, registered in `TwinningConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ketnghia.criteria.domain import ROLLUP_FACT, Level


@dataclass(frozen=True)
class Fact:
    """One fact: its name in formulas, the levels it exists at, what it means and its unit."""

    name: str
    levels: tuple[str, ...]
    vi: str
    en: str
    unit: str = ""  # "%", "households", "0/1", "cases", …
    source: str = ""


@dataclass(frozen=True)
class UnitRef:
    """What a provider needs to know of one unit: its id, code, level and commune."""

    id: int
    code: str
    level: str
    commune_id: int


class FactProvider(Protocol):
    name: str
    facts: tuple[Fact, ...]

    def load(
        self, *, units: Sequence[UnitRef], year: int
    ) -> Mapping[str, Mapping[int, float | None]]:
        """Return fact name → unit id → value for `units` in `year` (absent = missing)."""
        ...


_PROVIDERS: dict[str, FactProvider] = {}

ENGINE_FACTS = (
    Fact(
        ROLLUP_FACT,
        (Level.COMMUNE,),
        "Tỷ lệ thôn của xã đạt hoặc cơ bản đạt bộ tiêu chí thôn",
        "Share of the commune's villages that meet or basically meet the village set",
        "%",
        "engine",
    ),
)


def register(provider: FactProvider) -> None:
    """Add a provider; a second provider of the same name replaces the first."""
    names = {fact.name for fact in provider.facts}
    for other in _PROVIDERS.values():
        if other.name != provider.name and names & {f.name for f in other.facts}:
            raise ValueError(f"facts {sorted(names & {f.name for f in other.facts})} twice")
    _PROVIDERS[provider.name] = provider


def providers() -> list[FactProvider]:
    return list(_PROVIDERS.values())


def all_facts() -> list[Fact]:
    return [*ENGINE_FACTS, *(fact for p in _PROVIDERS.values() for fact in p.facts)]


def known_facts(level: str) -> dict[str, Fact]:
    """Return the facts a formula of a set at `level` may read, by name."""
    return {fact.name: fact for fact in all_facts() if level in fact.levels}


def load_facts(
    *, units: Sequence[UnitRef], year: int, names: Iterable[str] | None = None
) -> dict[str, dict[int, float | None]]:
    """Return every registered fact (or those of `names`) for `units` in `year`."""
    wanted = None if names is None else set(names)
    table: dict[str, dict[int, float | None]] = {}
    for provider in _PROVIDERS.values():
        if wanted is not None and not wanted & {f.name for f in provider.facts}:
            continue
        loaded: Mapping[str, Any] = provider.load(units=units, year=year)
        for name, values in loaded.items():
            if wanted is None or name in wanted:
                table[name] = dict(values)
    return table
