"""In a real browser: a commune officer registers a household, adds a member, finds it.

Same Chromium and launch options as the unit-tree browser test (its fixtures are reused);
skipped when Chromium is missing unless KETNGHIA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.factories import make_round
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401
from ketnghia.households.models import Member

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_an_officer_registers_a_household_adds_a_member_and_filters_the_round(
    page,  # noqa: F811
    live_server,
    tree,
    users,
):
    census_round = make_round(
        tree.ngok_wang, 2024, "vn-2022", {"A": 1_000_000, "B": 3_000_000}, village=tree.village_a
    )
    CensusEntry.objects.filter(round=census_round).update(village_code="23500-01")
    _sign_in(page, live_server.url, "commune23500", "/census/23500/")
    page.get_by_test_id("household-add").click()

    form = page.get_by_test_id("household-form")
    form.locator('input[name="code"]').fill("01-077")
    form.locator('input[name="head_name"]').fill("Y  Hoa")
    form.get_by_role("button").click()
    # The import's own message, in Vietnamese, beside the village.
    expect(form.get_by_test_id("field-error")).to_have_count(1)
    form.locator('select[name="village"]').select_option("23500-01")
    form.get_by_role("button").click()

    expect(page.get_by_role("heading", name="Sửa thông tin hộ 01-077 Y Hoa")).to_be_visible()
    add = page.get_by_test_id("member-add-form")
    add.locator('input[name="new-full_name"]').fill("Y Hoa")
    add.locator('select[name="new-sex"]').select_option("female")
    add.locator('input[name="new-birth_year"]').fill("1990")
    add.locator('select[name="new-ethnicity"]').select_option("14")
    add.locator('select[name="new-relation"]').select_option("head")
    add.locator('input[name="new-personal_id"]').fill("000190001234")
    add.get_by_role("button").click()
    expect(page.get_by_test_id("member")).to_have_count(1)
    expect(page.get_by_test_id("personal-id")).to_have_text("000190001234")
    assert Member.objects.get(household__code="01-077").history.latest().history_user == (
        users.commune_officer
    )

    # The round's list: village names, filtered by status in place (htmx).
    page.goto(f"{live_server.url}/census/23500/2024/")
    entries = page.locator("#entries")
    expect(entries).to_contain_text("Làng Kon Stiu")
    page.get_by_test_id("entry-status").select_option("near_poor")
    expect(entries.locator("tr[data-household]")).to_have_count(1)
    expect(entries.locator('tr[data-household="A"]')).to_be_visible()
