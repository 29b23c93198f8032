"""Support in the indicator engine: value delivered per source and year, and the share of poor
households supported, held against direct counts over the delivery and census rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.workflow import APPROVED_STATES
from ketnghia.indicators import services as indicators
from ketnghia.indicators.models import Aggregate, DataVersion
from ketnghia.support import services
from ketnghia.support.models import Delivery
from ketnghia.support.tests.conftest import open_cycle
from ketnghia.support.tests.delivered import delivered_world

pytestmark = pytest.mark.django_db


def _stored(code: str, unit, year: int, key: str = "") -> tuple[float, float] | None:
    row = Aggregate.objects.filter(
        indicator=code, unit=unit, period=year, disaggregation=key, official=True
    ).first()
    return None if row is None else (row.numerator, row.denominator)


def _value(**filters) -> float:
    return float(
        Delivery.objects.filter(
            cycle__state__in=["delivered", "reconciled"], delivered_on__year=2016, **filters
        ).aggregate(total=Sum("delivered_value"))["total"]
        or 0
    )


def _poor_supported(commune, year: int) -> tuple[int, int]:
    official = (
        CensusRound.objects.filter(commune=commune, year=year, state__in=APPROVED_STATES)
        .order_by("-revision")
        .first()
    )
    poor = set(
        CensusEntry.objects.filter(round=official, status="poor").values_list(
            "household_id", flat=True
        )
    )
    supported = set(
        Delivery.objects.filter(
            cycle__commune=commune,
            cycle__state__in=["delivered", "reconciled"],
            delivered_quantity__gt=0,
            delivered_on__year=year,
        ).values_list("household_id", flat=True)
    )
    return len(poor & supported), len(poor)


def test_the_engine_counts_what_the_delivery_rows_say(setting, tree, users):
    indicators.aggregates_rebuild()  # the setting's program list is written without a refresh
    delivered_world(setting, tree, users)
    # The refreshes at each delivery's commit left the aggregates equal to a recomputation.
    assert indicators.aggregates_check() == []
    indicators.aggregates_rebuild()
    total = _value(cycle__commune=tree.ngok_wang)
    # A, D (1 of 3), B by hand: 3 + 1 + members of B; the district's cycle: A.
    assert total > 0
    for unit in (tree.ngok_wang, tree.dak_ha, tree.province):
        assert _stored("support_value_delivered", unit, 2016) == (total, 1.0)
        for source in ("province", "district"):
            assert _stored("support_value_delivered", unit, 2016, f"source:{source}") == (
                _value(cycle__commune=tree.ngok_wang, cycle__fund__source=source),
                1.0,
            )
    assert _stored("support_value_delivered", tree.ngok_wang, 2016, "source:central") is None
    # Key communes: Ngọk Wang is one.
    assert _stored("support_value_delivered", tree.province, 2016, "group:key") == (total, 1.0)
    supported, poor = _poor_supported(tree.ngok_wang, 2016)
    assert supported == 1 and poor >= 1  # B fell back into poverty and was given by hand
    for unit in (tree.ngok_wang, tree.dak_ha):
        assert _stored("poor_households_supported", unit, 2016) == (supported, poor)
    # A year without deliveries: its poor households, none supported.
    assert _stored("poor_households_supported", tree.ngok_wang, 2015) == (
        0.0,
        float(_poor_supported(tree.ngok_wang, 2015)[1]),
    )
    assert _stored("support_value_delivered", tree.ngok_wang, 2015) is None


def test_reconciling_keeps_the_figures_true(setting, tree, users):
    indicators.aggregates_rebuild()
    first, _second = delivered_world(setting, tree, users)
    services.cycle_reconcile(
        cycle=first,
        notes={first.deliveries.get(household__code="D").pk: "Hộ chỉ nhận 1 con"},
        actor=users.commune_officer,
    )
    assert indicators.aggregates_check() == []


def test_the_funds_writes_bump_the_data_version(setting, tree, users):
    indicators.aggregates_rebuild()

    def version() -> int:
        return DataVersion.objects.get(province=tree.province).version

    before = version()
    services.fund_allocate(
        fund=setting.fund, amount=1_000_000, entered_on=date(2016, 3, 2), actor=None
    )
    assert version() == before + 1
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    before = version()
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    assert version() > before
    before = version()
    services.cycle_deliver(cycle=cycle, delivered_on=date(2016, 4, 10), actor=None)
    assert version() > before  # through the aggregates' refresh
