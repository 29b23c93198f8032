"""In a real browser: the key pages, htmx, the admin and Swagger UI run under the CSP.

Chromium reports every blocked script, style or frame as a `securitypolicyviolation` event
and a console error; the test collects both on each page and expects none.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ketnghia.census.tests.factories import make_round
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _violations(tab: Page, console: list[str]) -> list[str]:
    tab.wait_for_load_state("networkidle")
    return [*tab.evaluate("window.__csp || []"), *console]


def test_key_pages_load_with_no_csp_violation(page, live_server, tree, users):  # noqa: F811
    make_round(tree.ngok_wang, 2024, "vn-2022", {"A": 900_000}, village=tree.village_a)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(_WATCH)
    base = live_server.url
    _sign_in(page, base, "admin62", "/units/")
    # htmx is loaded and answers: the live search fills the results.
    page.get_by_test_id("unit-search").press_sequentially("ngok", delay=20)
    expect(page.locator('#search-results [data-unit="23500"]')).to_be_visible()
    assert _violations(page, console) == []
    pages = [
        "/",
        "/census/23500/",
        "/census/23500/2024/",
        "/census/23500/households/A/",
        "/admin/",
        f"/admin/geo/unit/{tree.ngok_wang.pk}/change/",
        "/admin/accounts/user/add/",
        f"/admin/geo/unit/{tree.ngok_wang.pk}/history/",
    ]
    for path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert _violations(page, console) == [], path
    # Swagger UI starts from its own script file and renders the API.
    page.goto(base + "/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert _violations(page, console) == []
