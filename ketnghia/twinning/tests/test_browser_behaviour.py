"""In a real browser, under the Content-Security-Policy: the network's year selector and the
proposal's "select all" work (they once were inline handlers the policy silently blocked).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401
from ketnghia.twinning.tests.test_pages import world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_picking_a_year_shows_that_year_and_select_all_ticks_every_row(
    page,  # noqa: F811
    live_server,
    users,
    world,  # noqa: F811
):
    base = live_server.url
    _sign_in(page, base, "admin62", "/network/23290/")
    assert "year=2015" not in page.url
    page.get_by_test_id("year-selector").get_by_label("Năm").select_option("2015")
    page.wait_for_url("**/network/23290/?year=2015")
    expect(page.get_by_test_id("year-selector").get_by_label("Năm")).to_have_value("2015")
    expect(page.get_by_test_id("households")).to_contain_text("C2")

    page.goto(base + "/network/23290/proposal/?year=2015")
    rows = page.get_by_test_id("proposal").locator("tbody input[name=row]")
    assert rows.count() >= 1
    every = page.get_by_test_id("check-all")
    every.uncheck()
    for index in range(rows.count()):
        expect(rows.nth(index)).not_to_be_checked()
    every.check()
    for index in range(rows.count()):
        expect(rows.nth(index)).to_be_checked()
