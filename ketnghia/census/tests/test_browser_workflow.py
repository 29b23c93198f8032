"""In a real browser: a district officer finds a round in the inbox and returns it to the commune.

Reuses the unit-tree browser test's Chromium fixtures; skipped when Chromium is missing unless
KETNGHIA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.census.models import CensusRound, RoundState
from ketnghia.census.tests.factories import approve, make_round
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_district_officer_returns_a_round_from_the_inbox(page, live_server, tree, users):  # noqa: F811
    approve(make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000}), users.commune_officer)
    _sign_in(page, live_server.url, "district615", "/census/inbox/615/")
    page.goto(live_server.url + "/")
    page.get_by_test_id("home-inbox").click()
    expect(page.get_by_role("heading", name="Hộp công việc rà soát")).to_be_visible()
    row = page.locator('tr[data-commune="23500"]')
    expect(row.get_by_test_id("inbox-holder")).to_have_text("Cán bộ huyện")
    row.get_by_test_id("inbox-state").get_by_role("link").click()

    form = page.get_by_test_id("return-form")
    form.locator("textarea").fill("Thiếu chữ ký của trưởng thôn")
    form.get_by_role("button", name="Trả lại cho xã").click()
    expect(page.get_by_test_id("returned")).to_contain_text("Thiếu chữ ký của trưởng thôn")
    expect(page.get_by_test_id("round-state")).to_have_text(str(RoundState.POSTED.label))
    assert CensusRound.objects.get(commune=tree.ngok_wang, year=2025).state == RoundState.POSTED
