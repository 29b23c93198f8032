"""Pure rules of economic models and their replication (no ORM)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal


def replication_cycle(
    model_id: int | None, origin_id: int | None, origins: Mapping[int, int | None]
) -> str | None:
    """Return "self" or "cycle" when linking `model_id` to `origin_id` would break the tree.

    `origins` maps every stored model to its origin (None for an original).
    """
    if origin_id is None:
        return None
    if model_id is not None and origin_id == model_id:
        return "self"
    seen: set[int] = set()
    current: int | None = origin_id
    while current is not None and current not in seen:
        if model_id is not None and current == model_id:
            return "cycle"
        seen.add(current)
        current = origins.get(current)
    return None


def negative_result(output: Decimal | int | float, income: int | float) -> list[str]:
    """Return the fields of a yearly result that are negative."""
    fields = []
    if Decimal(str(output)) < 0:
        fields.append("output")
    if income < 0:
        fields.append("income_per_household")
    return fields


@dataclass(frozen=True)
class Spread:
    """How far a model travelled: villages and households of its replications (all depths)."""

    villages: int
    households: int
    models: int


def descendants(model_id: int, children: Mapping[int, Iterable[int]]) -> list[int]:
    """Return every replication below `model_id`, breadth first."""
    out: list[int] = []
    queue = list(children.get(model_id, ()))
    seen = {model_id}
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        out.append(current)
        queue.extend(children.get(current, ()))
    return out


def spread(
    model_id: int,
    children: Mapping[int, Iterable[int]],
    village_of: Mapping[int, int],
    households_of: Mapping[int, set[int]],
) -> Spread:
    """Return the villages (other than the host's) and households reached by replications."""
    below = descendants(model_id, children)
    host = village_of.get(model_id)
    villages = {village_of[m] for m in below if m in village_of} - {host}
    households: set[int] = set()
    for m in below:
        households |= households_of.get(m, set())
    return Spread(len(villages), len(households), len(below))
