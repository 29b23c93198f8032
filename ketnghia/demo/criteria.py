"""The demo's village facts, commune infrastructure and criteria results, 2007–2025.

Facts are generated (seeded), never results: the stored assessments are what the engine gives
on them. Most years follow a designed path (incidents and shortages getting rarer, roads,
electricity and schools arriving commune by commune). 2015 is tuned to the article: after the
census-based facts are known, the generator chooses which villages get a failing fact so that
the engine finds exactly 118 of the 409 villages and at least 23 of the 53 communes basically
meeting the example set, and every commune has an all-season car road to its centre.

Idempotent: facts rows that exist are left alone; results are stored only where missing or
changed. Generated rows keep no history (like the generated census).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ketnghia.accounts.models import Actor
from ketnghia.criteria import selectors, services
from ketnghia.criteria.domain import Level, Outcome
from ketnghia.criteria.facts import UnitRef
from ketnghia.criteria.models import Assessment, CommuneInfrastructure, VillageFacts
from ketnghia.criteria.providers import CensusFacts, infrastructure_values
from ketnghia.criteria.rules import FactsTable, evaluate_many, needed_facts, rollup_percent
from ketnghia.demo.census import YEARS
from ketnghia.geo.models import Unit

EXAMPLE_SET = "nvv-example"
TUNED_YEAR = 2015
VILLAGES_MEETING = 118  # "118 of 409 villages basically meet" (the article)
COMMUNES_MEETING_AT_LEAST = 23  # "more than 42 % of the 53 communes"
TARGET_COMMUNES = 26  # communes the tuning aims at (a margin over 23)
# A mandatory fact that fails a village: one of these, drawn.
FAILING = (
    ("households_short_of_food", 3),
    ("party_cell_rating", 2),
    ("serious_crimes", 1),
)
NON_MANDATORY_SLIPS = (
    ("public_order_incidents", 1),
    ("drug_cases", 1),
    ("illegal_migration_cases", 2),
    ("village_rules_adopted", False),
)


@dataclass
class CriteriaReport:
    village_facts_created: int = 0
    infrastructure_created: int = 0
    assessments_written: int = 0
    villages_meeting_2015: int = 0
    communes_meeting_2015: int = 0


def _progress(year: int) -> float:
    """0 in 2007, 1 in 2025."""
    return (year - YEARS[0]) / (YEARS[-1] - YEARS[0])


def _good_village(households: int, rng: random.Random) -> dict[str, Any]:
    return {
        "party_cell_rating": rng.choice((3, 4)),
        "village_rules_adopted": True,
        "mass_organisations_active": True,
        "serious_crimes": 0,
        "public_order_incidents": 0,
        "drug_cases": 0,
        "illegal_migration_cases": 0,
        "households_short_of_food": 0,
        "households_hygienic_latrine": math.ceil(households * rng.uniform(0.55, 0.9)),
        "households_clean_water": math.ceil(households * rng.uniform(0.72, 0.95)),
        "households_land_or_work": math.ceil(households * rng.uniform(0.82, 0.98)),
    }


def _village_year(households: int, year: int, rng: random.Random) -> dict[str, Any]:
    """A village's facts in a year of the designed path (things improve over the years)."""
    p = _progress(year)
    return {
        "party_cell_rating": rng.choices((1, 2, 3, 4), weights=(1 - p, 3 - p, 3 + p, 1 + 2 * p))[0],
        "village_rules_adopted": rng.random() < 0.5 + 0.45 * p,
        "mass_organisations_active": rng.random() < 0.6 + 0.35 * p,
        "serious_crimes": int(rng.random() < 0.15 - 0.1 * p),
        "public_order_incidents": int(rng.random() < 0.3 - 0.2 * p) * rng.randint(1, 3),
        "drug_cases": int(rng.random() < 0.08),
        "illegal_migration_cases": int(rng.random() < 0.12 - 0.08 * p) * rng.randint(1, 4),
        "households_short_of_food": int(rng.random() < 0.6 - 0.5 * p) * rng.randint(1, 12),
        "households_hygienic_latrine": round(households * min(1, rng.uniform(0.1, 0.4) + 0.6 * p)),
        "households_clean_water": round(households * min(1, rng.uniform(0.3, 0.6) + 0.45 * p)),
        "households_land_or_work": round(households * min(1, rng.uniform(0.6, 0.85) + 0.15 * p)),
    }


def _infrastructure_year(
    year: int, arrival: dict[str, int], rng: random.Random, good: bool
) -> dict[str, Any]:
    p = _progress(year)
    road = (
        "all_season"
        if year >= arrival["road"]
        else "dry_season"
        if year >= arrival["road"] - 4
        else "none"
    )
    return {
        "road_to_centre": road,
        "electricity_percent": round(
            min(100.0, (82 if good else 60) + 30 * p + rng.uniform(-8, 4)), 1
        )
        if year >= TUNED_YEAR
        else round(min(100.0, 35 + 60 * p + rng.uniform(-10, 10)), 1),
        "health_station_standard": year >= arrival["health"],
        "preschools": 1,
        "primary_schools": rng.choice((1, 1, 2)),
        "lower_secondary_schools": int(year >= arrival["secondary"]),
        "clean_water_percent": round(min(100.0, 30 + 60 * p + rng.uniform(-10, 10)), 1),
        "mobile_coverage_percent": round(min(100.0, 20 + 90 * p + rng.uniform(-10, 10)), 1),
        "cultural_house": year >= arrival["culture"],
    }


def _census(
    villages: Sequence[Unit], communes: Sequence[Unit], year: int
) -> dict[str, dict[int, float | None]]:
    refs = [UnitRef(v.pk, v.code, Level.VILLAGE, v.parent_id) for v in villages]  # type: ignore[arg-type]
    refs += [UnitRef(c.pk, c.code, Level.COMMUNE, c.pk) for c in communes]
    return {k: dict(v) for k, v in CensusFacts().load(units=refs, year=year).items()}


def _table(
    criteria_set: Any,
    units: Sequence[Unit],
    facts: dict[int, dict[str, Any]],
    census: dict,
    regions: dict[int, str],
    classes: dict[int, str],
    extra: dict | None = None,
) -> FactsTable:
    names = sorted(needed_facts(criteria_set))
    rows = []
    for unit in units:
        row: dict[str, float | None] = {}
        for name in names:
            value = facts.get(unit.pk, {}).get(name)
            if value is None:
                value = census.get(name, {}).get(unit.pk)
            if value is None and extra:
                value = extra.get(name, {}).get(unit.pk)
            row[name] = None if value is None else float(value)
        rows.append(row)
    commune = [u.parent_id if u.level == Level.VILLAGE else u.pk for u in units]
    return FactsTable.from_rows(
        [u.code for u in units],
        rows,
        [regions.get(c, "") for c in commune],
        [classes.get(c, "") for c in commune],
        names,
    )


def _tune_2015(
    villages: list[Unit],
    communes: list[Unit],
    rng: random.Random,
    village_facts: dict[int, dict[str, Any]],
    infrastructure: dict[int, dict[str, Any]],
    arrival: dict[int, dict[str, int]],
) -> tuple[int, int]:
    """Choose 2015's facts so the engine gives 118 villages and ≥ 23 communes; return both."""
    village_set = selectors.criteria_set_get(code=EXAMPLE_SET, level=Level.VILLAGE, year=TUNED_YEAR)
    commune_set = selectors.criteria_set_get(code=EXAMPLE_SET, level=Level.COMMUNE, year=TUNED_YEAR)
    census = _census(villages, communes, TUNED_YEAR)
    ids = [c.pk for c in communes]
    regions = selectors.regions_for(commune_ids=ids, year=TUNED_YEAR)
    classes = selectors.classes_for(commune_ids=ids, year=TUNED_YEAR)
    households = census["households"]
    good = {v.pk: _good_village(int(households.get(v.pk) or 0), rng) for v in villages}
    eligible = (
        evaluate_many(
            village_set, _table(village_set, villages, good, census, regions, classes)
        ).outcomes
        >= Outcome.BASICALLY_MEETS
    )
    by_commune: dict[int, list[int]] = defaultdict(list)
    for index, village in enumerate(villages):
        by_commune[village.parent_id].append(index)  # type: ignore[index]

    def needed(commune_id: int) -> int:
        return math.ceil(len(by_commune[commune_id]) / 2)

    # Communes whose eligible villages can make half, the most eligible first, few villages first.
    candidates = [c for c in ids if sum(eligible[i] for i in by_commune[c]) >= needed(c)]
    rng.shuffle(candidates)
    candidates.sort(key=lambda c: needed(c))
    chosen: set[int] = set()
    targets: list[int] = []
    for commune_id in candidates:
        picks = [i for i in by_commune[commune_id] if eligible[i]][: needed(commune_id)]
        if len(chosen) + len(picks) > VILLAGES_MEETING or len(targets) >= TARGET_COMMUNES:
            continue
        chosen.update(picks)
        targets.append(commune_id)
    rest = [i for i in range(len(villages)) if eligible[i] and i not in chosen]
    rng.shuffle(rest)
    chosen.update(rest[: VILLAGES_MEETING - len(chosen)])
    if len(chosen) != VILLAGES_MEETING or len(targets) < COMMUNES_MEETING_AT_LEAST:
        raise RuntimeError(f"demo criteria: {len(chosen)} villages, {len(targets)} communes")

    for index, village in enumerate(villages):
        facts = dict(good[village.pk])
        if index in chosen:
            if rng.random() < 0.3:
                name, value = rng.choice(NON_MANDATORY_SLIPS)
                facts[name] = value
        else:
            name, value = rng.choice(FAILING)
            facts[name] = value
            if rng.random() < 0.5:
                slip, slip_value = rng.choice(NON_MANDATORY_SLIPS)
                facts[slip] = slip_value
        village_facts[village.pk] = facts
    for commune in communes:
        arrival[commune.pk]["road"] = min(arrival[commune.pk]["road"], TUNED_YEAR)
        if commune.pk in targets:  # the communes aimed at have their station and schools
            arrival[commune.pk]["health"] = min(arrival[commune.pk]["health"], TUNED_YEAR)
            arrival[commune.pk]["secondary"] = min(arrival[commune.pk]["secondary"], TUNED_YEAR)
        infrastructure[commune.pk] = _infrastructure_year(
            TUNED_YEAR, arrival[commune.pk], rng, commune.pk in targets
        )

    village_eval = evaluate_many(
        village_set, _table(village_set, villages, village_facts, census, regions, classes)
    )
    rolled = rollup_percent(list(village_eval.outcomes), [v.parent_id for v in villages], ids)
    commune_facts = {
        pk: infrastructure_values(CommuneInfrastructure(**_infrastructure_values(values)))
        for pk, values in infrastructure.items()
    }
    commune_eval = evaluate_many(
        commune_set,
        _table(
            commune_set,
            communes,
            commune_facts,
            census,
            regions,
            classes,
            {"villages_meeting_percent": rolled},
        ),
    )
    villages_meeting = int(np.count_nonzero(village_eval.outcomes >= Outcome.BASICALLY_MEETS))
    communes_meeting = int(np.count_nonzero(commune_eval.outcomes >= Outcome.BASICALLY_MEETS))
    if villages_meeting != VILLAGES_MEETING or communes_meeting < COMMUNES_MEETING_AT_LEAST:
        raise RuntimeError(
            f"demo criteria: {villages_meeting} villages, {communes_meeting} communes"
        )
    return villages_meeting, communes_meeting


def _infrastructure_values(values: dict[str, Any]) -> dict[str, Any]:
    return services.infrastructure_normalise(values)


def write_criteria(
    *, communes: Sequence[Unit], villages: Sequence[Unit], seed: int, actor: Actor = None
) -> CriteriaReport:
    """Generate and store the facts, infrastructure and results; see the module docstring."""
    report = CriteriaReport()
    services.criteria_sets_sync(actor=actor)
    communes = sorted(communes, key=lambda u: u.code)
    villages = sorted(villages, key=lambda u: u.code)
    have_facts = VillageFacts.objects.filter(village__in=villages).exists()
    have_infrastructure = CommuneInfrastructure.objects.filter(commune__in=communes).exists()
    if not (have_facts and have_infrastructure):
        rng = random.Random(seed * 31 + 9)
        arrival = {
            c.pk: {
                "road": rng.randint(2008, 2016),
                "health": rng.randint(2010, 2024),
                "secondary": rng.randint(2007, 2018),
                "culture": rng.randint(2009, 2022),
            }
            for c in communes
        }
        village_rows: list[VillageFacts] = []
        infrastructure_rows: list[CommuneInfrastructure] = []
        for year in YEARS:
            if year == TUNED_YEAR:
                facts: dict[int, dict[str, Any]] = {}
                infrastructure: dict[int, dict[str, Any]] = {}
                report.villages_meeting_2015, report.communes_meeting_2015 = _tune_2015(
                    villages, communes, rng, facts, infrastructure, arrival
                )
            else:
                census = _census(villages, [], year)
                facts = {
                    v.pk: _village_year(int(census["households"].get(v.pk) or 0), year, rng)
                    for v in villages
                }
                if year > TUNED_YEAR:
                    for c in communes:
                        arrival[c.pk]["road"] = min(arrival[c.pk]["road"], TUNED_YEAR)
                infrastructure = {
                    c.pk: _infrastructure_year(year, arrival[c.pk], rng, False) for c in communes
                }
            village_rows += [
                VillageFacts(village=v, year=year, unit_path=v.path, **facts[v.pk])
                for v in villages
            ]
            infrastructure_rows += [
                CommuneInfrastructure(
                    commune=c,
                    year=year,
                    unit_path=c.path,
                    **_infrastructure_values(infrastructure[c.pk]),
                )
                for c in communes
            ]
        if not have_facts:
            VillageFacts.objects.bulk_create(village_rows, batch_size=1000)
            report.village_facts_created = len(village_rows)
        if not have_infrastructure:
            CommuneInfrastructure.objects.bulk_create(infrastructure_rows, batch_size=1000)
            report.infrastructure_created = len(infrastructure_rows)
    for year in YEARS:
        for version in selectors.set_versions_in_force(year=year):
            units = villages if version.level == Level.VILLAGE else communes
            stored = Assessment.objects.filter(
                set_version=version, year=year, unit__in=units
            ).count()
            if stored == len(units) and not report.village_facts_created:
                continue
            written = services.assessments_store(
                version=version, units=units, year=year, actor=actor, history=False
            )
            report.assessments_written += written["created"] + written["updated"]
    return report
