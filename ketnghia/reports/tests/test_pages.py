"""The review pages on a small program: scope per role, drill-down, query counts, files."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from ketnghia.census.tests.factories import approve, make_round
from ketnghia.core.gate import EVERYTHING
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.reports.models import SavedReport

REVIEW = "/reports/review/?program=nq04&baseline=2007&year=2015"
JSON = "/reports/review/report.json?program=nq04&baseline=2007&year=2015"


def _ranking(response) -> list[str]:
    return [row.code for row in response.context["report"].ranking]


def test_province_viewer_sees_every_commune(client, users, small_program) -> None:
    client.force_login(users.province_viewer)
    response = client.get(REVIEW)
    assert response.status_code == 200
    assert sorted(_ranking(response)) == ["23290", "23488", "23500"]
    page = response.content.decode()
    assert 'data-testid="value-poverty_rate">30,0' in page
    assert 'data-testid="value-poverty_rate_baseline">60,0' in page
    assert 'data-testid="value-key_communes_poverty_rate">25,0' in page
    assert 'href="#units-poverty_rate"' in page


def test_district_officer_gets_their_district_only(client, users, tree, small_program) -> None:
    client.force_login(users.district_officer)
    response = client.get(REVIEW)
    assert response.status_code == 200
    assert sorted(_ranking(response)) == ["23488", "23500"]
    report = response.context["report"]
    assert report.area_name == tree.dak_ha.name
    # Đắk Hà alone: 1 poor of 6 households in 2015
    rate = report.entry("poverty_rate")
    assert (rate.numerator, rate.denominator) == (1, 6)
    for code in ("poverty_rate", "communes_below_30", "poverty_rate_baseline"):
        assert {u.code for u in report.entry(code).units} <= {"23488", "23500"}
    assert client.get(REVIEW + f"&unit={tree.dak_glei.code}").status_code == 404
    assert client.get(REVIEW + f"&unit={tree.province.code}").status_code == 404
    assert client.get(REVIEW + "&unit=nope").status_code == 404
    assert client.get(REVIEW.replace("nq04", "other")).status_code == 404
    data = json.loads(client.get(JSON).content)
    assert {r["code"] for r in data["ranking"]} == {"23488", "23500"}
    assert client.get(JSON + f"&unit={tree.dak_glei.code}").status_code == 404


def test_other_program_is_404(client, users, tree, small_program) -> None:
    other = Program.objects.create(code="other", name="Khác", start_date=date(2007, 1, 1))
    ProgramCommune.objects.create(
        program=other, commune=tree.dak_choong, valid_from=date(2007, 1, 1)
    )
    client.force_login(users.district_officer)  # Đắk Hà; the other program is in Đắk Glei
    assert client.get(REVIEW.replace("nq04", "other")).status_code == 404


def test_twinning_member_sees_their_commune(client, users, tree, small_program) -> None:
    client.force_login(users.twinning_member)
    response = client.get(REVIEW)
    assert response.status_code == 200
    assert _ranking(response) == [tree.dak_choong.code]
    assert client.get(REVIEW + f"&unit={tree.ngok_wang.code}").status_code == 404


def test_signed_out_is_sent_to_sign_in(client, small_program) -> None:
    response = client.get(REVIEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(JSON).status_code == 302


def test_household_links_only_with_personal_data_rights(client, users, small_program) -> None:
    client.force_login(users.commune_officer)
    page = client.get(REVIEW).content.decode()
    assert 'data-testid="households-23500"' in page
    assert 'href="/census/23500/2015/"' in page
    client.force_login(users.province_viewer)
    page = client.get(REVIEW).content.decode()
    assert 'data-testid="households-' not in page
    client.force_login(users.province_admin)
    page = client.get(REVIEW).content.decode()
    assert 'data-testid="households-23290"' in page


def test_json_matches_the_indicator_selectors(client, users, small_program) -> None:
    client.force_login(users.province_viewer)
    data = json.loads(client.get(JSON).content)
    figures = indicators.program_figures(scope=EVERYTHING, program=small_program, year=2015)
    entries = {e["code"]: e for e in data["entries"]}
    for code in ("poverty_rate", "communes_below_30"):
        assert entries[code]["value"] == pytest.approx(figures[code].value)
        assert entries[code]["numerator"] == figures[code].numerator
    assert entries["poverty_rate_baseline"]["value"] == pytest.approx(60.0)
    assert data["narrative"]["vi"].startswith("Tỷ lệ hộ nghèo chung của 3 xã")


def _more_communes(tree, users, program) -> None:
    """Add a round to Đăk Mar's 2015 list twice as long, so the page has more rows to read."""
    census_round = make_round(tree.dak_mar, 2014, "vn-2011", {f"x-{n}": 300_000 for n in range(30)})
    approve(census_round, users.commune_officer)
    aggregates_rebuild()


def test_query_count_does_not_grow_with_the_data(client, users, tree, small_program) -> None:
    client.force_login(users.province_viewer)
    client.get(REVIEW)
    cache.clear()  # the report built afresh (it is cached by data version)
    with CaptureQueriesContext(connection) as first:
        assert client.get(REVIEW).status_code == 200
    _more_communes(tree, users, small_program)
    cache.clear()
    with CaptureQueriesContext(connection) as second:
        assert client.get(REVIEW).status_code == 200
    # one more year in the period reads one more year of activities, nothing per row
    assert len(second) <= len(first) + 2
    assert len(first) <= 45


def test_save_requires_edit_rights_and_keeps_history(client, users, small_program) -> None:
    client.force_login(users.province_viewer)
    form = {
        "program": "nq04",
        "baseline": "2007",
        "year": "2015",
        "narrative_vi": "Văn bản",
        "narrative_en": "Text",
        "recipients": "Lưu: VT.",
    }
    assert client.post("/reports/review/save/", form).status_code in (403, 404)
    assert not SavedReport.objects.exists()
    client.force_login(users.district_officer)
    assert client.post("/reports/review/save/", form).status_code == 302
    saved = SavedReport.objects.get()
    assert saved.area.code == "615" and saved.unit_path == "/62/615/"
    assert saved.history.count() == 1
    # a province viewer does not see a district's saved text as the province's
    client.force_login(users.province_viewer)
    assert client.get(REVIEW).context["saved"] is None
    # forged years or program: refused, nothing written
    client.force_login(users.district_officer)
    assert client.post("/reports/review/save/", {**form, "year": "99999"}).status_code == 404
    assert client.post("/reports/review/save/", {**form, "program": "zz"}).status_code == 404
    response = client.post("/reports/review/save/", {**form, "narrative_vi": ""})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.narrative_vi == "Văn bản" and saved.history.count() == 1


def test_a_reader_downloads_every_file_before_anyone_saved(client, users, small_program) -> None:
    """The steering committee (a viewer, who cannot save) gets the files at once, marked draft."""
    client.force_login(users.province_viewer)
    assert not SavedReport.objects.exists()
    response = client.get(JSON.replace(".json", ".docx"))
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "Bản dự thảo tự động" in text and "I. KẾT QUẢ ĐẠT ĐƯỢC" in text
    response = client.get(JSON.replace(".json", ".xlsx"))
    assert response.status_code == 200
    assert load_workbook(BytesIO(response.content)).sheetnames
    data = json.loads(client.get(JSON).content)
    assert data["narrative"]["generated"] is True
    assert not SavedReport.objects.exists()


def test_viewer_downloads_word_and_excel_without_a_saved_summary(
    client, users, small_program
) -> None:
    """The steering committee cannot save a summary: it gets the generated one, marked."""
    import io

    from docx import Document
    from openpyxl import load_workbook

    from ketnghia.reports.exports import GENERATED_MARK_VI

    client.force_login(users.province_viewer)
    word = client.get(JSON.replace(".json", ".docx"))
    assert word.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert GENERATED_MARK_VI in text
    excel = client.get(JSON.replace(".json", ".xlsx"))
    assert excel.status_code == 200
    book = load_workbook(io.BytesIO(excel.content))
    cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert any(GENERATED_MARK_VI in value for value in cells)
    data = client.get(JSON).json()
    assert data["narrative"]["generated"] is True


def test_a_saved_summary_is_not_marked_generated(client, users, small_program) -> None:
    client.force_login(users.province_admin)
    form = {
        "program": "nq04",
        "baseline": "2007",
        "year": "2015",
        "narrative_vi": "Văn bản đã duyệt",
        "narrative_en": "Text",
        "recipients": "Lưu: VT.",
    }
    assert client.post("/reports/review/save/", form).status_code == 302
    assert SavedReport.objects.count() == 1
    data = client.get(JSON).json()
    assert data["narrative"]["generated"] is False
    assert data["narrative"]["vi"] == "Văn bản đã duyệt"


def test_the_page_and_the_json_cap_the_units_the_xlsx_keeps_them_all(
    client, users, small_program, monkeypatch
) -> None:
    from ketnghia.reports import views

    monkeypatch.setattr(views, "UNITS_SHOWN", 2)
    client.force_login(users.province_viewer)
    response = client.get(REVIEW)
    report = response.context["report"]
    assert len(report.ranking) == 2 and report.ranking_total == 3
    entry = report.entry("poverty_rate")
    assert len(entry.units) == 2 and entry.units_total == 3
    page = response.content.decode()
    assert (
        'data-testid="ranking-capped"' in page and 'data-testid="units-capped-poverty_rate"' in page
    )
    assert "3 đơn vị" in page or "3 units" in page
    data = json.loads(client.get(JSON).content)
    rate = {e["code"]: e for e in data["entries"]}["poverty_rate"]
    assert len(rate["units"]) == 2 and rate["units_total"] == 3
    assert len(data["ranking"]) == 2 and data["ranking_total"] == 3
    # The figure itself is over every commune.
    assert rate["denominator"] == entry.denominator
    book = load_workbook(BytesIO(client.get(JSON.replace(".json", ".xlsx")).content))
    text = "\n".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value
    )
    for code in ("23290", "23488", "23500"):
        assert code in text
