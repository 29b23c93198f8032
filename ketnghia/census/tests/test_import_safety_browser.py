"""In a real browser: an upload that would roll a round back is shown first, imported on confirmation.

Same Chromium and launch options as the unit-tree browser test (its fixtures are reused);
skipped when Chromium is missing unless KETNGHIA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ketnghia.census import services
from ketnghia.census.importing import census_import
from ketnghia.census.models import CensusEntry
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.core.tests.test_browser import _sign_in, browser, page  # noqa: F401
from ketnghia.poverty.standards import get_standard

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

VN_2022 = get_standard("vn-2022")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows(base: int):
    return [
        household(f"H{n:02d}", f"Chủ hộ {n}", "Làng Kon Stiu", str(base + n * 1000), [0] * 12)
        for n in range(1, 21)
    ]


def test_an_old_list_is_previewed_and_imported_only_once_confirmed(
    page,  # noqa: F811
    live_server,
    tree,
    users,
    tmp_path,
):
    for year, base in ((2023, 1_000_000), (2024, 2_000_000)):
        census_round = services.census_round_create(
            commune=tree.ngok_wang, year=year, standard_code="vn-2022"
        )
        census_import(
            census_round=census_round,
            path=write_csv(tmp_path / f"{year}.csv", headers(VN_2022), _rows(base)),
        )
    old = write_csv(tmp_path / "danh-sach-cu.csv", headers(VN_2022), _rows(1_000_000))

    _sign_in(page, live_server.url, "commune23500", "/census/23500/2024/")
    form = page.get_by_test_id("import-form")
    form.locator('input[type="file"]').set_input_files(str(old))
    form.locator("button[type=submit]").click()

    # "Check only" is ticked by default: the check shows what the file would change.
    job = page.get_by_test_id("import-job").first
    expect(job).to_have_attribute("data-state", "done")
    preview = job.get_by_test_id("import-preview")
    expect(preview).to_contain_text("20 trong 20 hộ của đợt thay đổi")
    expect(job.get_by_test_id("import-needs-confirmation")).to_be_visible()
    expect(job.get_by_test_id("import-preview-sample")).to_contain_text("H01")
    assert not CensusEntry.objects.filter(monthly_income_per_person__lt=2_000_000, round__year=2024)

    job.get_by_test_id("import-confirm").click()
    latest = page.get_by_test_id("import-job").first
    expect(latest).to_have_attribute("data-state", "done")
    expect(latest.get_by_test_id("import-report")).to_contain_text("Đã nhập")
    imported = CensusEntry.objects.filter(round__year=2024, monthly_income_per_person__lt=2_000_000)
    assert imported.count() == 20
