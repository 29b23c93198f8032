"""In a real browser, each of the seven roles reaches its pages from the menu in two clicks.

Desktop (1366 px) and phone (390 px: the menu is collapsed behind a button, opened by
Bootstrap's bundled script, no inline script). The viewer downloads the review report's Word
file without anyone having saved a summary. Screenshots of each role's home go to
KETNGHIA_SCREENSHOT_DIR (default: the temporary directory).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ketnghia.core.tests.test_browser import browser  # noqa: F401 (the shared Chromium)
from ketnghia.core.tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SHOTS = Path(os.environ.get("KETNGHIA_SCREENSHOT_DIR", tempfile.gettempdir())) / "ketnghia-homes"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Each role: the menu items it sees and, per item, where one more click leads
# (a link's href on the page the item opens, or None when the item's page is the work).
ROLES: dict[str, dict[str, str | None]] = {
    "admin62": {
        "census": "/census/inbox/615/?year=2016",
        "network": None,
        "criteria": None,
        "support": None,
        "economy": None,
        "reports": None,
        "units": None,
        "bulletins": None,
        "admin": None,
    },
    "viewer62": {
        "census": "/census/23488/2016/",
        "network": None,
        "criteria": None,
        "support": None,
        "economy": None,
        "reports": None,
        "units": None,
    },
    "district615": {
        "census": "/census/23488/2016/?revision=1",  # its inbox, then the waiting round
        "network": None,
        "criteria": None,
        "support": None,
        "economy": None,
        "reports": None,
        "units": None,
    },
    "commune23500": {
        "census": "/census/23500/2016/?revision=1",  # its commune, then the open round
        "network": "/network/23500/",
        "criteria": None,
        "support": None,
        "economy": None,
        "reports": None,
        "units": None,
    },
    "twin": {
        "census": None,
        "network": None,
        "criteria": None,
        "support": None,
        "economy": None,
        "reports": None,
        "units": None,
    },
    "editor62": {"bulletins": None},
    "moderator": {},
}


@pytest.fixture
def world(tree, users):
    users.province_admin.is_staff = True
    users.province_admin.save()
    return build_world(tree, users)


def _page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(locale="en-US", viewport=viewport)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, PHONE)


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/?next=/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(base_url + "/")


def _open_menu(page: Page, on_phone: bool) -> None:
    if on_phone:
        toggle = page.get_by_test_id("nav-toggle")
        expect(toggle).to_be_visible()
        expect(page.get_by_test_id("nav-help")).to_be_hidden()
        toggle.click()
        # Bootstrap's collapse animates ("collapsing") before it settles open ("show").
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"^(?!.*collapsing).*\bshow\b"))
    expect(page.get_by_test_id("nav-help")).to_be_visible()


def _walk(page: Page, base_url: str, username: str, on_phone: bool) -> None:
    _sign_in(page, base_url, username)
    expect(page.get_by_test_id("demo-marker")).to_have_count(0)  # no demo data set here
    width = "390" if on_phone else "1366"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"home-{username}-{width}.png"), full_page=True)
    # The menu fits the screen: with eleven areas it once widened every page at 1366 px.
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= int(width), (username, width, wide)
    expected = ROLES[username]
    menu = page.get_by_test_id("main-menu")
    shown = [
        testid.removeprefix("nav-")
        for testid in menu.locator("a.nav-link").evaluate_all(
            "links => links.map(l => l.dataset.testid)"
        )
    ]
    assert shown == ["overview", *expected, "help"], (username, shown)
    for area, second in expected.items():
        page.goto(base_url + "/")
        _open_menu(page, on_phone)
        page.get_by_test_id(f"nav-{area}").click()  # click 1
        page.wait_for_load_state()
        assert page.locator("[data-testid=error-403], [data-testid=error-404]").count() == 0
        if second is not None:
            page.locator(f'main a[href^="{second}"]').first.click()  # click 2
            page.wait_for_load_state()
            assert second in page.url, (username, area, page.url)
            assert page.locator("[data-testid=error-403], [data-testid=error-404]").count() == 0
    page.goto(base_url + "/")
    _open_menu(page, on_phone)
    page.get_by_test_id("nav-help").click()
    expect(page.get_by_test_id("help-index")).to_be_visible()


@pytest.mark.parametrize("username", list(ROLES))
def test_every_role_reaches_its_pages_from_the_menu_on_desktop(
    desktop, live_server, world, username
) -> None:
    _walk(desktop, live_server.url, username, on_phone=False)


@pytest.mark.parametrize("username", list(ROLES))
def test_every_role_reaches_its_pages_from_the_menu_on_a_phone(
    phone, live_server, world, username
) -> None:
    _walk(phone, live_server.url, username, on_phone=True)


def test_the_viewer_downloads_the_review_report_in_word(desktop, live_server, world) -> None:
    _sign_in(desktop, live_server.url, "viewer62")
    desktop.get_by_test_id("nav-reports").click()
    with desktop.expect_download() as download:
        desktop.get_by_test_id("download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert Path(download.value.path()).stat().st_size > 1000
