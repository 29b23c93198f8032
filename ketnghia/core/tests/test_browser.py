"""In a real browser: a commune officer signs in, searches without diacritics, sees only their commune.

Drives Debian's Chromium through Playwright against pytest-django's live server. Skipped when
Chromium is not installed, unless KETNGHIA_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Kh0ng-d0an-duoc"
OTHER_COMMUNES = ("Đăk Mar", "Đắk Choong", "Dục Nhầy", "Thôn 1")
# A picture of the searched tree, for a human to look at when the test fails in CI.
SCREENSHOT = (
    Path(os.environ.get("KETNGHIA_SCREENSHOT_DIR", tempfile.gettempdir()))
    / "ketnghia-unit-tree.png"
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("KETNGHIA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KETNGHIA_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    # Playwright's sync API keeps an event loop running in this thread; Django would then
    # refuse the fixtures' database writes as "async" unless told the thread is safe.
    expect.set_options(timeout=10_000)  # a shared 2-core CI machine can be slow
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # An English browser on purpose: the site must still answer in Vietnamese first.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, base_url: str, username: str, next_path: str) -> None:
    page.goto(base_url + next_path)
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(base_url + next_path)


def test_commune_officer_searches_without_diacritics_and_sees_only_their_commune(
    page, live_server, users
):
    _sign_in(page, live_server.url, "commune23500", "/units/")
    expect(page.get_by_role("heading", name="Đơn vị hành chính")).to_be_visible()
    tree = page.get_by_test_id("unit-tree")
    expect(tree).to_contain_text("Xã Ngọk Wang")
    expect(tree).to_contain_text("Làng Kon Stiu")

    search = page.get_by_test_id("unit-search")
    results = page.locator("#search-results")

    search.press_sequentially("ngok wang", delay=20)
    expect(results.locator('[data-unit="23500"]')).to_contain_text("Xã Ngọk Wang")
    # The live search keeps the address in step, so the results survive a reload.
    expect(page).to_have_url(re.compile(r"/units/\?q=ngok(\+|%20)wang$"))

    search.fill("kon stiu")
    expect(results.locator('[data-unit="23500-01"]')).to_contain_text("Làng Kon Stiu")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    search.fill("dak")
    expect(results.get_by_test_id("no-match")).to_be_visible()
    body = page.locator("body").inner_text()
    for name in OTHER_COMMUNES:
        assert name not in body

    # Another commune's page answers "not found", in the site's own page.
    page.goto(live_server.url + "/units/23488/")
    expect(page.get_by_test_id("error-404")).to_be_visible()
    assert "Đăk Mar" not in page.locator("body").inner_text()


def test_the_language_switch_turns_the_pages_to_english_and_back(page, live_server, users):
    _sign_in(page, live_server.url, "commune23500", "/units/")
    page.get_by_test_id("language-en").click()
    expect(page.get_by_role("heading", name="Administrative units")).to_be_visible()
    expect(page.get_by_label("Search units")).to_be_visible()
    assert page.url == live_server.url + "/units/"

    page.get_by_test_id("unit-search").press_sequentially("kon stiu", delay=20)
    expect(page.locator("#search-results")).to_contain_text("1 unit matches")

    page.get_by_test_id("language-vi").click()
    expect(page.get_by_role("heading", name="Đơn vị hành chính")).to_be_visible()


def test_district_officer_opens_a_commune_and_its_villages_load(page, live_server, users):
    _sign_in(page, live_server.url, "district615", "/units/")
    commune = page.locator('li[data-unit="23500"]')
    expect(commune).to_be_visible()
    expect(commune).not_to_contain_text("Làng Kon Stiu")
    commune.locator("summary").click(position={"x": 4, "y": 8})
    expect(commune).to_contain_text("Làng Kon Stiu")
    assert "Đắk Choong" not in page.locator("body").inner_text()
