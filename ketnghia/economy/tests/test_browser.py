"""The outcome page and a model page on a 390 px phone, in Chromium: the event-study chart is
drawn, the balance table opens, and no page is wider than the screen."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from ketnghia.core.tests.test_browser import PASSWORD, browser  # noqa: F401
from ketnghia.economy import services
from ketnghia.economy.tests.conftest import KIND

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}


def test_outcome_and_model_pages_on_a_phone(browser, live_server, tree, users, planted):  # noqa: F811
    model = services.economic_model_create(
        code="bo",
        name="Nuôi bò sinh sản",
        kind="livestock",
        village=tree.village_a,
        start_date=date(2016, 1, 1),
        actor=None,
    )
    for year in (2016, 2017, 2018):
        services.model_result_record(
            model=model,
            year=year,
            output=10 + year % 10,
            income_per_household=12_000_000,
            actor=None,
        )
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/accounts/login/")
        tab.get_by_label("Tên đăng nhập").fill("viewer62")
        tab.get_by_label("Mật khẩu").fill(PASSWORD)
        tab.get_by_test_id("login-submit").click()
        tab.wait_for_load_state("networkidle")

        tab.goto(live_server.url + "/outcomes/")
        tab.wait_for_load_state("networkidle")
        section = tab.get_by_test_id(f"outcome-{KIND}")
        expect(section.get_by_test_id("overall-effect")).to_contain_text("điểm phần trăm")
        expect(section.locator("[data-testid=event-study-chart] svg").first).to_be_visible()
        section.get_by_test_id("balance-2018").locator("summary").click()
        expect(
            section.get_by_test_id("balance-2018").get_by_test_id("balance-table")
        ).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        tab.goto(live_server.url + f"/models/{model.pk}/")
        tab.wait_for_load_state("networkidle")
        expect(tab.locator("[data-testid=results-chart] svg").first).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.goto(live_server.url + "/models/")
        tab.wait_for_load_state("networkidle")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
