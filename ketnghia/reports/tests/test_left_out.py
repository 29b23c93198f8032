"""A review figure over fewer communes than the program lists says which it leaves out.

One program commune has no census round in the review year: every figure computed from the
census names it (page, Word and Excel, each figure on its own), the others stay silent; and a
figure without a value is "—" in the workbook, never 0.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from ketnghia.conftest import make_unit
from ketnghia.core.tests.visible import visible_text
from ketnghia.geo.models import UnitKind, UnitLevel
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.programs.models import ProgramCommune
from ketnghia.reports.domain import Coverage, MissingUnit
from ketnghia.reports.tests.factories import report, with_entry
from ketnghia.reports.xlsx_export import review_xlsx

pytestmark = pytest.mark.django_db

QUERY = "program=nq04&baseline=2007&year=2015"


@pytest.fixture
def lost(tree, small_program):
    commune = make_unit("23301", "Xã Thiếu Số Liệu", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_glei)
    ProgramCommune.objects.create(
        program=small_program, commune=commune, valid_from=date(2007, 1, 1), is_key=True
    )
    aggregates_rebuild()
    return commune


def test_the_review_page_names_the_commune_each_figure_leaves_out(client, users, lost) -> None:
    client.force_login(users.province_viewer)
    html = client.get(f"/reports/review/?{QUERY}", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for code, share in (
        ("poverty_rate", "3/4"),
        ("poverty_rate_baseline", "3/4"),
        ("communes_below_30", "3/4"),
        ("key_communes_poverty_rate", "1/2"),  # Ngọk Wang and the lost commune are key
        ("poor_households_with_party_member", "3/4"),  # Đăk Mar: no poor household, counted
    ):
        marker = f'data-testid="figure-coverage-{code}"'
        assert marker in html, code
        note = html.split(marker, 1)[1].split("</div>", 1)[0]
        assert share in visible_text(note) and 'href="/census/23301/"' in note
        assert "Đăk Mar" not in note
    # The twinning activities are counted events: no commune is "missing" from them.
    assert 'data-testid="figure-coverage-twinning_activities"' not in html


def test_the_review_files_name_it_too(client, users, lost) -> None:
    client.force_login(users.province_viewer)
    document = Document(BytesIO(client.get(f"/reports/review/report.docx?{QUERY}").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "3/4 xã có số liệu; thiếu: Xã Thiếu Số Liệu" in text
    book = load_workbook(BytesIO(client.get(f"/reports/review/report.xlsx?{QUERY}").content))
    sheet = book["Chỉ tiêu"]
    header = [cell.value for cell in sheet[2]]
    column = header.index("Đơn vị thiếu số liệu")
    notes = [row[column] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sum(1 for note in notes if note and "Xã Thiếu Số Liệu" in note) >= 3


def test_the_coverage_survives_a_saved_snapshot(lost) -> None:
    from ketnghia.reports.domain import report_from_dict, report_to_dict

    coverage = Coverage(
        covered=52,
        population=53,
        base_level="village",
        source="village_criteria",
        missing=(MissingUnit(code="1", name="Làng Đăk Reo", level="village", commune_name="A"),),
    )
    changed = with_entry(report(), "villages_meeting_criteria", coverage=coverage)
    again = report_from_dict(report_to_dict(changed))
    assert again.entry("villages_meeting_criteria").coverage == coverage
    assert coverage.text() == "52/53 thôn có số liệu; thiếu: Làng Đăk Reo (A)"


def test_a_figure_without_a_value_is_a_dash_in_the_workbook_never_0() -> None:
    blank = with_entry(report(), "communes_below_30", numerator=0, denominator=0, value=None)
    book = load_workbook(BytesIO(review_xlsx(blank)))
    rows = {row[0]: row for row in book["Chỉ tiêu"].iter_rows(min_row=3, values_only=True)}
    value, numerator, denominator = rows["Chỉ tiêu communes_below_30"][2:5]
    assert value == "—" and numerator is None and denominator is None


def test_a_national_review_names_the_same_units_read_by_program(users, lost, monkeypatch) -> None:
    """Above a few hundred units the districts and paths are read as the program's units (a
    subquery), not by a list of every code: the report is the same either way, and the
    coverage (read by level and area, not by a list of ids) still names the lost commune."""
    from ketnghia.core.gate import Action, scope_for
    from ketnghia.reports import selectors

    scope = scope_for(users.province_viewer, Action.VIEW)
    request = selectors.review_request(
        scope=scope, user=users.province_viewer, program_code="nq04", baseline=2007, year=2015
    )
    listed = selectors.review_report(scope=scope, request=request)
    monkeypatch.setattr(selectors, "_LISTED_CODES", 0)
    by_program = selectors.review_report(scope=scope, request=request)
    assert by_program == listed
    rate = next(e for e in by_program.entries if e.code == "poverty_rate")
    assert {u.parent_name for u in rate.units} >= {"Huyện Đắk Hà"}
    assert rate.coverage is not None
    assert [m.code for m in rate.coverage.missing] == [lost.code]
