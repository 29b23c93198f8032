"""Reassignment proposals: Party members to poor households, solved as a min-cost flow.

Pure: plain households and members in, proposed rows and the households left uncovered out.
The network is source → member (one unit arc per free place, costing the member's load
after taking it, so loads even out) → village (costing the distance between the member's
village and the household's, far more than any load difference, so a member of the same
village is preferred, then the nearest) → sink (one unit per household still needing a
member). An arc source → village at a prohibitive cost absorbs what no member can take:
those households are reported with the reason. Households of one village are
interchangeable for the cost, so the flow is solved per village and the households handed
out in code order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx

DISTANCE_COST = 10_000
NO_VILLAGE_DISTANCE = 1_000
UNCOVERED_COST = 10**12

NO_MEMBER = "no_member"
AT_CAP = "at_cap"


@dataclass(frozen=True)
class NeedyHousehold:
    """A poor or near-poor household with no Party member in charge."""

    id: int
    code: str
    village_number: int | None


@dataclass(frozen=True)
class Member:
    """An active Party member of the commune, with how many households they answer for."""

    id: int
    name: str
    village_number: int | None
    load: int
    cap: int

    @property
    def free(self) -> int:
        return max(self.cap - self.load, 0)


@dataclass(frozen=True)
class ProposedRow:
    household_id: int
    household_code: str
    member_id: int
    member_name: str
    distance: int


@dataclass(frozen=True)
class Uncovered:
    household_id: int
    household_code: str
    reason: str


@dataclass(frozen=True)
class Proposal:
    rows: list[ProposedRow]
    uncovered: list[Uncovered]
    loads_after: dict[int, int]


def _distance(member: Member, village: int | None) -> int:
    if member.village_number is None or village is None:
        return NO_VILLAGE_DISTANCE
    return abs(member.village_number - village)


def propose(households: list[NeedyHousehold], members: list[Member]) -> Proposal:
    """Return Party-member assignments covering as many `households` as the caps allow."""
    by_village: dict[int | None, list[NeedyHousehold]] = defaultdict(list)
    for household in sorted(households, key=lambda h: h.code):
        by_village[household.village_number].append(household)
    free_members = [m for m in members if m.free > 0]
    graph = nx.MultiDiGraph()
    total = len(households)
    graph.add_node("s", demand=-total)
    graph.add_node("t", demand=total)
    for village, group in by_village.items():
        node = ("v", village)
        graph.add_edge(node, "t", capacity=len(group), weight=0)
        graph.add_edge("s", node, capacity=len(group), weight=UNCOVERED_COST)
    for member in free_members:
        node = ("m", member.id)
        for step in range(member.free):
            graph.add_edge("s", node, capacity=1, weight=member.load + step + 1)
        for village in by_village:
            graph.add_edge(
                node,
                ("v", village),
                capacity=member.free,
                weight=DISTANCE_COST * _distance(member, village),
            )
    flow = nx.min_cost_flow(graph) if total else {}

    rows: list[ProposedRow] = []
    loads = {m.id: m.load for m in members}
    covered_per_village: dict[int | None, int] = defaultdict(int)
    for member in sorted(free_members, key=lambda m: m.id):
        out = flow.get(("m", member.id), {})
        for (kind, village), arcs in sorted(out.items(), key=lambda kv: str(kv[0])):
            if kind != "v":
                continue
            amount = sum(arcs.values())
            group = by_village[village]
            start = covered_per_village[village]
            for household in group[start : start + amount]:
                rows.append(
                    ProposedRow(
                        household_id=household.id,
                        household_code=household.code,
                        member_id=member.id,
                        member_name=member.name,
                        distance=_distance(member, village),
                    )
                )
            covered_per_village[village] += amount
            loads[member.id] += amount
    reason = NO_MEMBER if not members else AT_CAP
    uncovered = [
        Uncovered(household_id=h.id, household_code=h.code, reason=reason)
        for village, group in by_village.items()
        for h in group[covered_per_village[village] :]
    ]
    rows.sort(key=lambda r: r.household_code)
    uncovered.sort(key=lambda u: u.household_code)
    return Proposal(rows=rows, uncovered=uncovered, loads_after=loads)
