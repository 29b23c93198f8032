"""The commune page, its recompute partial and the round page cost the same queries at any size."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnghia.census.tests.factories import make_round


def _queries(client, url, **headers) -> int:
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return len(captured)


def _households(count: int, offset: int = 0) -> dict[str, int]:
    return {f"H{n:04}": 300_000 + 10_000 * (n % 50) for n in range(offset, offset + count)}


def test_commune_page_and_recompute_cost_the_same_at_one_and_six_years(client, tree, users):
    client.force_login(users.commune_officer)
    make_round(tree.ngok_wang, 2010, "vn-2006", _households(50), village=tree.village_a)
    page = reverse("census:commune_census", args=["23500"])
    recompute = reverse("census:round_recompute", args=["23500"]) + "?year=2010&standard=vn-2011"
    htmx = {"HX-Request": "true", "HX-Target": "recompute-result"}
    one_year = _queries(client, page), _queries(client, recompute, **htmx)
    for year in range(2011, 2016):
        make_round(
            tree.ngok_wang, year, "vn-2011", _households(100, 10 * year), village=tree.village_a
        )
    assert (_queries(client, page), _queries(client, recompute, **htmx)) == one_year


def test_round_page_costs_the_same_at_50_and_500_households(client, tree, users):
    client.force_login(users.commune_officer)
    make_round(tree.ngok_wang, 2015, "vn-2011", _households(50), village=tree.village_a)
    make_round(tree.ngok_wang, 2016, "vn-2016", _households(500), village=tree.village_a)
    small = reverse("census:round_detail", args=["23500", 2015])
    big = reverse("census:round_detail", args=["23500", 2016])
    assert _queries(client, small) == _queries(client, big)
    # The search and the filters run in SQL: the same count too.
    assert _queries(client, small + "?q=h00&status=poor") == _queries(
        client, big + "?q=h00&status=poor&village=23500-01"
    )
