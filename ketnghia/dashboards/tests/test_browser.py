"""In a real browser, on the demo: the province viewer's home page is the program dashboard.

The demo province viewer signs in, lands on the dashboard with its Plotly charts drawn (an
SVG inside each chart), picks 2015 in the year selector, clicks the "communes below 30 %"
figure and finds the 18 communes behind it. No script is blocked by the CSP and no request
leaves the local server (plotly.js is the project's static file; the map is server-side SVG).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from ketnghia.accounts.models import User
from ketnghia.core.gate import Action, scope_for
from ketnghia.core.tests.test_browser import browser, page  # noqa: F401 (fixtures)
from ketnghia.dashboards.services import commune_map_save
from ketnghia.dashboards.tests.geojson import grid_bytes
from ketnghia.demo.generator import DEMO_PASSWORD, demo_load
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.programs.models import Program

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SCREENSHOT = (
    Path(os.environ.get("KETNGHIA_SCREENSHOT_DIR", tempfile.gettempdir()))
    / "ketnghia-dashboard.png"
)
_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _no_csp_violation(page) -> None:  # noqa: F811
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp || []") == []


def test_the_province_viewer_opens_the_dashboard_and_the_communes_below_30(
    page,  # noqa: F811
    live_server,
):
    demo_load()
    province = Unit.objects.get(code="62")
    codes = list(
        Unit.objects.filter(level=UnitLevel.COMMUNE, path__startswith=province.path)
        .order_by("code")
        .values_list("code", flat=True)
    )
    commune_map_save(
        province=province,
        uploaded_file=SimpleUploadedFile("kon-tum-grid.geojson", grid_bytes(codes, columns=12)),
        code_property="ma_xa",
        actor=None,
    )
    viewer_scope = scope_for(User.objects.get(username="demo-viewer"), Action.VIEW)
    program = Program.objects.get(code="nq04")
    below_30 = indicators.program_figures(
        scope=viewer_scope, program=program, year=2015, codes=["communes_below_30"]
    )["communes_below_30"]
    assert (below_30.numerator, below_30.denominator) == (18, 53)

    base = live_server.url
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(_WATCH)

    page.goto(base + "/")
    page.get_by_test_id("home-sign-in").click()
    page.get_by_label("Tên đăng nhập").fill("demo-viewer")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(base + "/")

    # The home page is the program dashboard, its charts drawn by plotly.js.
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    expect(page.get_by_test_id("demo-marker")).to_be_visible()
    expect(page.locator('[data-testid="trend-chart"] svg.main-svg').first).to_be_attached()
    expect(page.locator('[data-testid="district-chart"] svg.main-svg').first).to_be_attached()
    expect(page.locator('[data-testid="trend-chart"] .scatterlayer .trace')).to_have_count(3)
    _no_csp_violation(page)

    # The year selector (submits on change) shows 2015: the article's figures.
    page.get_by_test_id("year-select").select_option("2015")
    page.wait_for_url("**year=2015**")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("2015")
    expect(page.get_by_test_id("value-poverty_rate")).to_have_text("34,0\xa0%")
    expect(page.get_by_test_id("value-poverty_rate-key")).to_have_text("44,0\xa0%")
    expect(page.get_by_test_id("figure-communes_below_30")).to_contain_text("18/53 xã")
    expect(page.locator('[data-testid="trend-chart"] svg.main-svg').first).to_be_attached()
    expect(page.locator(".choropleth path[data-code]")).to_have_count(len(codes))
    _no_csp_violation(page)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # From the figure to the communes behind it.
    page.get_by_test_id("figure-communes_below_30").click()
    page.wait_for_url("**/behind/**")
    expect(page.get_by_test_id("behind-title")).to_contain_text("dưới 30")
    expect(page.locator('[data-testid="behind-meeting"] tbody tr')).to_have_count(18)
    expect(page.locator('[data-testid="behind-others"] tbody tr')).to_have_count(35)
    _no_csp_violation(page)
    behind = indicators.units_behind(
        scope=viewer_scope, program=program, code="communes_below_30", year=2015
    )
    first = page.locator('[data-testid="behind-meeting"] tbody tr').first
    assert first.get_attribute("data-unit") in {r.unit_code for r in behind if r.numerator}
    # A commune of the list opens its own dashboard.
    first.get_by_role("link").first.click()
    expect(page.get_by_test_id("dashboard")).to_have_attribute(
        "data-unit", first_code := urlparse(page.url).path.split("/")[3]
    )
    assert first_code in {r.unit_code for r in behind if r.numerator}

    _no_csp_violation(page)
    assert [m for m in console if "Content Security Policy" in m or "Refused" in m] == []
    hosts = {
        urlparse(url).hostname
        for url in requests
        if urlparse(url).scheme in ("http", "https", "ws")
    }
    assert hosts == {urlparse(base).hostname}
