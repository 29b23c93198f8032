"""In a real browser: a twinning-unit member reads their commune's network and records a visit.

Same Chromium and launch options as the unit-tree browser test (its fixtures are reused).
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning import services
from ketnghia.twinning.models import Activity, Organisation, PersonRole

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_twinning_member_reads_the_network_and_records_a_visit(page, live_server, tree, users):  # noqa: F811
    program = Program.objects.create(code="nq04", name="NQ04", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(
        program=program, commune=tree.dak_choong, valid_from=date(2007, 1, 1)
    )
    organisation = Organisation.objects.get(members=users.twinning_member)
    cadre = services.person_create(
        full_name="Trần Văn Bình",
        sex="male",
        ethnicity="01",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=organisation,
        actor=None,
    )
    services.work_team_create(
        name="Tổ công tác Đắk Choong",
        organisation=organisation,
        commune=tree.dak_choong,
        start_date=date(2015, 1, 1),
        members=[cadre],
        actor=None,
    )
    base = live_server.url
    _sign_in(page, base, "twin", "/network/")
    expect(page.get_by_test_id("coverage")).to_contain_text("Đắk Choong")
    expect(page.get_by_test_id("coverage")).not_to_contain_text("Ngọk Wang")
    form = page.get_by_test_id("activity-form")
    form.get_by_label("Ngày").fill("2016-05-04")
    form.get_by_label("Số người được tiếp cận, nam").fill("12")
    form.get_by_label("Số người được tiếp cận, nữ").fill("15")
    form.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_text("Đã ghi nhận hoạt động.")).to_be_visible()
    assert Activity.objects.get().reached_female == 15
    page.get_by_role("link", name="Xã Đắk Choong").first.click()
    expect(page.get_by_test_id("network-picture").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("activities")).to_contain_text("Thăm, làm việc")
