"""Criteria pages: the matrix, a village's years, the province's counts, infrastructure, export."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from ketnghia.census.tests.factories import approve
from ketnghia.criteria.models import VillageFacts

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(commune, users):
    approve(commune.census_round, users.commune_officer)
    return commune


def test_the_matrix_shows_each_criterion_with_text_not_colour_alone(
    approved, users, client, django_assert_max_num_queries
):
    client.force_login(users.province_viewer)
    url = reverse("criteria:commune", args=[approved.code])
    with django_assert_max_num_queries(30):
        response = client.get(url, {"year": 2015})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'data-unit="23500-03"' in html and 'data-criterion="no_hunger" data-state="not_met"' in html
    )
    assert "✗" in html and "✓" in html and 'data-testid="commune-matrix"' in html


def test_the_matrix_costs_the_same_for_more_villages(
    approved, users, client, django_assert_num_queries
):
    client.force_login(users.province_viewer)
    url = reverse("criteria:commune", args=[approved.code])
    client.get(url, {"year": 2015})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": 2015})
    from ketnghia.conftest import make_unit
    from ketnghia.geo.models import UnitKind, UnitLevel

    for n in range(4, 8):
        make_unit(f"23500-0{n}", f"Thôn {n}", UnitLevel.VILLAGE, UnitKind.THON, approved)
    with CaptureQueriesContext(connection) as more:
        client.get(url, {"year": 2015})
    assert len(more) == len(few)


def test_outside_the_scope_the_matrix_is_404(approved, users, client):
    client.force_login(users.district_officer)  # Đắk Hà: Ngọk Wang is inside
    assert client.get(reverse("criteria:commune", args=[approved.code])).status_code == 200
    assert client.get(reverse("criteria:commune", args=["23290"])).status_code == 404
    client.force_login(users.public_moderator)  # reaches no unit: the rule itself refuses
    assert client.get(reverse("criteria:commune", args=[approved.code])).status_code == 403


def test_the_export_is_a_workbook_of_the_matrix(approved, users, client):
    client.force_login(users.province_viewer)
    response = client.get(reverse("criteria:commune_export", args=[approved.code]), {"year": 2015})
    book = openpyxl.load_workbook(BytesIO(response.content))
    villages = book.worksheets[0]
    rows = list(villages.iter_rows(values_only=True))
    assert rows[1][:3] == ("Code", "Name", "Result") or rows[1][0] in {"Mã", "Code"}
    assert [r[0] for r in rows[2:]] == ["23500-01", "23500-02", "23500-03"]


def test_the_overview_counts_by_district_and_group(approved, users, client):
    client.force_login(users.province_viewer)
    response = client.get(reverse("criteria:overview"), {"year": 2015})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-district="615"' in html and "2 / 3" in html


def test_a_village_page_and_its_facts_form(approved, users, client):
    client.force_login(users.commune_officer)
    village = approved.villages[2]
    page = client.get(reverse("criteria:village", args=[village.code]))
    assert page.status_code == 200 and "no_hunger" in page.content.decode()
    url = reverse("criteria:village_facts", args=[village.code, 2015])
    bad = client.post(url, {"party_cell_rating": "4", "households_short_of_food": "-3"})
    assert bad.status_code == 400
    data = {
        name: "0"
        for name in (
            "serious_crimes",
            "public_order_incidents",
            "drug_cases",
            "illegal_migration_cases",
            "households_short_of_food",
        )
    }
    data.update(
        party_cell_rating="4",
        village_rules_adopted="true",
        mass_organisations_active="true",
        households_hygienic_latrine="3",
        households_clean_water="3",
        households_land_or_work="3",
    )
    assert client.post(url, data).status_code == 302
    assert VillageFacts.objects.get(village=village, year=2015).households_short_of_food == 0
    page = client.get(reverse("criteria:village", args=[village.code]))
    assert 'data-outcome="basically_meets"' in page.content.decode()


def test_viewers_may_not_edit_and_officers_only_their_commune(approved, tree, users, client):
    client.force_login(users.province_viewer)  # the units.edit rule refuses a viewer
    url = reverse("criteria:village_facts", args=[approved.villages[0].code, 2015])
    assert client.get(url).status_code == 403
    client.force_login(users.commune_officer)
    assert client.get(url).status_code == 200
    other = reverse("criteria:village_facts", args=[tree.village_c.code, 2015])
    assert client.get(other).status_code == 404


def test_the_infrastructure_table_and_form(approved, users, client):
    client.force_login(users.commune_officer)
    table = client.get(reverse("criteria:infrastructure"), {"year": 2015})
    assert table.status_code == 200 and 'data-commune="23500"' in table.content.decode()
    url = reverse("criteria:infrastructure_edit", args=[approved.code, 2015])
    response = client.post(url, {"road_to_centre": "all_season", "electricity_percent": "140"})
    assert response.status_code == 400


def test_the_api_lists_sets_and_results(approved, users, client):
    client.force_login(users.province_viewer)
    sets = client.get(reverse("api:criteria_set_list")).json()
    assert {(s["code"], s["level"]) for s in sets} >= {
        ("nvv-example", "village"),
        ("ntm-2021", "commune"),
    }
    rows = client.get(
        reverse("api:criteria_assessment_list", args=["nvv-example", "village", 2015])
    ).json()
    results = rows["results"] if isinstance(rows, dict) else rows
    assert [r["unit"] for r in results] == ["23500-01", "23500-02", "23500-03"]


def test_an_assessment_without_evidence_is_refused_beside_the_form(approved, users, client):
    client.force_login(users.commune_officer)
    village = approved.villages[0]
    url = reverse("criteria:manual_assessment", args=[village.code, 2015]) + "?set=nvv-example"
    form = {
        "criterion_code": "cultural_village",
        "met": "on",
        "assessor_name": "Y Hoa",
        "assessed_on": "01/12/2015",
    }
    assert client.post(url, {**form, "evidence": "  "}).status_code == 400
    assert client.post(url, {**form, "evidence": "Quyết định công nhận số 12"}).status_code == 302
    page = client.get(reverse("criteria:village", args=[village.code]))
    assert 'data-outcome="meets"' in page.content.decode()


def test_the_overview_answers_before_any_set_is_stored(tree, users, client):
    client.force_login(users.province_viewer)
    response = client.get(reverse("criteria:overview"))
    assert response.status_code == 200 and "data-district" not in response.content.decode()


def test_an_assessment_keeps_its_evidence_file_and_refuses_a_disguised_one(
    approved, users, client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnghia.criteria.models import ManualAssessment

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.commune_officer)
    url = (
        reverse("criteria:manual_assessment", args=[approved.villages[0].code, 2015])
        + "?set=nvv-example"
    )
    form = {
        "criterion_code": "cultural_village",
        "met": "on",
        "assessor_name": "Y Hoa",
        "assessed_on": "01/12/2015",
        "evidence": "QĐ 12",
    }
    fake = SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all")
    assert client.post(url, {**form, "evidence_file": fake}).status_code == 400
    assert not ManualAssessment.objects.exists()
    pdf = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    assert client.post(url, {**form, "evidence_file": pdf}).status_code == 302
    assert ManualAssessment.objects.get().evidence_file.original_name == "bien-ban.pdf"


def test_a_zip_bomb_as_evidence_is_refused_and_the_server_goes_on(
    approved, users, client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from ketnghia.criteria.models import ManualAssessment
    from ketnghia.imports.tests.bombs import write_bomb
    from ketnghia.imports.tests.test_archive import address_space_limit

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users.commune_officer)
    village = approved.villages[0].code
    url = reverse("criteria:manual_assessment", args=[village, 2015]) + "?set=nvv-example"
    form = {
        "criterion_code": "cultural_village",
        "met": "on",
        "assessor_name": "Y Hoa",
        "assessed_on": "01/12/2015",
        "evidence": "QĐ 12",
    }
    bomb = write_bomb(tmp_path / "bien-ban.xlsx")
    upload = SimpleUploadedFile(bomb.name, bomb.read_bytes())
    with translation.override("vi"), address_space_limit(512 << 20):
        response = client.post(url, {**form, "evidence_file": upload})
    assert response.status_code == 400
    assert "giải nén" in response.content.decode()
    assert not ManualAssessment.objects.exists()
    assert client.get(reverse("criteria:village", args=[village])).status_code == 200
