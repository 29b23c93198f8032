"""Pure rules of the twinning network: periods, the program's network rules, coverage ratios.

Everything here works on plain values. A person's phone leaves only through the project's
personal-data door (`core.personal_data`, outputs declared in `twinning/disclosures.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


def period_problem(start: date | None, end: date | None) -> bool:
    """Return whether a period is malformed: no start, or an end before the start."""
    return start is None or (end is not None and end < start)


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Return whether two closed periods (an open end runs forever) share a day."""
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


def active_on(start: date, end: date | None, on: date) -> bool:
    """Return whether the period [start, end] contains `on`."""
    return start <= on and (end is None or on <= end)


@dataclass(frozen=True)
class NetworkRules:
    """A program's rules for its network, as plain values (the model stores them per program)."""

    one_twinning_unit_per_commune: bool = True
    max_households_per_party_member: int = 10
    committee_member_village_in_commune: bool = True
    party_member_household_in_commune: bool = True

    @classmethod
    def strictest(cls, rules: list[NetworkRules]) -> NetworkRules:
        """Return the rules a commune on several programs' lists must keep: each at its strictest."""
        if not rules:
            return cls()
        return cls(
            one_twinning_unit_per_commune=any(r.one_twinning_unit_per_commune for r in rules),
            max_households_per_party_member=min(r.max_households_per_party_member for r in rules),
            committee_member_village_in_commune=any(
                r.committee_member_village_in_commune for r in rules
            ),
            party_member_household_in_commune=any(
                r.party_member_household_in_commune for r in rules
            ),
        )


def load_exceeds_cap(current_load: int, cap: int) -> bool:
    """Return whether a Party member with `current_load` households may take no more."""
    return current_load >= cap


def village_number(code: str) -> int:
    """Return a village's ordinal within its commune from its code ("23500-07" → 7), else 0."""
    tail = code.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


# --- coverage: numerators over denominators -------------------------------------------

MEASURES: tuple[str, ...] = (
    "has_twinning_unit",
    "villages_with_district_office",
    "villages_with_committee_member",
    "poor_households_with_party_member",
    "activities",
    "party_members_within_cap",
)


@dataclass(frozen=True)
class Ratio:
    """A coverage figure: how many of how many (the CHT "percent" widget's pass/total)."""

    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def complete(self) -> bool:
        return self.numerator == self.denominator

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)

    def as_dict(self) -> dict[str, int]:
        return {"numerator": self.numerator, "denominator": self.denominator}


@dataclass(frozen=True)
class CommuneFacts:
    """What the coverage of one commune on one day is computed from (plain ids)."""

    twinned: bool
    village_ids: frozenset[int]
    office_village_ids: frozenset[int]
    committee_village_ids: frozenset[int]
    poor_household_ids: frozenset[int]
    covered_household_ids: frozenset[int]
    activities: int
    confirmed_activities: int
    member_loads: tuple[int, ...]
    cap: int


def commune_measures(facts: CommuneFacts) -> dict[str, Ratio]:
    """Return each coverage measure of a commune as a Ratio.

    `activities` counts the year's activities confirmed by the commune over all recorded;
    `party_members_within_cap` the Party members in charge of households at or under the cap.
    """
    villages = facts.village_ids
    poor = facts.poor_household_ids
    return {
        "has_twinning_unit": Ratio(int(facts.twinned), 1),
        "villages_with_district_office": Ratio(
            len(villages & facts.office_village_ids), len(villages)
        ),
        "villages_with_committee_member": Ratio(
            len(villages & facts.committee_village_ids), len(villages)
        ),
        "poor_households_with_party_member": Ratio(
            len(poor & facts.covered_household_ids), len(poor)
        ),
        "activities": Ratio(facts.confirmed_activities, facts.activities),
        "party_members_within_cap": Ratio(
            sum(1 for load in facts.member_loads if load <= facts.cap), len(facts.member_loads)
        ),
    }


def total_measures(per_commune: list[dict[str, Ratio]]) -> dict[str, Ratio]:
    """Return the program-wide totals: every numerator and denominator summed."""
    totals = {name: Ratio(0, 0) for name in MEASURES}
    for measures in per_commune:
        for name, ratio in measures.items():
            totals[name] = totals[name] + ratio
    return totals


def quarter_of(day: date) -> int:
    """Return the quarter (1–4) `day` falls in."""
    return (day.month - 1) // 3 + 1
