"""Estimates as indicators: figures that are not sums of commune facts (issue 19).

An `estimate` indicator (`unit_aggregation = "estimate"`, `estimator = "<name>"`) is computed
by calling its estimator once per program and unit where an estimate means something: each
district and province of the program's communes (a commune is too small: it gets no row).
The estimator belongs to an app above this one (the exit-rate difference is `economy`'s), so
it registers here from its AppConfig.ready, with the `core.derived` sources it reads:

    register_estimator("support_exit", estimate, reads={"census.official", ...})

`estimator(program_id, unit_ids)` returns a `domain.UnitEstimate` per unit (and
disaggregation): the estimate with its 95 % interval, or no value and the reason. The rows
are stored in `Aggregate` beside the others (`ci_low`, `ci_high`, `note`), written by the
rebuild, by the refresher `indicators.estimates` (registered with the union of the sources the
estimators read: a census approval or a delivery re-estimates the district and province of
its commune, never a commune — in a background task, `tasks.py`, as it reads their whole
panel) and compared by `aggregates check`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from django.utils import translation

from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import domain
from ketnghia.indicators.definitions import builtin_definitions
from ketnghia.programs.models import ProgramCommune

Estimator = Callable[[int, Sequence[int]], list[domain.UnitEstimate]]
# The name of the estimates' refresher in `core.derived`.
REFRESHER = "indicators.estimates"
ESTIMATORS: dict[str, Estimator] = {}
_READS: set[str] = set()


def register_estimator(name: str, estimator: Estimator, *, reads: Iterable[str]) -> None:
    """Register `estimator` under `name` and re-estimate when any of `reads` changes."""
    from ketnghia.core import derived
    from ketnghia.indicators.tasks import estimates_refresh_later

    ESTIMATORS[name] = estimator
    _READS.update(reads)
    derived.register(estimates_refresh_later, name=REFRESHER, reads=set(_READS))


def estimate_definitions() -> list[domain.IndicatorDefinition]:
    return [d for d in builtin_definitions() if d.is_estimate]


def estimate_codes() -> list[str]:
    return [d.code for d in estimate_definitions()]


def units_above(commune_ids: Sequence[int]) -> list[int]:
    """Return the districts and provinces above `commune_ids`."""
    found: set[int] = set()
    for parent, grand in Unit.objects.filter(pk__in=list(commune_ids)).values_list(
        "parent_id", "parent__parent_id"
    ):
        found.update(u for u in (parent, grand) if u is not None)
    return sorted(found)


def program_units(within: Sequence[int] | None = None) -> dict[int, list[int]]:
    """Return program → the districts and provinces of its communes (only `within` when
    given)."""
    pairs = list(ProgramCommune.objects.values_list("program_id", "commune_id").distinct())
    above = {
        pk: (parent, grand)
        for pk, parent, grand in Unit.objects.filter(
            pk__in={c for _p, c in pairs}, level=UnitLevel.COMMUNE
        ).values_list("pk", "parent_id", "parent__parent_id")
    }
    found: dict[int, set[int]] = defaultdict(set)
    for program_id, commune_id in pairs:
        found[program_id].update(u for u in above.get(commune_id, ()) if u is not None)
    wanted = None if within is None else set(within)
    return {
        program_id: sorted(u for u in units if wanted is None or u in wanted)
        for program_id, units in found.items()
        if any(wanted is None or u in wanted for u in units)
    }


def compute_estimates(within: Sequence[int] | None = None) -> list[domain.AggregateRow]:
    """Return the rows of every estimate indicator: per program, its districts and provinces
    (only `within` when given), one estimator call per program and indicator."""
    definitions = estimate_definitions()
    if not definitions:
        return []
    units = program_units(within)
    rows: list[domain.AggregateRow] = []
    # The reasons are stored in Vietnamese whatever the caller's language (a check in English
    # finds what a rebuild in Vietnamese wrote).
    with translation.override("vi"):
        for definition in definitions:
            estimator = ESTIMATORS.get(definition.estimator)
            if estimator is None:
                continue
            for program_id, unit_ids in sorted(units.items()):
                rows.extend(domain.estimate_rows(definition, estimator(program_id, unit_ids)))
    return rows
