"""In a real browser on a 390 px phone: a province administrator opens the villages upload
from the province's page, uploads a workbook, reads its preview on the job page and
confirms it; no page is wider than the screen. Skipped when Chromium is missing unless
KETNGHIA_REQUIRE_BROWSER=1."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from ketnghia.core.tests.test_browser import PASSWORD, browser  # noqa: F401
from ketnghia.geo.models import Unit
from ketnghia.geo.tests.helpers import write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = False


def test_a_village_file_uploaded_checked_and_confirmed_on_a_phone(
    browser: Browser,  # noqa: F811
    live_server,
    tree,
    users,
    tmp_path,
):
    path = write_xlsx(tmp_path / "thon.xlsx", [["Mã xã", "Tên thôn"], ["23500", "Thôn Mới Lập"]])
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/accounts/login/?next=/units/62/")
        tab.get_by_label("Tên đăng nhập").fill("admin62")
        tab.get_by_label("Mật khẩu").fill(PASSWORD)
        tab.get_by_test_id("login-submit").click()
        tab.get_by_test_id("import-villages").click()
        expect(tab.get_by_test_id("upload-template")).to_be_visible()
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.locator("input[type=file]").set_input_files(str(path))
        tab.get_by_role("button", name="Kiểm tra tệp").click()
        expect(tab.get_by_test_id("import-preview")).to_contain_text("Thôn Mới Lập")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        tab.get_by_test_id("confirm-form").get_by_role("button").click()
        expect(tab.get_by_test_id("import-done")).to_be_visible()
    finally:
        context.close()
    assert Unit.objects.filter(name="Thôn Mới Lập", parent=tree.ngok_wang).exists()
