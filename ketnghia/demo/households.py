"""The demo's households over 2007–2025: who lives where, who splits off, who leaves. Pure.

Every program commune starts in 2007 with a number of households that grows with its number of
villages (about 75 a village, 330–880 a commune). Each year some households leave (moved away,
dissolved: about 0.6 %) and grown children found households of their own (about 2 % of all
households a year), so a commune has some 30 % more households in 2025 than in 2007. Villages
are mostly of one people, with a few Kinh households, more in a "thôn" than in a "làng".
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ketnghia.demo import people
from ketnghia.demo.people import Family, PersonPlan

FIRST_YEAR = 2007
LAST_YEAR = 2025
HOUSEHOLDS_PER_VILLAGE = (66, 84)
HOUSEHOLDS_PER_COMMUNE_2007 = (330, 880)
LEAVE_RATE = 0.006
# A household with a grown child (19–32) sees one found a household of their own.
SPLIT_RATE = 0.05


@dataclass(frozen=True)
class CommuneFrame:
    """What household planning needs to know about one program commune."""

    code: str
    name: str
    district_code: str


@dataclass(frozen=True)
class VillageFrame:
    code: str
    name: str
    kind: str
    commune_code: str


@dataclass(frozen=True)
class HouseholdPlan:
    """One household: where it lives, when it appears and leaves, and its members (head first)."""

    commune_code: str
    village_code: str
    code: str
    head_name: str
    address: str
    ethnicity: str
    registered_year: int
    # The first year the household is no longer there (None: still there in 2025).
    left_year: int | None
    # Index of the household it split from, in the plan's list (None: there since 2007).
    parent: int | None
    members: tuple[PersonPlan, ...]

    def present(self, year: int) -> bool:
        """Return whether the household is in the census of `year`."""
        return self.registered_year <= year and (self.left_year is None or year < self.left_year)


@dataclass
class _Growing:
    """A household while the years are walked (frozen into a HouseholdPlan at the end)."""

    village: VillageFrame
    family: Family
    registered_year: int
    parent: int | None
    members: list[PersonPlan]
    left_year: int | None = None


def _village_number(village_code: str) -> str:
    return village_code.rsplit("-", 1)[-1]


def _founder(rng: random.Random, household: _Growing, year: int) -> int | None:
    """Return the position of a grown child who leaves `household` in `year` to found their own."""
    grown = [
        position
        for position, member in enumerate(household.members)
        if member.relation == people.CHILD
        and member.moved_out is None
        and 19 <= year - member.birth_year <= 32
    ]
    return rng.choice(grown) if grown else None


def plan_households(
    rng: random.Random,
    communes: Sequence[CommuneFrame],
    villages: Sequence[VillageFrame],
    *,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
) -> list[HouseholdPlan]:
    """Return every household of the program communes over the years, commune by commune.

    A new household is founded by a grown child of a household of the village, who moves out
    (the child counts in the parent household's census until then) and takes the family name.
    Household codes are "<village number>-<number in the village>" ("03-017"), unique within
    the commune; a household founded later takes the next number of its village.
    """
    by_commune: dict[str, list[VillageFrame]] = {}
    for village in villages:
        by_commune.setdefault(village.commune_code, []).append(village)
    district_of = {commune.code: commune.district_code for commune in communes}
    commune_name = {commune.code: commune.name for commune in communes}
    growing: list[_Growing] = []
    for commune in communes:
        own = by_commune.get(commune.code, [])
        if not own:
            continue
        low, high = HOUSEHOLDS_PER_COMMUNE_2007
        total = round(len(own) * rng.uniform(*HOUSEHOLDS_PER_VILLAGE))
        total = max(low, min(high, total))
        # Villages differ in size; each is mostly of one people.
        weights = [rng.uniform(0.6, 1.4) for _ in own]
        main_people = [people.choose_people(rng, commune.district_code) for _ in own]
        for index in rng.choices(range(len(own)), weights=weights, k=total):
            village = own[index]
            kinh = rng.random() < people.KINH_SHARE.get(village.kind, 0.1)
            ethnicity = people.KINH if kinh else main_people[index]
            family = people.new_family(rng, ethnicity, commune.district_code)
            members = people.household_members(
                rng,
                family,
                commune.district_code,
                formed_year=first_year,
                head_age=round(rng.triangular(20, 72, 32)),
                last_year=last_year,
            )
            growing.append(_Growing(village, family, first_year, None, members))
    # One draw per household and year decides whether it leaves, splits or stays; numpy makes
    # the 700,000 draws, Python handles the few households something happens to.
    draws = np.random.default_rng(rng.getrandbits(64))
    for year in range(first_year + 1, last_year + 1):
        active = np.array([i for i, h in enumerate(growing) if h.left_year is None])
        chance = draws.random(len(active))
        for index in active[chance < LEAVE_RATE].tolist():
            growing[index].left_year = year
        splitting = (chance >= LEAVE_RATE) & (chance < LEAVE_RATE + SPLIT_RATE)
        for index in active[splitting].tolist():
            household = growing[index]
            founder = _founder(rng, household, year)
            if founder is None:
                continue
            head = household.members[founder]
            household.members[founder] = head._replace(moved_out=year)
            district = district_of[household.village.commune_code]
            members = people.household_members(
                rng,
                household.family,
                district,
                formed_year=year,
                head_age=rng.randint(19, 30),
                last_year=last_year,
                head=head,
            )
            growing.append(_Growing(household.village, household.family, year, index, members))
    # Number households village by village: those of 2007 first, then in order of founding.
    order = sorted(
        range(len(growing)),
        key=lambda i: (growing[i].village.commune_code, growing[i].village.code, i),
    )
    codes: dict[int, str] = {}
    counters: dict[str, int] = {}
    for index in order:
        village = growing[index].village
        counters[village.code] = counters.get(village.code, 0) + 1
        codes[index] = f"{_village_number(village.code)}-{counters[village.code]:03d}"
    plans: list[HouseholdPlan] = []
    for index, household in enumerate(growing):
        village = household.village
        # Nobody is born into a household after it has left the commune.
        members = [
            m
            for m in household.members
            if household.left_year is None or m.birth_year < household.left_year
        ]
        plans.append(
            HouseholdPlan(
                commune_code=village.commune_code,
                village_code=village.code,
                code=codes[index],
                head_name=members[0].full_name,
                address=f"{village.name}, {commune_name[village.commune_code]}",
                ethnicity=household.family.ethnicity,
                registered_year=household.registered_year,
                left_year=household.left_year,
                parent=household.parent,
                members=tuple(members),
            )
        )
    return plans
