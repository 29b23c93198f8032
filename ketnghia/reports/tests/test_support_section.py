"""The review's support section: plan vs delivered by source and year, the value delivered and
the share of poor households supported, against the delivery and ledger rows; its files read
back by openpyxl and python-docx; each role sees its own area."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.db.models import Sum
from docx import Document
from openpyxl import load_workbook

from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.support.models import Delivery, FundEntry
from ketnghia.support.tests.conftest import make_setting
from ketnghia.support.tests.delivered import delivered_world

pytestmark = pytest.mark.django_db

QUERY = "?program=nq04&baseline=2014&year=2016"
JSON = "/reports/review/report.json" + QUERY


@pytest.fixture
def delivered(tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    setting = make_setting(tree, users)
    aggregates_rebuild()
    delivered_world(setting, tree, users)
    cache.clear()
    return setting


def _delivered(**filters) -> float:
    total = Delivery.objects.filter(
        cycle__state__in=["delivered", "reconciled"], delivered_on__year=2016, **filters
    ).aggregate(total=Sum("delivered_value"))["total"]
    return float(total or 0)


def _rows(section) -> dict[tuple[int, str], dict]:
    return {(r["year"], r["source"]): r for r in section["by_source_and_year"]}


def test_the_json_section_equals_the_ledger_and_delivery_rows(client, users, tree, delivered):
    client.force_login(users.province_viewer)
    section = client.get(JSON).json()["support"]
    assert section["value_delivered"] == _delivered()
    assert section["value_delivered_period"] == _delivered()  # nothing before 2016
    rows = _rows(section)
    assert set(rows) == {(2016, "province"), (2016, "district")}
    for source in ("province", "district"):
        planned = FundEntry.objects.filter(fund__source=source, fund__year=2016).aggregate(
            total=Sum("amount")
        )["total"]
        assert rows[(2016, source)]["planned"] == planned
        assert rows[(2016, source)]["delivered"] == _delivered(cycle__fund__source=source)
        assert rows[(2016, source)]["committed"] == 0  # every approved cycle was delivered
    share = section["poor_households_supported"]
    assert (share["numerator"], share["denominator"]) == (1.0, 1.0)  # B, the only poor of 2016
    assert share["value"] == 100.0
    # Đăk Mar has no census round: left out of the share, and no delivery recorded there.
    assert [m["name"] for m in section["coverage"]["missing"]] == [tree.dak_mar.name]
    assert [m["name"] for m in section["without_deliveries"]] == [tree.dak_mar.name]
    assert section["plan_within_area"] is False


def test_a_district_sees_its_communes_deliveries_and_its_own_funds(client, users, delivered):
    client.force_login(users.district_officer)
    section = client.get(JSON).json()["support"]
    rows = _rows(section)
    # The province's fund is planned at the province; what it delivered in the district counts.
    assert rows[(2016, "province")]["planned"] == 0
    assert rows[(2016, "province")]["delivered"] == _delivered(cycle__fund__source="province")
    assert rows[(2016, "district")]["planned"] == 50_000_000
    assert section["plan_within_area"] is True
    page = client.get("/reports/review/" + QUERY)
    assert b'data-testid="support-plan-note"' in page.content


def test_a_program_without_support_has_no_section(client, users, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_setting(tree, users)
    FundEntry.objects.all().delete()
    from ketnghia.support.models import Fund, LegalDocument, Package

    Package.objects.all().delete()
    Fund.objects.all().delete()
    LegalDocument.objects.all().delete()
    aggregates_rebuild()
    client.force_login(users.province_viewer)
    data = client.get(JSON).json()
    assert "support" not in data
    assert b"support-section" not in client.get("/reports/review/" + QUERY).content


def test_the_files_carry_the_section(client, users, delivered):
    client.force_login(users.province_viewer)
    book = load_workbook(io.BytesIO(client.get(JSON.replace(".json", ".xlsx")).content))
    sheet = book["Hỗ trợ"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    by_source = {(r[0], r[1]): r for r in rows if r and r[0] == 2016}
    province = by_source[(2016, "Ngân sách tỉnh")]
    assert province[2] == 10_000_000 and province[4] == _delivered(cycle__fund__source="province")
    assert isinstance(province[4], float | int)  # a number, not a text
    assert any(r[0] == "Cộng" for r in rows)
    word = Document(io.BytesIO(client.get(JSON.replace(".json", ".docx")).content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Kết quả hỗ trợ theo nguồn vốn" in text
    assert "Tỷ lệ hộ nghèo được hỗ trợ trong năm 2016: 100,0" in text
    assert "chưa có cấp phát nào được ghi nhận năm 2016" in text  # Đăk Mar
    tables = [t for t in word.tables if t.rows and t.rows[0].cells[0].text == "Năm"]
    assert tables, "the plan vs delivered table"
    cells = [[c.text for c in row.cells] for row in tables[0].rows]
    assert cells[1][:3] == ["2016", "Ngân sách tỉnh", "10,0"]


def test_the_saved_snapshot_keeps_the_section(delivered):
    from ketnghia.core.gate import EVERYTHING
    from ketnghia.reports import selectors
    from ketnghia.reports.domain import report_from_dict, report_to_dict

    request = selectors.ReviewRequest(
        program=delivered.program, baseline_year=2014, review_year=2016, area=None
    )
    report = selectors.review_report(scope=EVERYTHING, request=request)
    assert report.support is not None
    again = report_from_dict(report_to_dict(report))
    assert again.support == report.support
