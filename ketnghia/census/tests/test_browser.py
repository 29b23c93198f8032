"""In a real browser: a commune officer opens their commune's census and reads its figures.

Same Chromium and launch options as the unit-tree browser test (its fixtures are reused);
skipped when Chromium is missing unless KETNGHIA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.census.tests.factories import series
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_commune_officer_sees_the_rates_and_the_break_in_series(page, live_server, tree, users):  # noqa: F811
    series(tree, users)
    _sign_in(page, live_server.url, "commune23500", "/census/23500/")
    expect(page.get_by_role("heading", name="Rà soát hộ nghèo")).to_be_visible()

    years = page.get_by_test_id("census-years")
    row_2014 = years.locator('tr[data-year="2014"]')
    expect(row_2014.get_by_test_id("rate-poor")).to_have_text("(66,7\u00a0%)")
    expect(row_2014.get_by_test_id("rate-near_poor")).to_have_text("(33,3\u00a0%)")

    # The standard changed in 2016: that row, and only that one, carries the marker.
    marker = years.get_by_test_id("series-break")
    expect(marker).to_have_count(1)
    expect(years.locator('tr[data-year="2016"]').get_by_test_id("series-break")).to_be_visible()
    # The marker names the standard before the break by its legal name, never its code.
    row_2016 = years.locator('tr[data-year="2016"]')
    expect(row_2016).to_contain_text("Chuẩn hộ nghèo, hộ cận nghèo giai đoạn 2011–2015")
    expect(row_2016).not_to_contain_text("vn-2011")

    # Recomputing 2016 under the old standard answers in place, the official figure untouched.
    form = page.get_by_test_id("recompute-form")
    form.locator('select[name="year"]').select_option("2016")
    form.locator('select[name="standard"]').select_option("vn-2011")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("recomputed-poor")).to_have_text("0")
    expect(row_2014.get_by_test_id("rate-poor")).to_have_text("(66,7\u00a0%)")
