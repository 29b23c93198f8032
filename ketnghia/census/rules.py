"""Pure census rules: year-on-year transitions, workflow order and the series break."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from ketnghia.poverty import rules as poverty_rules
from ketnghia.poverty.domain import Area, Standard

POOR = "poor"

K = TypeVar("K")


class Transition(StrEnum):
    REMAINED_POOR = "remained_poor"
    EXITED_POVERTY = "exited_poverty"
    NEWLY_POOR = "newly_poor"
    FELL_BACK = "fell_back"
    REMAINED_NOT_POOR = "remained_not_poor"
    NEW_HOUSEHOLD = "new_household"
    LEFT = "left"


def transition(
    previous: str | None, current: str | None, *, poor_before_previous: bool = False
) -> Transition:
    """Return how a household moved between two consecutive rounds.

    `None` means the household is absent from that round. "Fell back" (tái nghèo) is a
    household poor now, not poor last round, but poor in some round before that; "newly poor"
    (nghèo phát sinh) is one poor now that had never been poor.
    """
    if previous is None and current is None:
        raise ValueError("a household must be in at least one of the two rounds")
    if previous is None:
        return Transition.NEW_HOUSEHOLD
    if current is None:
        return Transition.LEFT
    if previous == POOR:
        return Transition.REMAINED_POOR if current == POOR else Transition.EXITED_POVERTY
    if current == POOR:
        return Transition.FELL_BACK if poor_before_previous else Transition.NEWLY_POOR
    return Transition.REMAINED_NOT_POOR


def transitions(
    previous: Mapping[K, str], current: Mapping[K, str], poor_before_previous: Iterable[K] = ()
) -> dict[K, Transition]:
    """Return each household's transition between two rounds (keys: household ids)."""
    earlier_poor = set(poor_before_previous)
    return {
        key: transition(
            previous.get(key), current.get(key), poor_before_previous=key in earlier_poor
        )
        for key in previous.keys() | current.keys()
    }


def transition_counts(moves: Mapping[K, Transition]) -> dict[str, int]:
    """Count households per transition, every transition present (zero where none)."""
    counted = Counter(moves.values())
    return {t.value: counted.get(t, 0) for t in Transition}


def series_breaks(previous_standard: str | None, current_standard: str) -> bool:
    """Return whether two consecutive rounds were measured under different standards."""
    return previous_standard is not None and previous_standard != current_standard


def poverty_rate(poor: int, households: int) -> float | None:
    """Return the share of poor households in percent, None where there are no households."""
    return None if households == 0 else 100.0 * poor / households


def statuses_of(standard: Standard) -> frozenset[str]:
    """Return the statuses `standard` can give (no near-poor band before 2011, no average
    band before 2022): a category a standard does not have is "—" in a table, not "0"."""
    return frozenset(
        clause.status.value
        for area in Area.values
        for clause in poverty_rules.clauses(standard, area)
    )


# --- the year's official round ---------------------------------------------------------------
#
# The one rule (design: "one home per rule"). A commune's census of a year may have several
# revisions (a correction after approval is a new revision). The year's **official round** is
# its highest approved revision (a state of `workflow.APPROVED_STATES`); a year with no
# approved revision has none, and a correction in progress never displaces the approved one.
# The year's **figure round** (what pages show while a year is in progress) is the official
# round, else the highest revision. Callers: `census.selectors.official_round_ids` and
# `latest_official_round_ids` (criteria, twinning coverage), `census.summaries.year_figures`;
# the indicators' SQL (`indicators/facts.py`, `_figure_rounds`) says the same in SQL and a test
# holds the two to the same answer (`indicators/tests/test_official_round.py`).

RoundRow = tuple[int, int, int, int, bool]  # (round id, commune id, year, revision, approved)


def official_rounds(rows: Iterable[RoundRow]) -> dict[tuple[int, int], int]:
    """Return (commune id, year) → the id of the year's official round (highest approved
    revision); years without an approved revision are left out."""
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for pk, commune_id, year, revision, approved in rows:
        key = (commune_id, year)
        if approved and (key not in best or revision > best[key][0]):
            best[key] = (revision, pk)
    return {key: pk for key, (_revision, pk) in best.items()}


def figure_rounds(rows: Iterable[RoundRow]) -> dict[tuple[int, int], int]:
    """Return (commune id, year) → the id of the year's figure round: the official round,
    else the highest revision."""
    best: dict[tuple[int, int], tuple[bool, int, int]] = {}
    for pk, commune_id, year, revision, approved in rows:
        key = (commune_id, year)
        candidate = (approved, revision, pk)
        if key not in best or candidate > best[key]:
            best[key] = candidate
    return {key: pk for key, (_approved, _revision, pk) in best.items()}


def latest_official(official: Mapping[tuple[int, int], int], year: int) -> dict[int, int]:
    """Return commune id → the official round of its latest year ≤ `year` that has one
    (what coverage reads: the poor of the latest approved census, a year without one
    keeping the earlier)."""
    chosen: dict[int, tuple[int, int]] = {}
    for (commune_id, round_year), pk in official.items():
        if round_year <= year and (commune_id not in chosen or round_year > chosen[commune_id][0]):
            chosen[commune_id] = (round_year, pk)
    return {commune_id: pk for commune_id, (_year, pk) in chosen.items()}
