"""The provinces' stored dashboards: written with every data version, read as one row, and the
page drawn from them the same as computed afresh."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.core import formatting
from ketnghia.core.gate import Action, scope_for
from ketnghia.dashboards import rows
from ketnghia.dashboards.models import DashboardRow
from ketnghia.dashboards.tests.geojson import grid_bytes
from ketnghia.dashboards.tests.test_maps import CODES, _upload
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.cache import data_version
from ketnghia.indicators.services import aggregates_refresh, target_set

PAGES = (
    "/dashboards/units/62/?program=nq04&year=2015",
    "/dashboards/units/62/?program=nq04&year=2014",
    "/dashboards/units/62/?program=nq04&year=2016",
    "/dashboards/units/62/?program=nq04&year=1990",  # no data that year: the last year shown
    "/dashboards/units/62/?program=nq04",
    "/dashboards/units/62/?program=nq04&year=2016&official=0",
    "/dashboards/units/62/?program=nq04&official=0",
    "/?year=2015",
)
# The pages read from a row: only the last year with figures is stored (per variant); an
# earlier year is computed.
FROM_ROWS = {PAGES[2], PAGES[3], PAGES[4], PAGES[5], PAGES[6]}


def _page(client, url: str) -> tuple[str, list[str]]:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The CSRF token is masked afresh in every response.
    html = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1…", html)
    return html, [q["sql"] for q in captured.captured_queries]


def _reads_rows(queries: list[str]) -> bool:
    # The support card is read beside the row (`support_card.py`: its own two queries, one on
    # the support indicators' aggregates); nothing else of the page reads the aggregates.
    return any("dashboards_dashboardrow" in sql for sql in queries) and not any(
        "indicators_aggregate" in sql and "support_value_delivered" not in sql for sql in queries
    )


def _current_rows(tree) -> list[DashboardRow]:
    token = data_version(unit_path=tree.province.path).token
    found = list(DashboardRow.objects.filter(unit=tree.province))
    assert found and all(row.version == token for row in found)
    return found


def test_the_stored_dashboard_is_the_computed_one_in_each_language_year_and_variant(
    client, users, tree, program_data, django_capture_on_commit_callbacks
):
    # A 2016 round under a new standard, approved in one commune (a break in the series) and in
    # progress in another; a commune map drawn on the page; a target with its baseline.
    approve(
        make_round(tree.dak_mar, 2016, "vn-2016", {"A": 500_000, "B": 2_000_000}),
        users.province_admin,
    )
    make_round(tree.ngok_wang, 2016, "vn-2016", {"A": 500_000, "B": 3_000_000})
    aggregates_refresh(commune_ids=[tree.ngok_wang.pk, tree.dak_mar.pk])
    client.force_login(users.province_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the rows' task, after the map
        assert _upload(client, grid_bytes(CODES), province=tree.province).status_code == 200
    stored = _current_rows(tree)
    assert {(row.year, row.official) for row in stored} == {(2016, True), (2016, False)}
    client.force_login(users.province_viewer)
    for language in ("vi", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages = {}
        for url in PAGES:
            pages[url], queries = _page(client, url)
            assert _reads_rows(queries) == (url in FROM_ROWS), url
        assert 'data-testid="breaks"' in pages[PAGES[2]]
        assert 'data-testid="commune-map"' in pages[PAGES[2]]
        DashboardRow.objects.update(version="stale")  # every page computed afresh
        for url in PAGES:
            html, queries = _page(client, url)
            assert not _reads_rows(queries), url
            assert html == pages[url], (language, url)
        restored = DashboardRow.objects.update(
            version=data_version(unit_path=tree.province.path).token
        )
        assert restored == len(stored)


def test_a_stored_dashboard_takes_a_third_of_the_queries(client, users, tree, program_data):
    client.force_login(users.province_viewer)
    url = "/dashboards/units/62/?program=nq04&year=2015"
    client.get(url)  # the session, the definitions
    _html, stored = _page(client, url)
    DashboardRow.objects.update(version="stale")
    _html, computed = _page(client, url)
    # 7 for the row and what every page reads, 2 for the support card beside it.
    assert len(stored) == 9, "\n".join(stored)
    assert len(computed) >= 3 * len(stored), "\n".join(computed)


def test_every_new_data_version_writes_the_rows_again(
    client, users, tree, program_data, django_capture_on_commit_callbacks
):
    program = program_data.program
    before = {row.year: row.data for row in _current_rows(tree) if row.official}
    # A target (every province's version bumped): the rows carry it at once (the page shows it
    # without computing).
    target_set(program=program, indicator="poverty_rate", year=2015, target=12.5, actor=None)
    after = {row.year: row.data for row in _current_rows(tree) if row.official}
    assert after != before
    client.force_login(users.province_viewer)
    html, queries = _page(client, "/dashboards/units/62/?program=nq04&year=2015")
    assert _reads_rows(queries) and "12,5" in html
    # A commune's new approved round: the province's rows are written by the task queued when
    # the refresh commits, not before (the page computes meanwhile).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        approve(make_round(tree.dak_choong, 2016, "vn-2016", {"A": 100_000}), users.province_admin)
        aggregates_refresh(commune_ids=[tree.dak_choong.pk])
    token = data_version(unit_path=tree.province.path).token
    assert not DashboardRow.objects.filter(unit=tree.province, version=token).exists()
    for callback in queued:
        callback()
    years = {row.year for row in _current_rows(tree) if row.official}
    assert years == {2016}  # the last year with figures; the earlier ones are computed
    scope = scope_for(users.province_viewer, Action.VIEW)
    rate = indicators.program_figures(scope=scope, program=program, year=2016)["poverty_rate"]
    html, queries = _page(client, "/dashboards/units/62/?program=nq04&year=2016")
    assert _reads_rows(queries) and rate.denominator == 1
    with translation.override("vi"):
        shown = formatting.format_percent(rate.value)
    assert f'data-testid="value-poverty_rate">{shown}<' in html


def test_a_row_is_read_only_for_a_province_wholly_in_scope(users, tree, program_data):
    token = data_version(unit_path=tree.province.path).token
    kwargs = {"program": program_data.program, "year": 2015, "official": True, "version": token}
    whole = scope_for(users.province_viewer, Action.VIEW)
    assert rows.stored_dashboard_for(scope=whole, unit=tree.province, **kwargs) is not None
    district = scope_for(users.district_officer, Action.VIEW)
    assert rows.stored_dashboard_for(scope=district, unit=tree.province, **kwargs) is None
    assert rows.stored_dashboard_for(scope=whole, unit=tree.dak_glei, **kwargs) is None
    assert (
        rows.stored_dashboard_for(scope=whole, unit=tree.province, **{**kwargs, "version": "0"})
        is None
    )
