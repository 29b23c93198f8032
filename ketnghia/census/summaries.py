"""Stored round summaries: households by status and transitions, refreshed in set-based SQL.

The commune page shows, per census year, the year's figure (its latest approved revision,
else its latest revision) with its counts and its transitions from the previous census year.
Computing that per request reads every entry of every year; instead each write that changes
a round's entries, or which revision is a year's figure, calls `round_refresh` in its own
transaction, and the page reads `RoundSummary` rows (one per round).

Transitions follow `rules.transition`: a round is compared with the figure of the commune's
previous census year; "fell back" is a household poor now, not poor in the previous year,
and poor in a figure round of some year before that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet

from ketnghia.census import rules as census_rules
from ketnghia.census.models import CensusEntry, CensusRound, RoundSummary, entry_search_text
from ketnghia.census.workflow import APPROVED_STATES
from ketnghia.core import derived
from ketnghia.households.models import Member, Relation
from ketnghia.imports.staging import StagingTable

# Statuses and transitions, as the summary's columns.
STATUS_COLUMNS = ("poor", "near_poor", "average", "not_poor")
TRANSITION_COLUMNS = (
    "remained_poor",
    "exited_poverty",
    "newly_poor",
    "fell_back",
    "remained_not_poor",
    "new_household",
    "households_left",
)
_BATCH = 2000


def year_figures(rounds: Iterable[tuple[int, int, int, int, str]]) -> dict[tuple[int, int], int]:
    """Return (commune id, year) → the figure round's id, from (id, commune, year, rev, state).

    The figure is the latest approved revision, else the latest revision
    (`census.rules.figure_rounds`).
    """
    return census_rules.figure_rounds(
        (pk, commune_id, year, revision, state in APPROVED_STATES)
        for pk, commune_id, year, revision, state in rounds
    )


def _pairs(
    rounds: Sequence[tuple[int, int, int, int, str]], from_year: int | None
) -> tuple[list[tuple[int, int | None, int, int | None]], dict[tuple[int, int], int]]:
    """Return (round, previous figure round, commune, previous year) per round to refresh."""
    figures = year_figures(rounds)
    years: dict[int, list[int]] = {}
    for commune_id, year in sorted(figures):
        years.setdefault(commune_id, []).append(year)
    previous_year: dict[tuple[int, int], int | None] = {}
    for commune_id, ordered in years.items():
        for before, year in zip([None, *ordered], ordered, strict=False):
            previous_year[(commune_id, year)] = before
    pairs = []
    for pk, commune_id, year, _revision, _state in rounds:
        if from_year is not None and year < from_year:
            continue
        before = previous_year[(commune_id, year)]
        previous = figures[(commune_id, before)] if before is not None else None
        pairs.append((pk, previous, commune_id, before))
    return pairs, figures


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "entries": quote(CensusEntry._meta.db_table),
        "summaries": quote(RoundSummary._meta.db_table),
    }


def _refresh(rounds: Sequence[tuple[int, int, int, int, str]], from_year: int | None) -> int:
    pairs, figures = _pairs(rounds, from_year)
    if not pairs:
        return 0
    t = _tables()
    pair_table = StagingTable(
        (
            ("round_id", "bigint"),
            ("previous_id", "bigint"),
            ("commune_id", "bigint"),
            ("previous_year", "integer"),
        ),
        prefix="census_summary_pairs",
    )
    figure_table = StagingTable(
        (("commune_id", "bigint"), ("year", "integer"), ("round_id", "bigint")),
        prefix="census_summary_figures",
    )
    pair_table.create()
    figure_table.create()
    try:
        pair_table.insert(pairs)
        figure_table.insert((c, y, pk) for (c, y), pk in figures.items())
        pair_table.index("round_id")
        figure_table.index("commune_id", "year")
        p, f = pair_table.quoted, figure_table.quoted
        entries, summaries = t["entries"], t["summaries"]
        # Poor in a figure round of a year before the previous one: "fell back", not "newly".
        earlier_poor = f"""EXISTS (
            SELECT 1 FROM {f} f JOIN {entries} x ON x.round_id = f.round_id
            WHERE f.commune_id = p.commune_id AND f.year < p.previous_year
              AND x.household_id = e.household_id AND x.status = 'poor')"""
        moved = "p.previous_id IS NOT NULL AND pe.id IS NOT NULL"
        columns = ", ".join(
            ("round_id", "previous_round_id", "households", *STATUS_COLUMNS, *TRANSITION_COLUMNS)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {summaries} WHERE round_id IN (SELECT round_id FROM {p})")
            cursor.execute(
                f"""
                INSERT INTO {summaries} ({columns})
                SELECT p.round_id, p.previous_id, COUNT(e.id),
                  SUM(CASE WHEN e.status = 'poor' THEN 1 ELSE 0 END),
                  SUM(CASE WHEN e.status = 'near_poor' THEN 1 ELSE 0 END),
                  SUM(CASE WHEN e.status = 'average' THEN 1 ELSE 0 END),
                  SUM(CASE WHEN e.status = 'not_poor' THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {moved} AND pe.status = 'poor' AND e.status = 'poor'
                      THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {moved} AND pe.status = 'poor' AND e.status <> 'poor'
                      THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {moved} AND pe.status <> 'poor' AND e.status = 'poor'
                      AND NOT {earlier_poor} THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {moved} AND pe.status <> 'poor' AND e.status = 'poor'
                      AND {earlier_poor} THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {moved} AND pe.status <> 'poor' AND e.status <> 'poor'
                      THEN 1 ELSE 0 END),
                  SUM(CASE WHEN p.previous_id IS NOT NULL AND e.id IS NOT NULL AND pe.id IS NULL
                      THEN 1 ELSE 0 END),
                  0
                FROM {p} p
                LEFT JOIN {entries} e ON e.round_id = p.round_id
                LEFT JOIN {entries} pe
                  ON pe.round_id = p.previous_id AND pe.household_id = e.household_id
                GROUP BY p.round_id, p.previous_id
                """
            )
            cursor.execute(
                f"""
                UPDATE {summaries} SET households_left = gone.n
                FROM (
                  SELECT p.round_id AS round_id, COUNT(*) AS n
                  FROM {p} p JOIN {entries} pe ON pe.round_id = p.previous_id
                  WHERE NOT EXISTS (
                    SELECT 1 FROM {entries} e
                    WHERE e.round_id = p.round_id AND e.household_id = pe.household_id)
                  GROUP BY p.round_id
                ) AS gone
                WHERE {summaries}.round_id = gone.round_id
                """
            )
    finally:
        pair_table.drop()
        figure_table.drop()
    return len(pairs)


def _round_rows(**filters: object) -> list[tuple[int, int, int, int, str]]:
    return list(
        CensusRound.objects.filter(**filters)
        .order_by()
        .values_list("id", "commune_id", "year", "revision", "state")
    )


def round_refresh(*, census_round: CensusRound) -> None:
    """Refresh what is derived from `census_round`'s entries, inside the caller's transaction.

    The summaries of its commune's rounds from its year on (a change in one year moves the
    transitions of every later year), in set-based SQL. The entries' folded search text is
    not refreshed here: `CensusEntry.save` folds it, and the import writes it with each entry
    (`importing.plan.write_import`), so a refresh never rewrites the round's entries.
    """
    _refresh(_round_rows(commune_id=census_round.commune_id), census_round.year)
    # Written entries, or a members sheet that changed heads: any round of the commune.
    entries_heads_refresh(commune_ids=[census_round.commune_id])
    # The indicators' aggregates (coverage reads the latest approved round of a year or
    # before, so every year of the commune may move).
    derived.inputs_changed(commune_ids=[census_round.commune_id], source="census.entries")


def summaries_rebuild(*, commune_ids: Iterable[int] | None = None) -> int:
    """Rebuild the summaries of every round (or of the given communes); return how many."""
    filters = {} if commune_ids is None else {"commune_id__in": list(commune_ids)}
    entries_heads_refresh(commune_ids=commune_ids)
    return _refresh(_round_rows(**filters), None)


def entries_heads_refresh(
    *, commune_ids: Iterable[int] | None = None, years: object = None, actor: object = None
) -> int:
    """Store on every entry of the communes' rounds (every round when None) the ethnicity of
    its household's head now; return how many entries changed. Set-based: one UPDATE joined
    with the first head of each household, one setting NULL where the household has none.

    The head is the household's first member (lowest id) with the relation "head". Also the
    `core.derived` refresher of a head's change (`households.heads`): the head is the same in
    every year, so `years` is not read (nor `actor`: no history).
    """
    quote = connection.ops.quote_name
    entries, rounds = quote(CensusEntry._meta.db_table), quote(CensusRound._meta.db_table)
    members = quote(Member._meta.db_table)
    where, of_rounds, ids = "", "", []
    if commune_ids is not None:
        ids = sorted(set(commune_ids))
        if not ids:
            return 0
        marks = ", ".join(["%s"] * len(ids))
        where = (
            f" AND {entries}.round_id IN (SELECT id FROM {rounds} WHERE commune_id IN ({marks}))"
        )
        # The same filter, for the UPDATE joined by household: as `round_id IN (…)` SQLite
        # looked up each household's entries through the (round, household) index once per
        # round (48 s for the demo's 1,000 rounds); as EXISTS it reads them by household and
        # checks each entry's round (1.6 s).
        of_rounds = (
            f" AND EXISTS (SELECT 1 FROM {rounds} r"
            f" WHERE r.id = {entries}.round_id AND r.commune_id IN ({marks}))"
        )
    of_entries = f"SELECT household_id FROM {entries} WHERE 1 = 1{where}"
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    # A join, not a lookup per entry: a lookup per entry took 13 s for the demo's 660,000
    # entries on SQLite, the join a fraction of that. The households without a head: NOT
    # EXISTS (an anti-join on PostgreSQL; NOT IN over a subquery too big to hash is
    # re-scanned per row there).
    heads = f"""(SELECT m.household_id, m.ethnicity FROM {members} m JOIN (
          SELECT household_id, MIN(id) AS first FROM {members}
          WHERE relation = %s AND household_id IN ({of_entries}) GROUP BY household_id
        ) f ON m.id = f.first)"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {entries} SET head_ethnicity = h.ethnicity FROM {heads} h
                WHERE h.household_id = {entries}.household_id
                  AND {entries}.head_ethnicity {differs} h.ethnicity{of_rounds}""",
            [Relation.HEAD, *ids, *ids],
        )
        changed = cursor.rowcount
        cursor.execute(
            f"""UPDATE {entries} SET head_ethnicity = NULL
                WHERE head_ethnicity IS NOT NULL{where} AND NOT EXISTS (
                  SELECT 1 FROM {members} m
                  WHERE m.household_id = {entries}.household_id AND m.relation = %s)""",
            [*ids, Relation.HEAD],
        )
        return changed + cursor.rowcount


def entries_fold_names(entries: QuerySet[CensusEntry] | None = None) -> int:
    """Store the folded search text of `entries` (a queryset; every entry by default).

    For `census-summaries rebuild` after migrating an older database: row by row in Python,
    a minute per 100,000 changed entries on PostgreSQL, so never on an import's path.
    """
    queryset = CensusEntry.objects.all() if entries is None else entries
    changed = 0
    rows = queryset.order_by().values_list("id", "household_code", "head_name", "search_folded")
    batch: list[CensusEntry] = []
    for pk, code, name, stored in rows.iterator(chunk_size=_BATCH):
        text = entry_search_text(code, name)
        if text != stored:
            batch.append(CensusEntry(id=pk, search_folded=text))
        if len(batch) >= _BATCH:
            CensusEntry.objects.bulk_update(batch, ["search_folded"])
            changed += len(batch)
            batch = []
    if batch:
        CensusEntry.objects.bulk_update(batch, ["search_folded"])
        changed += len(batch)
    return changed
