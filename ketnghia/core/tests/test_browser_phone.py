"""On a 390 px phone, no page of the commune and district officers or of the steering
committee is wider than the screen.

Every page of the route walk (`test_names_not_codes._urls`, on the same small program) is
opened in Chromium at 390 × 844 as each of those roles; `document.documentElement.scrollWidth`
must not pass the viewport's width (a wide table scrolls inside itself, the page does not).
The criteria matrix, the household table, the ranking and the network are also checked for
their key column or list being on screen without sideways scrolling.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from ketnghia.core.tests.test_browser import CHROMIUM_ARGS, PASSWORD, browser  # noqa: F401
from ketnghia.core.tests.test_names_not_codes import _urls, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
ROLES = {
    "commune_officer": "commune23500",
    "district_officer": "district615",
    "province_viewer": "viewer62",
}


def _phone(browser: Browser, base: str, username: str):  # noqa: F811
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.goto(base + "/accounts/login/")
    tab.get_by_label("Tên đăng nhập").fill(username)
    tab.get_by_label("Mật khẩu").fill(PASSWORD)
    tab.get_by_test_id("login-submit").click()
    tab.wait_for_load_state("networkidle")
    return context, tab


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_is_wider_than_a_phone(browser, live_server, tree, users, world, role):  # noqa: F811
    context, tab = _phone(browser, live_server.url, ROLES[role])
    too_wide, seen = {}, 0
    try:
        for url in _urls(tree, world):
            if url.endswith((".xlsx", ".json", ".docx", "/logout/")) or "/xlsform/" in url:
                continue
            # Ask first with the tab's cookies and without navigating: a 405, a 404 or a
            # download would leave the tab on Chromium's error page, and the next navigation
            # is then interrupted by it (the walk skipped pages at random that way).
            answer = context.request.get(live_server.url + url, max_redirects=0)
            content_type = answer.headers.get("content-type") or ""
            if answer.status != 200 or "text/html" not in content_type:
                continue
            response = tab.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            tab.wait_for_load_state("networkidle")
            seen += 1
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[url] = width
    finally:
        context.close()
    assert seen >= 20
    assert too_wide == {}


def test_key_columns_charts_and_the_network_on_a_phone(browser, live_server, tree, users, world):  # noqa: F811
    context, tab = _phone(browser, live_server.url, "viewer62")
    right_edge = "e => e.getBoundingClientRect().right"
    try:
        # The criteria matrix: each village a card, each cell led by the criterion's name.
        tab.goto(live_server.url + "/criteria/23500/?year=2015")
        cell = tab.locator('[data-testid="village-matrix"] td[data-criterion="no_hunger"]').first
        expect(cell).to_be_visible()
        assert cell.evaluate(right_edge) <= PHONE["width"]
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert "Không có hộ thiếu đói" in label
        # A round's households: the status is on screen, the code on one line.
        tab.goto(live_server.url + "/census/23500/2015/")
        status = tab.locator('[data-testid="entries"] tbody tr').first.locator(".badge").first
        expect(status).to_be_visible()
        assert status.evaluate(right_edge) <= PHONE["width"]
        code = tab.locator('[data-testid="entries"] tbody tr td a').first
        assert code.evaluate("e => e.getClientRects().length") == 1
        # The dashboard: the ranking's rate in view, the charts without the Plotly bar.
        tab.goto(live_server.url + "/dashboards/units/62/?year=2015")
        rate = tab.locator('[data-testid="ranking"] tbody tr').first.locator("td").last
        assert rate.evaluate(right_edge) <= PHONE["width"]
        expect(tab.locator('[data-testid="trend-chart"][data-rendered="1"]')).to_be_attached()
        assert tab.locator(".modebar-container .modebar-btn").count() == 0
        chart = tab.get_by_test_id("trend-chart")
        assert chart.evaluate(right_edge) <= PHONE["width"]
        # The network: a list of the villages where the diagram cannot fit.
        tab.goto(live_server.url + "/network/23500/?year=2015")
        expect(tab.get_by_test_id("network-list")).to_be_visible()
        expect(tab.get_by_test_id("network-list")).to_contain_text(tree.village_a.name)
        expect(tab.get_by_test_id("network-picture")).to_be_hidden()
    finally:
        context.close()
