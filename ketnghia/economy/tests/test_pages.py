"""The model pages and the outcome page, through the gate."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ketnghia.conftest import Tree, Users
from ketnghia.economy import services
from ketnghia.economy.tests.conftest import KIND, Planted
from ketnghia.households.models import Household


@pytest.mark.django_db
def test_the_outcome_page_shows_the_effect_balance_pre_periods_and_caveats(
    client: Client, users: Users, planted: Planted
) -> None:
    client.force_login(users.province_admin)
    page = client.get(reverse("economy:outcomes"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="outcome-{KIND}"' in html
    assert 'data-testid="overall-effect"' in html
    assert 'data-testid="balance-table"' in html
    assert 'data-testid="event-study-chart"' in html
    assert 'data-testid="caveats"' in html
    assert "Bò giống" in html or "Breeding livestock" in html
    start = html.index('data-testid="balance-table"')
    assert "Dân tộc của chủ hộ" in html, html[start : start + 1500]


@pytest.mark.django_db
def test_the_outcome_page_without_support_says_there_is_nothing_to_compare(
    client: Client, users: Users, planted: Planted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ketnghia.economy.panel.support_rows", lambda program, *, kinds=None: [])
    client.force_login(users.province_admin)
    page = client.get(reverse("economy:outcomes"))
    assert 'data-testid="no-support"' in page.content.decode()


@pytest.mark.django_db
def test_the_model_page_shows_results_and_the_replication_tree(
    client: Client, tree: Tree, users: Users, planted: Planted
) -> None:
    origin = services.economic_model_create(
        code="ca-phe",
        name="Trồng cà phê xen canh",
        kind="crop",
        village=tree.village_a,
        start_date=date(2016, 1, 1),
        actor=None,
    )
    other = Household.objects.filter(commune=tree.dak_mar).first().village
    copy = services.economic_model_create(
        code="ca-phe-2",
        name="Cà phê xen canh (nhân rộng)",
        kind="crop",
        village=other,
        start_date=date(2018, 1, 1),
        origin=origin,
        actor=None,
    )
    services.participation_add(
        model=copy,
        households=Household.objects.filter(village=other)[:4],
        joined_year=2018,
        actor=None,
    )
    services.model_result_record(
        model=origin, year=2017, output=12, income_per_household=15_000_000, actor=None
    )
    client.force_login(users.province_admin)
    listing = client.get(reverse("economy:models")).content.decode()
    assert "Trồng cà phê xen canh" in listing and "ca-phe-2" not in listing
    page = client.get(reverse("economy:model", args=[origin.pk])).content.decode()
    assert "nhân rộng ra 1 thôn, làng và 4 hộ" in page
    assert 'data-testid="replication-tree"' in page and "Cà phê xen canh (nhân rộng)" in page
    assert 'data-testid="results-chart"' in page


@pytest.mark.django_db
def test_a_model_outside_the_users_units_is_not_found(
    client: Client, tree: Tree, users: Users
) -> None:
    model = services.economic_model_create(
        code="x",
        name="Dệt thổ cẩm",
        kind="handicraft",
        village=tree.village_c,
        start_date=date(2016, 1, 1),
        actor=None,
    )
    client.force_login(users.commune_officer)
    assert client.get(reverse("economy:model", args=[model.pk])).status_code == 404
    client.force_login(users.province_admin)
    assert client.get(reverse("economy:model", args=[model.pk])).status_code == 200
