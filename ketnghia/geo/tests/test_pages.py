"""Unit pages: tree, search and unit page, seen through each user's scope."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ketnghia.conftest import make_unit
from ketnghia.core.models import Dataset
from ketnghia.geo.models import ClassificationScheme, UnitClassification, UnitKind, UnitLevel

OTHER_COMMUNES = ("Đăk Mar", "Đắk Choong", "Thôn 1", "Dục Nhầy")


def _text(response) -> str:
    return response.content.decode()


def _search(client, query: str, **headers) -> str:
    return _text(client.get(reverse("geo:unit_tree"), {"q": query}, **headers))


def _htmx_search(client, query: str):
    return client.get(
        reverse("geo:unit_tree"),
        {"q": query},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )


def _result_codes(html: str) -> list[str]:
    """Return the unit codes listed in the search results block of a page or fragment."""
    block = html.split('data-testid="search-results"', 1)
    if len(block) < 2:
        return []
    return re.findall(r'<li class="list-group-item[^"]*" data-unit="([^"]+)"', block[1])


def _comparable(response, code: str) -> str:
    html = _text(response).replace(code, "CODE")
    return re.sub(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{64}', r"\1TOKEN", html)


# --- Signing in is required -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/units/",
        "/units/?q=dak",
        "/units/23500/",
        "/units/23500/children/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_a_user_without_units_gets_the_site_403_page_in_vietnamese(client, users):
    client.force_login(users.public_moderator)
    response = client.get(reverse("geo:unit_tree"))
    assert response.status_code == 403
    assert 'data-testid="error-403"' in _text(response)
    assert "Không có quyền truy cập" in _text(response)


# --- Tree -------------------------------------------------------------------------------


def test_commune_officer_tree_shows_their_commune_opened_and_nothing_else(client, users):
    client.force_login(users.commune_officer)
    html = _text(client.get(reverse("geo:unit_tree")))
    tree_html = html.split('data-testid="unit-tree"', 1)[1]
    assert "Xã Ngọk Wang" in tree_html
    # The single root opens at once, so its village is already listed.
    assert "Làng Kon Stiu" in tree_html
    for name in OTHER_COMMUNES:
        assert name not in html
    assert "Huyện Đắk Glei" not in html


def test_province_viewer_tree_opens_the_province_and_loads_lower_levels_lazily(client, users):
    client.force_login(users.province_viewer)
    html = _text(client.get(reverse("geo:unit_tree")))
    assert "Tỉnh Kon Tum" in html
    assert "Huyện Đắk Hà" in html
    assert 'hx-get="/units/615/children/"' in html
    # Communes are not rendered until the user opens their district.
    assert "Xã Ngọk Wang" not in html

    fragment = client.get(
        reverse("geo:unit_children", args=["615"]), headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in _text(fragment)
    assert "Xã Ngọk Wang" in _text(fragment)
    assert "Xã Đăk Mar" in _text(fragment)
    assert "Xã Đắk Choong" not in _text(fragment)


def test_children_of_a_unit_outside_the_scope_are_not_found(client, users):
    client.force_login(users.commune_officer)
    response = client.get(
        reverse("geo:unit_children", args=["23488"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404


def test_opening_the_children_link_without_htmx_goes_to_the_unit_page(client, users):
    client.force_login(users.commune_officer)
    response = client.get(reverse("geo:unit_children", args=["23500"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("geo:unit_detail", args=["23500"])


@pytest.mark.parametrize("role", ["commune_officer", "province_viewer"])
def test_tree_page_query_count_does_not_grow_with_the_tree(
    client, tree, users, role, django_assert_max_num_queries
):
    client.force_login(getattr(users, role))
    for number in range(30):
        make_unit(
            f"23500-{number + 10}",
            f"Thôn {number + 10}",
            UnitLevel.VILLAGE,
            UnitKind.THON,
            tree.ngok_wang,
        )
        make_unit(f"9{number:03d}", f"Tỉnh {number}", UnitLevel.PROVINCE, UnitKind.TINH)
    # session, user, jurisdiction (the gate), demo marker, roots, children of the opened root
    with django_assert_max_num_queries(6):
        response = client.get(reverse("geo:unit_tree"))
    assert response.status_code == 200


# --- Search -----------------------------------------------------------------------------


def test_search_without_diacritics_finds_names_with_them(client, tree, users):
    make_unit("23488-02", "Thôn Đăk Hà", UnitLevel.VILLAGE, UnitKind.THON, tree.dak_mar)
    client.force_login(users.province_viewer)
    # "Huyện Đắk Hà" and "Thôn Đăk Hà": two spellings of the same name, both found.
    assert _result_codes(_search(client, "dak ha")) == ["615", "23488-02"]
    assert set(_result_codes(_search(client, "DAK"))) >= {"615", "610", "23488", "23290"}
    assert _result_codes(_search(client, "ngok wang")) == ["23500"]
    assert _result_codes(_search(client, "dục nhầy")) == ["23290-01"]


def test_commune_officer_search_finds_only_inside_their_commune(client, users):
    client.force_login(users.commune_officer)
    assert _result_codes(_search(client, "ngok wang")) == ["23500"]
    assert _result_codes(_search(client, "kon stiu")) == ["23500-01"]
    html = _search(client, "dak")
    assert _result_codes(html) == []
    assert 'data-testid="no-match"' in html
    for name in OTHER_COMMUNES:
        assert name not in html
    assert _result_codes(_search(client, "thon 1")) == []


def test_live_search_answers_htmx_with_the_results_only(client, users):
    client.force_login(users.commune_officer)
    response = _htmx_search(client, "ngok")
    html = _text(response)
    assert "<html" not in html
    assert _result_codes(html) == ["23500"]
    # Caches must keep the fragment and the full page apart.
    assert "HX-Request" in response["Vary"]


def test_search_without_javascript_renders_the_whole_page(client, users):
    client.force_login(users.commune_officer)
    html = _search(client, "ngok wang")
    assert "<html" in html
    assert 'value="ngok wang"' in html
    assert _result_codes(html) == ["23500"]


def test_a_long_result_list_is_cut_and_says_so(client, tree, users):
    for number in range(55):
        make_unit(f"23500-{number + 10}", f"Thôn {number + 10}", "village", "thon", tree.ngok_wang)
    client.force_login(users.commune_officer)
    html = _search(client, "thon")
    assert len(_result_codes(html)) == 50
    assert "Chỉ hiển thị 50 kết quả đầu tiên" in html


# --- Unit page --------------------------------------------------------------------------


def test_unit_page_shows_breadcrumb_facts_classification_history_and_children(client, tree, users):
    UnitClassification.objects.create(
        unit=tree.ngok_wang,
        scheme=ClassificationScheme.COMMUNE_REGION,
        value="III",
        start_year=2016,
        end_year=2020,
        legal_basis="Quyết định 582/QĐ-TTg",
    )
    UnitClassification.objects.create(
        unit=tree.ngok_wang,
        scheme=ClassificationScheme.COMMUNE_REGION,
        value="II",
        start_year=2021,
        end_year=2025,
        legal_basis="Quyết định 861/QĐ-TTg",
    )
    client.force_login(users.commune_officer)
    response = client.get(reverse("geo:unit_detail", args=["23500"]))
    assert response.status_code == 200
    html = _text(response)
    breadcrumb = html.split('data-testid="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    # Ancestors outside the officer's scope are named but not linked (their pages are 404).
    assert "Tỉnh Kon Tum" in breadcrumb
    assert "Huyện Đắk Hà" in breadcrumb
    assert 'href="/units/615/"' not in breadcrumb
    assert "Xã" in html  # level and kind, in Vietnamese
    assert "nông thôn" in html
    history = html.split("Lịch sử phân định", 1)[1]
    assert history.index("2021–2025") < history.index("2016–2020")
    assert "Khu vực III" in history
    assert "Quyết định 582/QĐ-TTg" in history
    children = html.split('data-testid="children"', 1)[1]
    assert "Làng Kon Stiu" in children


def test_unit_page_without_classification_says_so(client, users):
    client.force_login(users.commune_officer)
    html = _text(client.get(reverse("geo:unit_detail", args=["23500-01"])))
    assert 'data-testid="no-classifications"' in html
    assert "Không có đơn vị trực thuộc." in html
    # Inside the scope the breadcrumb links back up to the commune.
    assert 'href="/units/23500/"' in html


def test_another_communes_page_is_not_found_like_a_missing_one(client, users):
    client.force_login(users.commune_officer)
    forbidden = client.get(reverse("geo:unit_detail", args=["23488"]))
    missing = client.get(reverse("geo:unit_detail", args=["99999"]))
    assert forbidden.status_code == missing.status_code == 404
    assert 'data-testid="error-404"' in _text(forbidden)
    assert "Không tìm thấy" in _text(forbidden)
    assert "Đăk Mar" not in _text(forbidden)
    # The same page, word for word, apart from the address asked for (and the masked CSRF token).
    assert _comparable(forbidden, "23488") == _comparable(missing, "99999")


def test_district_officer_reaches_communes_of_their_district_only(client, users):
    client.force_login(users.district_officer)
    assert client.get(reverse("geo:unit_detail", args=["23488"])).status_code == 200
    assert client.get(reverse("geo:unit_detail", args=["23290"])).status_code == 404


# --- Demo marker --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/units/", "/units/23500/", "/units/missing/"])
def test_demo_marker_is_on_every_page_when_demo_data_is_loaded(client, users, url):
    client.force_login(users.commune_officer)
    assert 'data-testid="demo-marker"' not in _text(client.get(url))
    Dataset.objects.create(kind=Dataset.DEMO)
    html = _text(client.get(url))
    assert 'data-testid="demo-marker"' in html
    assert "DỮ LIỆU MẪU" in html


def test_a_commune_page_links_to_its_census(client, tree, users):
    client.force_login(users.commune_officer)
    html = client.get(reverse("geo:unit_detail", args=["23500"])).content.decode()
    assert reverse("census:commune_census", args=["23500"]) in html
    village_html = client.get(reverse("geo:unit_detail", args=["23500-01"])).content.decode()
    assert 'data-testid="census-link"' not in village_html
