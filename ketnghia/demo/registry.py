"""The demo's households, census years and rounds planned together from the demo plan. Pure."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ketnghia.demo.census import YEARS, CommuneInfo, PlantedSupport, YearPlan, plan_census
from ketnghia.demo.households import CommuneFrame, HouseholdPlan, VillageFrame, plan_households
from ketnghia.demo.rounds import Approvers, RoundPlan, plan_rounds
from ketnghia.support.demo import (
    PLANTED_EFFECT,
    PLANTED_KIND,
    key_communes_of_year,
    package_kind_of_year,
)
from ketnghia.support.demo import (
    YEARS as SUPPORT_YEARS,
)


@dataclass(frozen=True)
class CensusInput:
    """What the demo plan says about the program communes, for households and census."""

    communes: Sequence[CommuneFrame]
    villages: Sequence[VillageFrame]
    key_communes: frozenset[str]
    regions: dict[str, str]
    # Commune code → the state its last-year round stops at (the others are accepted).
    pending: dict[str, str]
    approvers: Approvers


@dataclass
class RegistryPlan:
    households: list[HouseholdPlan]
    years: dict[int, YearPlan]
    rounds: list[RoundPlan]
    # Commune code → year → the rate (%) the calibration aimed at.
    targets: dict[str, dict[int, float]]


def planted_support(data: CensusInput) -> PlantedSupport:
    """Return the demo support's rounds of the planted kind (`support.demo`): commune → years.

    The key communes in the order of their paths (district code, then commune code), as
    `support.demo.write_support` reads them.
    """
    keys = sorted(
        (c for c in data.communes if c.code in data.key_communes),
        key=lambda c: (c.district_code, c.code),
    )
    starts: dict[str, list[int]] = {}
    for year in SUPPORT_YEARS:
        if package_kind_of_year(year) == PLANTED_KIND:
            for commune in key_communes_of_year(year, keys):
                starts.setdefault(commune.code, []).append(year)
    return PlantedSupport(PLANTED_EFFECT, starts)


def plan_registry(data: CensusInput, seed: int) -> RegistryPlan:
    """Return the households, each year's census facts and statuses, and the rounds."""
    households = plan_households(random.Random(seed), data.communes, data.villages)
    infos = [
        CommuneInfo(c.code, c.code in data.key_communes, data.regions.get(c.code, "III"))
        for c in data.communes
    ]
    years, targets = plan_census(seed, infos, households, planted_support(data))
    counts = {(c.code, year): 0 for c in data.communes for year in YEARS}
    for year, year_plan in years.items():
        for index in year_plan.household.tolist():
            counts[(households[index].commune_code, year)] += 1
    villages: dict[str, int] = {}
    for village in data.villages:
        villages[village.commune_code] = villages.get(village.commune_code, 0) + 1
    rounds = plan_rounds(
        seed,
        [c.code for c in data.communes],
        counts,
        villages,
        data.pending,
        data.approvers,
        {c.code: c.district_code for c in data.communes},
    )
    return RegistryPlan(households, years, rounds, targets)
