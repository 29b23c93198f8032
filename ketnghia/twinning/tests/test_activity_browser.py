"""In a real browser: a twinning-unit member imports their team's ODK export and adds a photo."""
# ruff: noqa: F811  (the browser fixtures are imported, then used as parameters)

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401
from ketnghia.twinning import services
from ketnghia.twinning.models import Activity, Organisation, PersonRole
from ketnghia.twinning.tests.activity_files import central_row, write_central

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_member_imports_an_export_confirms_it_and_adds_a_photo(
    page, live_server, tree, users, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    organisation = Organisation.objects.get(members=users.twinning_member)
    cadre = services.person_create(
        full_name="A Blong",
        sex="male",
        ethnicity="14",
        role=PersonRole.CADRE,
        active_from=date(2007, 1, 1),
        organisation=organisation,
        actor=None,
    )
    team = services.work_team_create(
        name="Tổ công tác Đắk Choong",
        organisation=organisation,
        commune=tree.dak_choong,
        start_date=date(2015, 1, 1),
        members=[cadre],
        actor=None,
    )
    export = write_central(
        tmp_path / "odk.csv",
        [
            central_row(
                team=f"t{team.pk}",
                commune="23290",
                day="2024-03-03",
                kind="propaganda",
                village="23290-01",
                participants=f"p{cadre.pk}",
                male="30",
                female="28",
                minority="55",
                uuid="9a8b7c6d-0000-4000-8000-000000000007",
            )
        ],
    )
    photo = tmp_path / "tuyen-truyen.png"
    photo.write_bytes(PNG)
    base = live_server.url
    _sign_in(page, base, "twin", "/network/")
    page.get_by_test_id("activities-import-link").click()
    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(str(export))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("Đắk Choong")
    assert Activity.objects.count() == 0
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.get_by_text("Đã nhập 1 hoạt động")).to_be_visible()
    activity = Activity.objects.get()
    assert (activity.reached_male, activity.village.code) == (30, "23290-01")
    page.goto(f"{base}/network/23290/")
    page.get_by_test_id("photo-form").locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Thêm ảnh").click()
    expect(page.get_by_text("Đã thêm ảnh.")).to_be_visible()
    expect(page.get_by_test_id("activity-photo")).to_have_count(1)


def test_a_zip_bomb_on_the_activity_page_is_refused_and_the_server_goes_on(
    page, live_server, tree, users, tmp_path, settings
):
    """The upload that killed the web server: 3.5 GB of shared strings in a 3.5 MB workbook."""
    from ketnghia.imports.tests.bombs import write_bomb

    settings.MEDIA_ROOT = tmp_path / "media"
    bomb = write_bomb(tmp_path / "hoat-dong.xlsx")
    base = live_server.url
    _sign_in(page, base, "twin", "/network/")
    page.goto(f"{base}/network/activities/import/")
    page.get_by_test_id("upload-form").locator("input[type=file]").set_input_files(str(bomb))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_test_id("import-problems")).to_contain_text("hoat-dong.xlsx")
    expect(page.get_by_test_id("import-problems")).to_contain_text("giải nén")
    response = page.goto(f"{base}/network/")
    assert response is not None and response.status == 200
