"""In a real browser: an officer reads the criteria matrix, fixes one fact, sees the result move.

Reuses the Chromium fixtures of the unit-tree browser test; skipped when Chromium is missing
unless KETNGHIA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.census.tests.factories import approve
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_one_fact_fixed_moves_the_village_and_the_commune(page, live_server, commune, users):  # noqa: F811
    approve(commune.census_round, users.commune_officer)
    _sign_in(page, live_server.url, "commune23500", "/criteria/23500/?year=2015")
    villages = page.get_by_test_id("village-matrix")
    third = villages.locator('tr[data-unit="23500-03"]')
    expect(third.locator('td[data-criterion="no_hunger"]')).to_contain_text("không đạt")
    expect(third.locator("[data-outcome]")).to_have_text("chưa đạt")
    expect(
        page.get_by_test_id("commune-matrix").locator('td[data-criterion="villages"]')
    ).to_contain_text("66,7")

    third.get_by_role("link").click()
    page.get_by_role("row", name="2015").get_by_role("link", name="Sửa số liệu").click()
    page.locator("#id_households_short_of_food").fill("0")
    page.get_by_role("button", name="Lưu").click()
    expect(
        page.get_by_test_id("village-progress").locator('tr[data-year="2015"] [data-outcome]')
    ).to_have_text("cơ bản đạt")

    page.goto(live_server.url + "/criteria/23500/?year=2015")
    expect(
        page.get_by_test_id("commune-matrix").locator('td[data-criterion="villages"]')
    ).to_contain_text("100,0")
