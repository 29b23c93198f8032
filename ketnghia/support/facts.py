"""Support's facts for the indicator engine, registered with `indicators.facts`.

`support_value_delivered`: the value (VND) of the deliveries of the commune's delivered and
reconciled cycles, by year of delivery; also per fund source under the disaggregation key
`source:<source>` (`central`, `province`, …).

`poor_households_supported`: households poor in the commune's figure round of the year
(official: the latest approved revision; in progress: as the census facts) that received a
delivery of the commune's cycles that year (delivered or reconciled, quantity above 0). Its
denominator is the census fact `poor_households` of the same round, so the share is at most
100 %.

A delivery counts in the year of its own delivery date. The writes that change these facts
report `support.deliveries` to `core.derived` (`services.cycle_deliver`, `cycle_reconcile`);
the census writes already refresh the communes whose rounds change.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.indicators.domain import SOURCE_PREFIX
from ketnghia.indicators.facts import LoadedFacts, _figure_rounds, _in, _table
from ketnghia.support import rules
from ketnghia.support.models import Cycle, Delivery, Fund


def _year(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%Y', {column}) AS integer)"
    return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"


def _spent() -> tuple[str, list[str]]:
    states = sorted(rules.SPENT_STATES)
    return ", ".join(["%s"] * len(states)), states


def load_support_facts(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> None:
    """Add the support facts of `commune_ids` (every commune when None), every year."""
    where, ids = _in("c.commune_id", commune_ids)
    spent, states = _spent()
    year = _year("d.delivered_on")
    sql = f"""
        SELECT c.commune_id, {year}, f.source, SUM(d.delivered_value)
        FROM {_table(Delivery)} d
          JOIN {_table(Cycle)} c ON c.id = d.cycle_id
          JOIN {_table(Fund)} f ON f.id = c.fund_id
        WHERE c.state IN ({spent}) AND d.delivered_on IS NOT NULL
          AND d.delivered_value IS NOT NULL{where}
        GROUP BY c.commune_id, {year}, f.source
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*states, *ids])
        rows = cursor.fetchall()
    if not rows:
        return  # nothing delivered: no value, and no poor household supported
    totals: dict[tuple[int, int], float] = {}
    for commune_id, delivery_year, source, value in rows:
        key = (commune_id, int(delivery_year))
        totals[key] = totals.get(key, 0.0) + float(value or 0)
        for official in (True, False):
            loaded.put(
                commune_id,
                int(delivery_year),
                official,
                f"{SOURCE_PREFIX}{source}",
                support_value_delivered=float(value or 0),
            )
    for (commune_id, delivery_year), value in totals.items():
        loaded.put_both(commune_id, delivery_year, support_value_delivered=value)
    _poor_supported(loaded, commune_ids)


def _poor_supported(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> None:
    """Add, per figure round, its poor households that received a delivery in its year."""
    where, ids = _in("r.commune_id", commune_ids)
    spent, states = _spent()
    year = _year("d.delivered_on")
    sql = f"""
        SELECT e.round_id, COUNT(DISTINCT e.household_id)
        FROM {_table(Delivery)} d
          JOIN {_table(Cycle)} c ON c.id = d.cycle_id
          JOIN {_table(CensusEntry)} e ON e.household_id = d.household_id
          JOIN {_table(CensusRound)} r ON r.id = e.round_id
        WHERE c.state IN ({spent}) AND d.delivered_quantity > 0 AND d.delivered_on IS NOT NULL
          AND e.status = 'poor' AND r.commune_id = c.commune_id AND r.year = {year}{where}
        GROUP BY e.round_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*states, *ids])
        supported = dict(cursor.fetchall())
    if not supported:
        return
    for pk, commune, round_year, official, progress, *_counts in _figure_rounds(commune_ids):
        count = supported.get(pk)
        if not count:
            continue
        for flag, holds in ((True, official), (False, progress)):
            if holds:
                loaded.put(commune, round_year, flag, "", poor_households_supported=float(count))
