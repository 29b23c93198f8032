"""The review 2007 → 2015 of nq04 on the demo: engine figures, CLI files, pages, scope, saving."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from ketnghia.accounts.models import User
from ketnghia.core.gate import EVERYTHING, Action, scope_for
from ketnghia.criteria.models import Road
from ketnghia.criteria.services import infrastructure_set
from ketnghia.demo.tests.conftest import demo  # noqa: F401  (the whole demo, once a session)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.programs.models import Program
from ketnghia.reports import selectors
from ketnghia.reports.models import SavedReport

REVIEW = "/reports/review/?program=nq04&baseline=2007&year=2015"
CODES = {
    "poverty_rate_baseline",
    "poverty_rate",
    "communes_below_30",
    "key_communes_poverty_rate",
    "road_access_share",
    "communes_meeting_criteria",
    "villages_meeting_criteria",
    "poor_households_with_party_member",
    "twinning_activities",
}


@pytest.fixture
def program(demo, db) -> Program:  # noqa: F811  (the fixture, by name)
    return Program.objects.get(code="nq04")


def _user(name: str) -> User:
    return User.objects.select_related("jurisdiction").get(username=name)


def _review(**options):
    request = selectors.review_request(
        scope=EVERYTHING, user=None, program_code="nq04", baseline=2007, year=2015, **options
    )
    return selectors.review_report(scope=EVERYTHING, request=request)


def _cli(tmp_path, fmt: str, *extra: str) -> bytes:
    out = tmp_path / f"review.{fmt}"
    call_command(
        "report",
        "review",
        "--program",
        "nq04",
        "--baseline",
        "2007",
        "--year",
        "2015",
        "--format",
        fmt,
        "-o",
        str(out),
        *extra,
    )
    return out.read_bytes()


def test_json_entries_are_the_engine_figures(program, tmp_path) -> None:
    data = json.loads(_cli(tmp_path, "json"))
    entries = {e["code"]: e for e in data["entries"]}
    assert set(entries) == CODES
    for entry in data["entries"]:
        assert set(entry) >= {"code", "label", "value", "numerator", "denominator", "units"}
        assert entry["label"]["vi"] and entry["label"]["en"]
    now = indicators.program_figures(scope=EVERYTHING, program=program, year=2015)
    then = indicators.program_figures(scope=EVERYTHING, program=program, year=2007)
    key = indicators.program_figures(
        scope=EVERYTHING, program=program, year=2015, disaggregation="group:key"
    )
    pairs = {
        "poverty_rate_baseline": then["poverty_rate"],
        "poverty_rate": now["poverty_rate"],
        "key_communes_poverty_rate": key["poverty_rate"],
        **{
            code: now[code]
            for code in (
                "communes_below_30",
                "road_access_share",
                "communes_meeting_criteria",
                "villages_meeting_criteria",
                "poor_households_with_party_member",
            )
        },
    }
    for code, figure in pairs.items():
        assert entries[code]["value"] == pytest.approx(figure.value), code
        assert entries[code]["numerator"] == figure.numerator, code
        assert entries[code]["denominator"] == figure.denominator, code
    yearly = indicators.series(
        scope=EVERYTHING, program=program, code="twinning_activities", years=range(2007, 2016)
    )
    assert entries["twinning_activities"]["value"] == sum(f.numerator for f in yearly)
    assert entries["twinning_activities"]["period"] == [2007, 2015]
    # the units behind add up to the figure
    rate = entries["poverty_rate"]
    assert sum(u["numerator"] for u in rate["units"]) == rate["numerator"]
    assert sum(u["denominator"] for u in rate["units"]) == rate["denominator"]
    assert (
        sum(u["numerator"] for u in entries["twinning_activities"]["units"])
        == (entries["twinning_activities"]["value"])
    )


def test_the_article_figures_on_the_demo(program) -> None:
    report = _review()
    value = {e.code: e for e in report.entries}
    assert value["poverty_rate_baseline"].value > 57
    assert value["poverty_rate"].value < 35
    below = value["communes_below_30"]
    assert (below.numerator, below.denominator) == (18, 53)
    assert len([u for u in below.units if u.numerator == 1]) == 18
    key = value["key_communes_poverty_rate"]
    assert key.value == pytest.approx(44, abs=0.5)
    assert len(key.units) == 20
    assert value["road_access_share"].value == 100
    communes = value["communes_meeting_criteria"]
    assert communes.denominator == 53 and communes.numerator >= 23
    villages = value["villages_meeting_criteria"]
    assert (villages.numerator, villages.denominator) == (118, 409)
    assert {u.level for u in villages.units} == {UnitLevel.VILLAGE}
    assert len(report.ranking) == 53
    assert sum(row.below_threshold for row in report.ranking) == 18
    assert sum(row.is_key for row in report.ranking) == 20
    assert [m.year for m in report.series[0].breaks] == [2011]
    assert value["poverty_rate"].target == 35.0 and value["poverty_rate"].meets_target


def test_threshold_option_recounts_the_communes(program) -> None:
    report = _review(threshold=40)
    below = report.entry("communes_below_30")
    rates = report.entry("poverty_rate").units
    expected = sum(1 for u in rates if u.value is not None and u.value < 40)
    assert below.numerator == expected > 18
    assert "40" in below.label.vi
    assert sum(row.below_threshold for row in report.ranking) == expected


def test_a_source_row_moves_the_figure(program, django_capture_on_commit_callbacks) -> None:
    before = _review().entry("road_access_share")
    commune = Unit.objects.get(code=before.units[0].code)
    with django_capture_on_commit_callbacks(execute=True):
        infrastructure_set(
            commune=commune, year=2015, values={"road_to_centre": Road.NONE}, actor=None
        )
    after = _review().entry("road_access_share")
    assert (before.numerator, after.numerator) == (53, 52)
    assert after.value == pytest.approx(52 / 53 * 100)
    assert [u.numerator for u in after.units if u.code == commune.code] == [0]


def test_cli_word_and_excel_carry_the_figures(program, tmp_path) -> None:
    document = Document(BytesIO(_cli(tmp_path, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "57,7" in text and "34,0" in text and "18/53" in text and "118/409" in text
    assert len(document.inline_shapes) == 2
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert any("UBND TỈNH KON TUM" in c for c in cells)
    book = load_workbook(BytesIO(_cli(tmp_path, "xlsx")))
    rows = {r[0]: r for r in book["Chỉ tiêu"].iter_rows(min_row=3, values_only=True)}
    labels = {d.code: d.label_vi for d in indicators.definitions()}
    assert rows[labels["villages_meeting_criteria"]][3:5] == (118, 409)
    assert rows[f"{labels['poverty_rate']} năm đánh giá"][2] < 35
    assert len(list(book["Xếp hạng xã"].iter_rows(min_row=3))) == 53


def test_cli_refuses_unknown_program(program, tmp_path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "report",
            "review",
            "--program",
            "nope",
            "--baseline",
            "2007",
            "--year",
            "2015",
            "--format",
            "json",
            "-o",
            str(tmp_path / "x.json"),
        )
    assert not (tmp_path / "x.json").exists()


# --- pages -------------------------------------------------------------------------------


def test_province_viewer_sees_the_review(program, client, django_assert_max_num_queries) -> None:
    viewer = _user("demo-viewer")
    client.force_login(viewer)
    # 60 before the sections other apps add: support (the funds, the deliveries by source and
    # year, the share supported), the economy (the models, the outcome table) and the
    # exit-rate estimate took it to 69; none of them grows with the data.
    with django_assert_max_num_queries(70):
        response = client.get(REVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="demo-marker"' in page
    assert "57,7" in page and "34,0" in page
    assert 'data-testid="units-villages_meeting_criteria"' in page
    assert 'data-testid="trend-chart"' in page
    assert 'data-testid="break-2011"' in page
    # the viewer may not see personal data: no household links; no editor (view only)
    assert 'data-testid="households-' not in page
    assert 'data-testid="narrative-form"' not in page
    assert page.count('data-commune="') == 53


def test_district_officer_sees_only_their_district(program, client) -> None:
    officer = _user("demo-district")
    district = officer.jurisdiction
    client.force_login(officer)
    response = client.get(REVIEW)
    assert response.status_code == 200
    report = response.context["report"]
    communes = Unit.objects.filter(parent=district).values_list("code", flat=True)
    assert report.ranking and {row.code for row in report.ranking} <= set(communes)
    assert report.area_name == district.name
    other = Unit.objects.filter(level=UnitLevel.DISTRICT).exclude(pk=district.pk).first()
    assert client.get(REVIEW + f"&unit={other.code}").status_code == 404
    assert client.get(REVIEW.replace("nq04", "nope")).status_code == 404
    assert (
        client.get(
            "/reports/review/report.json?program=nq04&baseline=2007&year=2015&unit=" + other.code
        ).status_code
        == 404
    )


def test_commune_officer_gets_household_links_for_their_commune(program, client) -> None:
    officer = _user("demo-commune")
    client.force_login(officer)
    response = client.get(REVIEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-testid="households-{officer.jurisdiction.code}"' in page
    assert scope_for(officer, Action.SEE_PERSONAL_DATA).contains_path(officer.jurisdiction.path)


def test_bad_years_are_a_message_not_a_500(program, client) -> None:
    client.force_login(_user("demo-viewer"))
    response = client.get("/reports/review/?program=nq04&baseline=2016&year=2015")
    assert response.status_code == 400
    assert 'data-testid="review-errors"' in response.content.decode()
    assert client.get("/reports/review/?program=nq04&baseline=x&year=2015").status_code == 400
    assert client.get("/reports/review/?program=nq04&threshold=abc").status_code == 400


def test_save_the_narrative_then_export_it(program, client) -> None:
    admin = _user("demo-admin")
    client.force_login(admin)
    # Before anyone saved: the draft written from the figures, said in the file, demo marked.
    draft = Document(
        BytesIO(
            client.get("/reports/review/report.docx?program=nq04&baseline=2007&year=2015").content
        )
    )
    draft_text = "\n".join(p.text for p in draft.paragraphs)
    assert "Bản dự thảo tự động" in draft_text and "DỮ LIỆU MẪU" in draft_text
    page = client.get(REVIEW)
    form = page.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["include_unapproved"] = ""
    data["narrative_vi"] = "Đoạn tóm tắt do cán bộ sửa: tỷ lệ hộ nghèo còn 34,0 %."
    data["issuer"] = "Ban Chỉ đạo thử nghiệm"
    response = client.post("/reports/review/save/", data)
    assert response.status_code == 302
    saved = SavedReport.objects.get(program=program)
    assert saved.created_by == admin and saved.history.count() == 1
    assert saved.figures["entries"][1]["code"] == "poverty_rate"
    document = Document(
        BytesIO(
            client.get("/reports/review/report.docx?program=nq04&baseline=2007&year=2015").content
        )
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Đoạn tóm tắt do cán bộ sửa" in text
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "BAN CHỈ ĐẠO THỬ NGHIỆM" in cells
    book = load_workbook(
        BytesIO(
            client.get("/reports/review/report.xlsx?program=nq04&baseline=2007&year=2015").content
        )
    )
    assert book["Tóm tắt"]["B9"].value.startswith("Đoạn tóm tắt do cán bộ sửa")
    # saved again: one more version in the history
    data["narrative_vi"] = "Bản thứ hai."
    client.post("/reports/review/save/", data)
    saved.refresh_from_db()
    assert saved.narrative_vi == "Bản thứ hai." and saved.history.count() == 2
    # an empty summary is refused, nothing written
    data["narrative_vi"] = "   "
    client.post("/reports/review/save/", data)
    saved.refresh_from_db()
    assert saved.narrative_vi == "Bản thứ hai."


def test_saved_figures_marked_stale_when_the_data_move(
    program, client, django_capture_on_commit_callbacks
) -> None:
    admin = _user("demo-admin")
    client.force_login(admin)
    form = client.get(REVIEW).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["include_unapproved"] = ""
    client.post("/reports/review/save/", data)
    assert client.get(REVIEW).context["stale"] is False
    commune = Unit.objects.get(code=_review().entry("road_access_share").units[0].code)
    with django_capture_on_commit_callbacks(execute=True):
        infrastructure_set(
            commune=commune, year=2015, values={"road_to_centre": Road.NONE}, actor=None
        )
    response = client.get(REVIEW)
    assert response.context["stale"] is True
    # the files keep what was read and saved
    saved = json.loads(
        client.get("/reports/review/report.json?program=nq04&baseline=2007&year=2015").content
    )
    road = next(e for e in saved["entries"] if e["code"] == "road_access_share")
    assert road["numerator"] == 53


def test_viewer_cannot_save(program, client) -> None:
    client.force_login(_user("demo-viewer"))
    response = client.post(
        "/reports/review/save/",
        {"program": "nq04", "baseline": "2007", "year": "2015", "narrative_vi": "x"},
    )
    assert response.status_code in (403, 404)
    assert not SavedReport.objects.exists()


@pytest.mark.parametrize("limit", [1, 4, 25])
def test_the_capped_review_is_the_whole_review_capped(program, limit) -> None:
    """Every figure of the demo's review (twinning activities summed over the period, the
    key communes, villages assessed, what each figure leaves out) read capped, and the
    same report cut after reading everything."""
    from ketnghia.reports.domain import capped

    for options in ({}, {"threshold": 20}):
        request = selectors.review_request(
            scope=EVERYTHING, user=None, program_code="nq04", baseline=2007, year=2015, **options
        )
        whole = selectors.review_report(scope=EVERYTHING, request=request)
        assert {e.code for e in whole.entries if len(e.units) > limit} >= {
            "poverty_rate",
            "twinning_activities",
        }
        assert selectors.review_report(scope=EVERYTHING, request=request, limit=limit) == capped(
            whole, limit
        )
