"""The economy's facts for the indicator engine, registered with `indicators.facts`.

`economic_models`: models hosted in the commune with a result that year;
`replication_villages`: villages of the commune hosting a replication with a result that year.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from ketnghia.economy.models import EconomicModel, ModelResult
from ketnghia.indicators.facts import LoadedFacts, _in, _table


def load_economy_facts(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> None:
    """Add the two economy facts of `commune_ids` (every commune when None), every year."""
    where, ids = _in("m.commune_id", commune_ids)
    sql = f"""
        SELECT m.commune_id, r.year, COUNT(DISTINCT m.id),
               COUNT(DISTINCT CASE WHEN m.origin_id IS NOT NULL THEN m.village_id END)
        FROM {_table(EconomicModel)} m JOIN {_table(ModelResult)} r ON r.model_id = m.id
        WHERE 1 = 1{where}
        GROUP BY m.commune_id, r.year
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    for commune_id, year, models, villages in rows:
        loaded.put_both(
            commune_id,
            int(year),
            economic_models=float(models),
            replication_villages=float(villages),
        )
