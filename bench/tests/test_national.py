"""The national data set at a tiny scale: consistent rows, and the rebuild equals the check.

PostgreSQL only (the generator loads with COPY and restores the indexes it drops).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.db import connection
from django.db.models import F

from bench import national, national_data
from ketnghia.census.models import CensusEntry, CensusRound, RoundSummary, entry_search_text
from ketnghia.census.summaries import summaries_rebuild
from ketnghia.geo.models import Unit
from ketnghia.households.models import Household, Member
from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.standards import get_standard
from ketnghia.programs.models import ProgramCommune
from ketnghia.twinning.models import Assignment

SCALE = 0.002  # 20 communes, about 50,000 households

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    if connection.vendor != "postgresql":
        pytest.skip("the national data set is loaded with PostgreSQL's COPY")
    return national_data.generate(SCALE)


def _indexes(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table]
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_shape_of_a_factor():
    assert national_data.Shape.of(1) == national_data.Shape(1, 63, 693, 10_000)
    small = national_data.Shape.of(0.002)
    assert (small.provinces, small.communes) == (1, 20)


def test_units_households_entries_and_summaries_agree(generated):
    levels = Counter(Unit.objects.values_list("level", flat=True))
    assert levels == {
        "province": generated.provinces,
        "district": generated.districts,
        "commune": generated.communes,
        "village": generated.villages,
    }
    # Paths: each unit's path is its parent's path and its own code.
    paths = dict(Unit.objects.values_list("id", "path"))
    for _unit_id, parent_id, code, path in Unit.objects.values_list(
        "id", "parent_id", "code", "path"
    ):
        assert path == (paths[parent_id] if parent_id else "/") + code + "/"
    households = Household.objects.count()
    assert households == generated.households == CensusEntry.objects.count()
    assert Member.objects.filter(relation="head").count() == households
    assert ProgramCommune.objects.count() == 20
    assert CensusRound.objects.count() == 20
    # A household lives in a village of its own commune, under that village's path; its
    # entry is in its commune's round and carries its code, village and search text.
    assert Household.objects.exclude(village__parent_id=F("commune_id")).count() == 0
    assert Household.objects.exclude(unit_path=F("village__path")).count() == 0
    assert CensusEntry.objects.exclude(round__commune_id=F("household__commune_id")).count() == 0
    assert (
        CensusEntry.objects.exclude(household_code=F("household__code")).count()
        + CensusEntry.objects.exclude(village_code=F("household__village__code")).count()
        == 0
    )
    entry = CensusEntry.objects.order_by("id").first()
    assert entry.search_folded == entry_search_text(entry.household_code, entry.head_name)
    # The statuses are what the standard's rules give on the stored income and deprivations.
    rows = list(
        CensusEntry.objects.order_by("id").values_list(
            "monthly_income_per_person", "deprivations", "status"
        )[:5000]
    )
    standard = get_standard(national_data.STANDARD_CODE)
    matrix = deprivation_matrix_from_bits([r[1] for r in rows], len(standard.indicator_codes))
    result = classify_many(
        standard, np.full(len(rows), "rural", dtype=object), [r[0] for r in rows], matrix
    )
    assert [str(s) for s in result.status] == [r[2] for r in rows]
    statuses = Counter(CensusEntry.objects.values_list("status", flat=True))
    assert 0.1 < statuses["poor"] / households < 0.4
    # The stored summaries are the ones the census computes.
    stored = sorted(
        RoundSummary.objects.values_list(
            "round_id", "households", "poor", "near_poor", "average", "not_poor"
        )
    )
    summaries_rebuild()
    assert stored == sorted(
        RoundSummary.objects.values_list(
            "round_id", "households", "poor", "near_poor", "average", "not_poor"
        )
    )
    # Party members in charge of about four in five poor and near-poor households.
    needy = statuses["poor"] + statuses["near_poor"]
    assert 0.7 * needy < Assignment.objects.count() < 0.9 * needy


def test_the_indexes_and_constraints_dropped_for_the_load_are_back(generated):
    for model in (Household, CensusEntry, Member):
        definitions = _indexes(model._meta.db_table)
        assert any("UNIQUE" in d for d in definitions) or model is Member
        assert len(definitions) >= 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [CensusEntry._meta.db_table],
        )
        assert cursor.fetchone()[0] == 4


def test_the_rebuild_on_the_national_data_equals_the_check(generated):
    modules = national._indicators()
    if modules is None:
        pytest.skip("no indicators app")
    services, _selectors = modules
    written = services.aggregates_rebuild()
    assert written > 0
    assert services.aggregates_check() == []
    commune = Unit.objects.get(code=national_data.commune_code(3))
    services.aggregates_refresh(commune_ids=[commune.pk], years=[national_data.YEAR])
    assert services.aggregates_check() == []
