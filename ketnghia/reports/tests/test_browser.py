"""In a real browser: the province viewer reads the review and clicks through to the communes.

Reuses the Chromium fixtures of the unit-tree browser test; skipped when Chromium is missing
unless KETNGHIA_REQUIRE_BROWSER=1. A screenshot of the page is left for a human to look at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
REVIEW = "/reports/review/?program=nq04&baseline=2007&year=2015"
SCREENSHOT = (
    Path(os.environ.get("KETNGHIA_SCREENSHOT_DIR", tempfile.gettempdir())) / "ketnghia-review.png"
)


def test_viewer_clicks_from_a_figure_to_the_communes_behind_it(
    page,  # noqa: F811
    live_server,
    small_program,
) -> None:
    _sign_in(page, live_server.url, "viewer62", REVIEW)
    figures = page.get_by_test_id("figures")
    expect(figures.get_by_test_id("value-poverty_rate")).to_have_text("30,0\u00a0%")
    units = page.get_by_test_id("units-poverty_rate")
    expect(units).not_to_have_attribute("open", "")
    page.get_by_test_id("drill-poverty_rate").click()
    expect(units).to_have_attribute("open", "")
    rows = units.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(units.locator('tr[data-unit="23290"]')).to_contain_text("50,0")
    expect(units).to_contain_text("Xã Đắk Choong")
    expect(page.get_by_test_id("trend-chart")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    # from the commune to its criteria page
    units.get_by_role("link", name="Xã Đắk Choong").click()
    page.wait_for_url(f"{live_server.url}/criteria/23290/?year=2015")
