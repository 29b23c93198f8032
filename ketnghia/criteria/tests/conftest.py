"""Fixtures of the criteria tests: a commune with three villages, facts and a 2015 round."""

from __future__ import annotations

import pytest
from django.utils import translation

from ketnghia.census import services as census_services
from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.factories import household
from ketnghia.conftest import make_unit
from ketnghia.criteria import services
from ketnghia.geo.models import UnitKind, UnitLevel

YEAR = 2015
GOOD = {
    "party_cell_rating": 4,
    "village_rules_adopted": True,
    "mass_organisations_active": True,
    "serious_crimes": 0,
    "public_order_incidents": 0,
    "drug_cases": 0,
    "illegal_migration_cases": 0,
    "households_short_of_food": 0,
    "households_hygienic_latrine": 3,
    "households_clean_water": 3,
    "households_land_or_work": 3,
}
INFRASTRUCTURE = {
    "road_to_centre": "all_season",
    "electricity_percent": 95,
    "health_station_standard": True,
    "preschools": 1,
    "primary_schools": 1,
    "lower_secondary_schools": 1,
    "clean_water_percent": 80,
    "mobile_coverage_percent": 100,
    "cultural_house": True,
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def commune(tree, users):
    """Ngọk Wang with three villages, an approved 2015 round (3 non-poor households each)."""
    services.criteria_sets_sync()
    commune = tree.ngok_wang
    villages = [
        tree.village_a,
        make_unit("23500-02", "Thôn 2", UnitLevel.VILLAGE, UnitKind.THON, commune),
        make_unit("23500-03", "Thôn 3", UnitLevel.VILLAGE, UnitKind.THON, commune),
    ]
    census_round = census_services.census_round_create(
        commune=commune, year=YEAR, standard_code="vn-2011"
    )
    for village in villages:
        for number in range(3):
            found = household(commune, f"{village.code[-2:]}-{number}", village)
            CensusEntry.objects.create(
                round=census_round,
                household=found,
                household_code=found.code,
                head_name=found.head_name,
                village_code=village.code,
                area="rural",
                member_count=4,
                monthly_income_per_person=900_000,
                computed_status="not_poor",
                status="not_poor",
                rule="",
            )
    census_services.census_round_classify(census_round=census_round)
    for village in villages[:2]:
        services.village_facts_set(
            village=village, year=YEAR, values=GOOD, actor=users.province_admin
        )
    services.village_facts_set(
        village=villages[2],
        year=YEAR,
        values={**GOOD, "households_short_of_food": 2},
        actor=users.province_admin,
    )
    services.infrastructure_set(
        commune=commune, year=YEAR, values=INFRASTRUCTURE, actor=users.province_admin
    )
    commune.census_round, commune.villages = census_round, villages
    return commune
