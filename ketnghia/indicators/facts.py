"""The facts indicators read, per base unit, year and variant: set-based SQL, one query per kind.

Each kind reads its source rows grouped in the database (never a Python loop per household
or entry) and gives plain numbers per commune (or village) and year:

| kind | facts | from |
|---|---|---|
| census | `households`, `poor_households`, `near_poor_households` | `RoundSummary` of the year's figure round: official = latest approved revision; in progress = latest approved, else latest revision (`census.summaries.year_figures`) |
| census by ethnicity | the same per `ethnicity:kinh` / `ethnicity:minority` of the head | entries of those rounds, by `CensusEntry.head_ethnicity` (the head's, stored on the entry) |
| criteria | `commune_meets_criteria`, `commune_assessed`, `village_meets_criteria`, `village_assessed` | stored `Assessment` of the set version in force (outcome meets or basically meets) |
| infrastructure | `road_car_passable`, `road_known` | `CommuneInfrastructure.road_to_centre` (all-season or dry-season car road) |
| coverage | `poor_households_covered`, `poor_households_latest_approved` | poor and near-poor entries of the latest approved round of the year or before, covered by a Party member's assignment in force on 31 December (`twinning.coverage`) |
| activities | `confirmed_activities` | twinning activities confirmed by the commune, by year of their date |
| economy | `economic_models`, `replication_villages` | economic models hosted in the commune with a result that year; villages of the commune hosting a replication with a result that year |

Facts other than the census ones do not depend on approval: they are given to both variants.
The census-by-ethnicity and the coverage facts come from one pass over the entries
(`_count_entries`); the rest read small tables.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q

from ketnghia.census.models import CensusEntry, CensusRound, RoundSummary
from ketnghia.census.selectors import official_round_ids
from ketnghia.census.workflow import APPROVED_STATES
from ketnghia.criteria.models import Assessment, CommuneInfrastructure, CriteriaSetVersion, Road
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.staging import StagingTable
from ketnghia.twinning.models import Activity, ActivityStatus, Assignment, AssignmentKind

KINH = "01"
VARIANTS = (True, False)
Key = tuple[int, int, bool, str]


@dataclass
class LoadedFacts:
    """Facts by (unit id, year, official, disaggregation); villages named with their commune."""

    facts: dict[Key, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    commune_of: dict[int, int] = field(default_factory=dict)
    level_of: dict[int, str] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)

    def put(self, unit_id: int, year: int, official: bool, key: str, **values: float) -> None:
        self.facts[(unit_id, year, official, key)].update(values)
        self.years.add(year)

    def put_both(self, unit_id: int, year: int, **values: float) -> None:
        for official in VARIANTS:
            self.put(unit_id, year, official, "", **values)


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _figure_rounds(
    commune_ids: Sequence[int] | None,
) -> list[tuple[int, int, int, bool, bool, int, int, int]]:
    """Return (round, commune, year, is official figure, is in-progress figure, households,
    poor, near-poor) for the rounds that are a figure of their (commune, year).

    The SQL form of the one rule of `census.rules` (set-based, over every round at once):
    "official" is `rules.official_rounds` (an approved round with no later approved
    revision of its year), "in progress" is `rules.figure_rounds` (the official round, else
    the highest revision when the year has no approved one).
    `indicators/tests/test_official_round.py` holds both to the same answer.
    """
    rounds, summaries = _table(CensusRound), _table(RoundSummary)
    approved = ", ".join(["%s"] * len(APPROVED_STATES))
    states = sorted(APPROVED_STATES)
    where, ids = _in("r.commune_id", commune_ids)
    later_approved = f"""EXISTS (SELECT 1 FROM {rounds} r2 WHERE r2.commune_id = r.commune_id
        AND r2.year = r.year AND r2.state IN ({approved}) AND r2.revision > r.revision)"""
    any_approved = f"""EXISTS (SELECT 1 FROM {rounds} r2 WHERE r2.commune_id = r.commune_id
        AND r2.year = r.year AND r2.state IN ({approved}))"""
    later = f"""EXISTS (SELECT 1 FROM {rounds} r2 WHERE r2.commune_id = r.commune_id
        AND r2.year = r.year AND r2.revision > r.revision)"""
    official = f"(r.state IN ({approved}) AND NOT {later_approved})"
    sql = f"""
        SELECT r.id, r.commune_id, r.year,
          CASE WHEN {official} THEN 1 ELSE 0 END,
          CASE WHEN {official} OR (NOT {any_approved} AND NOT {later}) THEN 1 ELSE 0 END,
          s.households, s.poor, s.near_poor
        FROM {rounds} r JOIN {summaries} s ON s.round_id = r.id
        WHERE 1 = 1{where}
    """
    params = [*states, *states, *states, *states, *states, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (pk, commune, year, bool(o), bool(p), int(h or 0), int(n or 0), int(near or 0))
        for pk, commune, year, o, p, h, n, near in rows
        if o or p
    ]


Variants = dict[int, list[tuple[int, int, bool]]]


def _census(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> Variants:
    """Add the census facts of each figure round; return round → its (commune, year, official)."""
    rounds = _figure_rounds(commune_ids)
    variants: Variants = defaultdict(list)
    for pk, commune, year, official, progress, households, poor, near in rounds:
        for flag, holds in ((True, official), (False, progress)):
            if holds:
                loaded.put(
                    commune,
                    year,
                    flag,
                    "",
                    households=households,
                    poor_households=poor,
                    near_poor_households=near,
                )
                variants[pk].append((commune, year, flag))
    return variants


def versions_in_force(code: str) -> dict[tuple[str, int], int]:
    """Return (level, year) → the id of set `code`'s latest active version covering the year."""
    found: dict[tuple[str, int], tuple[int, int]] = {}
    for pk, level, version, first, last in CriteriaSetVersion.objects.filter(
        code=code, active=True
    ).values_list("id", "level", "version", "first_year", "last_year"):
        for year in range(first, last + 1):
            if (level, year) not in found or found[(level, year)][0] < version:
                found[(level, year)] = (version, pk)
    return {key: pk for key, (_version, pk) in found.items()}


def _criteria(loaded: LoadedFacts, commune_ids: Sequence[int] | None, set_code: str) -> None:
    if not set_code:
        return
    in_force = versions_in_force(set_code)
    if not in_force:
        return
    condition = Q()
    years_by_version: dict[int, list[int]] = defaultdict(list)
    for (_level, year), pk in in_force.items():
        years_by_version[pk].append(year)
    for pk, years in years_by_version.items():
        condition |= Q(set_version_id=pk, year__in=years)
    rows = Assessment.objects.filter(condition)
    if commune_ids is not None:
        # The units by id (an index each), not through a join on the parent.
        villages = Unit.objects.filter(parent_id__in=commune_ids, level=UnitLevel.VILLAGE)
        unit_ids = [*commune_ids, *villages.values_list("id", flat=True)]
        rows = rows.filter(unit_id__in=unit_ids)
    for unit_id, level, parent_id, year, outcome in rows.values_list(
        "unit_id", "unit__level", "unit__parent_id", "year", "outcome"
    ).order_by():
        meets = float(outcome != "not_met")
        if level == UnitLevel.VILLAGE:
            loaded.commune_of[unit_id] = parent_id
            loaded.level_of[unit_id] = UnitLevel.VILLAGE
            loaded.put_both(unit_id, year, village_meets_criteria=meets, village_assessed=1.0)
        elif level == UnitLevel.COMMUNE:
            loaded.put_both(unit_id, year, commune_meets_criteria=meets, commune_assessed=1.0)


def _infrastructure(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> None:
    rows = CommuneInfrastructure.objects.exclude(road_to_centre="")
    if commune_ids is not None:
        rows = rows.filter(commune_id__in=commune_ids)
    passable = {Road.ALL_SEASON, Road.DRY_SEASON}
    for commune_id, year, road in rows.values_list("commune_id", "year", "road_to_centre"):
        loaded.put_both(commune_id, year, road_car_passable=float(road in passable), road_known=1.0)


def _activities(loaded: LoadedFacts, commune_ids: Sequence[int] | None) -> None:
    year = (
        "CAST(strftime('%%Y', a.date) AS integer)"
        if connection.vendor == "sqlite"
        else "CAST(EXTRACT(YEAR FROM a.date) AS integer)"
    )
    where, ids = _in("a.commune_id", commune_ids)
    sql = f"""
        SELECT a.commune_id, {year}, COUNT(*) FROM {_table(Activity)} a
        WHERE a.status = %s{where}
        GROUP BY a.commune_id, {year}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ActivityStatus.CONFIRMED, *ids])
        rows = cursor.fetchall()
    for commune_id, activity_year, n in rows:
        loaded.put_both(commune_id, int(activity_year), confirmed_activities=float(n))


# Facts of apps above indicators (the layers run one way: indicators may not import them).
# Each such app registers a loader here from its AppConfig.ready: it adds its facts to
# `loaded` for `commune_ids` (every commune when None), every year.
FactSource = Callable[["LoadedFacts", Sequence[int] | None], None]
FACT_SOURCES: list[FactSource] = []


def register_fact_source(source: FactSource) -> None:
    """Add a loader of an upper app's facts (idempotent: AppConfig.ready may run twice)."""
    if source not in FACT_SOURCES:
        FACT_SOURCES.append(source)


def _coverage_rounds(
    loaded: LoadedFacts, commune_ids: Sequence[int] | None
) -> list[tuple[int, int, int, str]]:
    """Return (commune, year, round, 31 December) for coverage: each year the commune has other
    facts for (its own, so a refresh of one commune gives what a rebuild gives) and the
    official round of the latest year ≤ it (`census.rules.latest_official`, for many years)."""
    years_of: dict[int, set[int]] = defaultdict(set)
    for unit_id, year, _official, _key in loaded.facts:
        years_of[loaded.commune_of.get(unit_id, unit_id)].add(year)
    latest: dict[int, dict[int, int]] = defaultdict(dict)
    # The official round of each (commune, year) (`census.rules.official_rounds`).
    for (commune_id, year), pk in official_round_ids(commune_ids=commune_ids).items():
        latest[commune_id][year] = pk
    chosen: list[tuple[int, int, int, str]] = []
    for commune_id, by_year in latest.items():
        round_years = sorted(by_year)
        index = -1
        for year in sorted(years_of.get(commune_id, ())):
            while index + 1 < len(round_years) and round_years[index + 1] <= year:
                index += 1
            if index >= 0:
                pk = by_year[round_years[index]]
                chosen.append((commune_id, year, pk, date(year, 12, 31).isoformat()))
    return chosen


@dataclass
class _EntryCounts:
    """What the one pass over the entries gives, per round."""

    # (round, "kinh" | "minority") → [households, poor, near-poor]
    by_ethnicity: dict[tuple[int, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    # round → poor and near-poor entries; (round, year) → those covered on 31 December
    poor: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    covered: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))


# A chosen year is a bit of a 64-bit mask in the pass over the entries (the years a household
# is covered in, for its round); more distinct years than this take one pass per slice.
_YEAR_BITS = 62


def _count_entries(
    round_ids: set[int], chosen: list[tuple[int, int, int, str]], *, whole: bool = False
) -> _EntryCounts:
    """Count the entries of `round_ids` in one pass: by the head's ethnicity (stored on the
    entry, `CensusEntry.head_ethnicity`) and status, and whether a Party member answers for
    the household on 31 December of each year its round is chosen for in `chosen`.

    `whole`: every commune is read (a rebuild or a check), so the pass is planned for a
    scan of the whole entry table (below)."""
    counts = _EntryCounts()
    if not round_ids:
        return counts
    years = sorted({year for _commune, year, _pk, _day in chosen})
    slices = [years[i : i + _YEAR_BITS] for i in range(0, len(years), _YEAR_BITS)] or [[]]
    for index, part in enumerate(slices):
        bits = {year: bit for bit, year in enumerate(part)}
        rows = _entry_pass(
            round_ids, [(*c, bits[c[1]]) for c in chosen if c[1] in bits], whole=whole
        )
        for round_id, group, status, mask, n in rows:
            # Each pass counts every entry: the totals from the first only.
            if index == 0 and group:
                totals = counts.by_ethnicity[(round_id, group)]
                totals[0] += n
                if status == "poor":
                    totals[1] += n
                elif status == "near_poor":
                    totals[2] += n
            if index == 0 and status:
                counts.poor[round_id] += n
            for year, bit in bits.items():
                if mask is not None and int(mask) >> bit & 1:
                    counts.covered[(round_id, year)] += n
    return counts


def _entry_pass(
    round_ids: set[int], chosen: list[tuple[int, int, int, str, int]], *, whole: bool
) -> list[tuple[int, str, str, int | None, int]]:
    """Return (round, "kinh" | "minority" | "", status if poor or near-poor else "", mask of
    the chosen years' bits the household is covered in (None: none), entries) over the
    entries of `round_ids` (`_count_entries`)."""
    entries, assignments, rounds = _table(CensusEntry), _table(Assignment), _table(CensusRound)
    postgresql = connection.vendor == "postgresql"
    staged: list[StagingTable] = []
    if postgresql:
        # The rounds and the chosen (round, year)s as arrays, not temporary tables: parallel
        # workers cannot read a temporary table, so a plan over one stays in one process (the
        # floor's scan has two workers).
        cover_source = (
            "(SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::bigint[], %s::date[],"
            " %s::integer[]) AS c(commune_id, year, round_id, on_day, bit))"
        )
        columns = list(zip(*chosen, strict=True)) if chosen else [()] * 5
        cover_params: list[object] = [
            list(columns[0]),
            list(columns[1]),
            list(columns[2]),
            [date.fromisoformat(day) for day in columns[3]],
            list(columns[4]),
        ]
        # The rounds joined as the floor joins them (bench/national.py): a hash of the few
        # rounds probed by a parallel scan of the entries (or, for one commune's, its index).
        rounds_join = f"JOIN {rounds} r ON r.id = e.round_id"
        rounds_where, rounds_params = " WHERE r.id = ANY(%s::bigint[])", [sorted(round_ids)]
        # bit_or keeps one 8-byte state per household (string_agg allocated a buffer each
        # and spilled to disk at x0.02).
        mask = "bit_or(CAST(1 AS bigint) << c.bit)"
    else:
        staged_rounds = StagingTable((("round_id", "bigint"),), prefix="ind_rounds")
        staged_cover = StagingTable(
            (
                ("commune_id", "bigint"),
                ("year", "integer"),
                ("round_id", "bigint"),
                ("on_day", "date"),
                ("bit", "integer"),
            ),
            prefix="ind_coverage",
        )
        staged = [staged_rounds, staged_cover]
        for table in staged:
            table.create()
        cover_params, rounds_params = [], []
        mask = "SUM(DISTINCT 1 << c.bit)"
    covered_table: str | None = None
    try:
        if not postgresql:
            staged_rounds.insert((pk,) for pk in sorted(round_ids))
            staged_rounds.index("round_id")
            staged_cover.insert(chosen)
            staged_cover.index("commune_id")
            rounds_join = f"JOIN {staged_rounds.quoted} r ON r.round_id = e.round_id"
            rounds_where, cover_source = "", staged_cover.quoted
        # The covered households of each chosen (round, year), as one row per (round,
        # household) with the years as a mask: a set joined once to the entries (hash joins,
        # no EXISTS probe per entry), so the same scan counts ethnicity and coverage.
        covered = f"""
            SELECT c.round_id, a.household_id, {mask} AS years
            FROM {cover_source} c JOIN {assignments} a ON a.commune_id = c.commune_id
              AND a.kind = %s AND a.start_date <= c.on_day
              AND (a.end_date IS NULL OR a.end_date >= c.on_day)
            WHERE a.household_id IS NOT NULL
            GROUP BY c.round_id, a.household_id"""
        covered_params = [*cover_params, AssignmentKind.MEMBER_HOUSEHOLD]
        with connection.cursor() as cursor:
            if postgresql and whole:
                # Over the whole table the covered set is written first to an unlogged table
                # (not a temporary one: parallel workers read it) and analysed: each worker
                # of the scan then hashes it and the pass runs in parallel with a partial
                # aggregate, as the floor does (as a subquery it stayed in one process).
                covered_table = connection.ops.quote_name(f"ind_covered_{secrets.token_hex(6)}")
                cursor.execute(
                    f"CREATE UNLOGGED TABLE {covered_table} AS {covered}", covered_params
                )
                # Statistics from a small sample: the plan needs the set's size and rough
                # distinct counts, not histograms (a full sample took a tenth of the pass).
                cursor.execute("SET LOCAL default_statistics_target = 10")
                cursor.execute(f"ANALYZE {covered_table}")
                cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
                with_clause, source, params = "", covered_table, []
            else:
                with_clause, source, params = (
                    f"WITH covered AS ({covered})",
                    "covered",
                    covered_params,
                )
            # Only the poor and near-poor look the set up: the others' join key is NULL,
            # never probed (probing every entry took twice as long, bench/national.py).
            poor = "e.status IN ('poor', 'near_poor')"
            sql = f"""
                {with_clause}
                SELECT e.round_id,
                  CASE WHEN e.head_ethnicity IS NULL THEN '' WHEN e.head_ethnicity = %s
                    THEN 'kinh' ELSE 'minority' END,
                  CASE WHEN {poor} THEN e.status ELSE '' END,
                  v.years, COUNT(*)
                FROM {entries} e {rounds_join}
                LEFT JOIN {source} v ON v.round_id = e.round_id
                  AND v.household_id = CASE WHEN {poor} THEN e.household_id END{rounds_where}
                GROUP BY 1, 2, 3, 4
            """
            if postgresql:
                # PostgreSQL cannot estimate the groups (a few per round) and sorts every entry
                # for a GroupAggregate: 9.5 s at x0.1 against 5.7 s hashed (bench/national.py).
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(sql, [*params, KINH, *rounds_params])
            rows = cursor.fetchall()
            if postgresql:
                cursor.execute("SET LOCAL enable_sort TO DEFAULT")
        if covered_table is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {covered_table}")
    finally:
        # (A failed statement leaves the transaction aborted: its rollback removes the
        # unlogged table, and a DROP here would only hide the error.)
        for table in staged:
            table.drop()
    return rows


def _census_by_ethnicity(loaded: LoadedFacts, variants: Variants, counts: _EntryCounts) -> None:
    """Add the census facts per ethnicity of the head (Kinh or minority)."""
    for (pk, group), (households, poor, near) in counts.by_ethnicity.items():
        for commune, year, flag in variants.get(pk, ()):
            loaded.put(
                commune,
                year,
                flag,
                f"ethnicity:{group}",
                households=households,
                poor_households=poor,
                near_poor_households=near,
            )


def _coverage(
    loaded: LoadedFacts, chosen: list[tuple[int, int, int, str]], counts: _EntryCounts
) -> None:
    """Add the poor and near-poor of the latest approved round ≤ each year, and how many of
    them a Party member answers for on 31 December of that year (`twinning.coverage`)."""
    for commune_id, year, pk, _day in chosen:
        loaded.put_both(
            commune_id,
            year,
            poor_households_latest_approved=float(counts.poor.get(pk, 0)),
            poor_households_covered=float(counts.covered.get((pk, year), 0)),
        )


def load_facts(
    *,
    commune_ids: Sequence[int] | None = None,
    criteria_set: str = "",
    ethnicity: bool = True,
) -> LoadedFacts:
    """Return every fact of `commune_ids` (every commune when None), every year."""
    loaded = LoadedFacts()
    if connection.vendor == "postgresql" and not connection.get_autocommit():
        # These few big GROUP BYs gain nothing from JIT compilation, which costs them about a
        # second and a half each at a few hundred thousand entries (bench/national.py); and
        # the pass over the entries hashes every covered household: with the default 4 MB
        # its hash join and sort spill to disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    variants = _census(loaded, commune_ids)
    _criteria(loaded, commune_ids, criteria_set)
    _infrastructure(loaded, commune_ids)
    _activities(loaded, commune_ids)
    for source in FACT_SOURCES:
        source(loaded, commune_ids)
    # Coverage reads the years every other fact gives (the ethnicity rows add none), so its
    # rounds are known only now; then one pass over the entries counts both.
    chosen = _coverage_rounds(loaded, commune_ids)
    round_ids = {pk for _commune, _year, pk, _day in chosen}
    if ethnicity:
        round_ids.update(variants)
    counts = _count_entries(round_ids, chosen, whole=commune_ids is None)
    if ethnicity:
        _census_by_ethnicity(loaded, variants, counts)
    _coverage(loaded, chosen, counts)
    return loaded
