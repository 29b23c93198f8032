"""The dashboards' support card: the value delivered and plan by source from the aggregates and
the funds, scoped through the gate, no household's name, refreshed by the data version, and a
query count that does not grow with the deliveries."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.support import services
from ketnghia.support.models import Delivery
from ketnghia.support.tests.conftest import make_setting, open_cycle
from ketnghia.support.tests.delivered import delivered_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    setting = make_setting(tree, users)
    aggregates_rebuild()
    delivered_world(setting, tree, users)
    cache.clear()
    return setting


def _url(unit) -> str:
    return f"/dashboards/units/{unit.code}/?program=nq04&year=2016"


def _delivered(**filters) -> int:
    return Delivery.objects.filter(
        cycle__state__in=["delivered", "reconciled"], delivered_on__year=2016, **filters
    ).aggregate(total=Sum("delivered_value"))["total"]


def _chart(content: bytes) -> dict:
    text = content.decode()
    marker = 'id="support-chart-data" type="application/json">'
    start = text.index(marker) + len(marker)
    return json.loads(text[start : text.index("</script>", start)])


def test_the_province_card_shows_plan_and_delivered_by_source(client, users, tree, delivered):
    client.force_login(users.province_viewer)
    page = client.get(_url(tree.province))
    assert page.status_code == 200
    assert b'data-testid="support-card"' in page.content
    chart = _chart(page.content)
    planned, given = chart["data"]
    # Provincial budget, then district budget (the sources' declared order), in million đồng.
    assert planned["y"] == [10.0, 50.0]
    assert given["y"] == [
        round(_delivered(cycle__fund__source="province") / 1e6, 1),
        round(_delivered(cycle__fund__source="district") / 1e6, 1),
    ]
    assert b"support-plan-note" not in page.content


@pytest.mark.parametrize("who", ["district_officer", "commune_officer"])
def test_a_district_or_commune_sees_its_communes_deliveries_and_no_household(
    client, users, tree, delivered, who
):
    client.force_login(getattr(users, who))
    unit = tree.dak_ha if who == "district_officer" else tree.ngok_wang
    page = client.get(_url(unit))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="support-card"' in html
    assert 'data-testid="support-plan-note"' in html
    given = _chart(page.content)["data"][1]["y"]
    assert sum(given) == pytest.approx(round(_delivered() / 1e6, 1), abs=0.11)
    for name in Delivery.objects.values_list("recipient_name", flat=True):
        assert name not in html  # aggregates only
    # The commune officer cannot open the district's dashboard.
    if who == "commune_officer":
        assert client.get(_url(tree.dak_ha)).status_code == 404


def test_a_new_allocation_shows_at_once_through_the_data_version(client, users, tree, delivered):
    client.force_login(users.province_viewer)
    before = _chart(client.get(_url(tree.province)).content)["data"][0]["y"]
    services.fund_allocate(
        fund=delivered.fund, amount=5_000_000, entered_on=date(2016, 5, 1), actor=None
    )
    after = _chart(client.get(_url(tree.province)).content)["data"][0]["y"]  # no cache.clear
    assert after[0] == before[0] + 5.0


def test_the_query_count_does_not_grow_with_the_deliveries(client, users, tree, delivered):
    client.force_login(users.province_viewer)
    client.get(_url(tree.province))
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        assert client.get(_url(tree.province)).status_code == 200
    fund = services.fund_create(
        document=delivered.document, year=2016, source="central", unit=tree.province, actor=None
    )
    services.fund_allocate(fund=fund, amount=90_000_000, entered_on=date(2016, 3, 1), actor=None)
    cycle = open_cycle(delivered, tree, users, fund=fund, name="Bò giống trung ương")
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))
    services.cycle_deliver(cycle=cycle, delivered_on=date(2016, 7, 1), actor=None)
    cache.clear()
    with CaptureQueriesContext(connection) as second:
        page = client.get(_url(tree.province))
    assert len(_chart(page.content)["data"][0]["x"]) == 3  # a third source, no more queries
    assert len(second) == len(first)
