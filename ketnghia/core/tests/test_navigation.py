"""The menu per role (decided by the gate), the homes' to-dos, search scope and the help pages."""

from __future__ import annotations

import re

import pytest

from ketnghia.core.tests.world import build_world


@pytest.fixture
def world(tree, users):
    return build_world(tree, users)


def _menu(html: str) -> list[str]:
    menu = html.split('data-testid="main-menu"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-testid="nav-([a-z]+)"', menu)


ALL = [
    "overview",
    "census",
    "network",
    "criteria",
    "support",
    "economy",
    "reports",
    "units",
    "help",
]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            "province_admin",
            [
                "overview",
                "census",
                "network",
                "criteria",
                "support",
                "economy",
                "reports",
                "units",
                "bulletins",
                "admin",
                "help",
            ],
        ),
        ("province_viewer", ALL),
        ("district_officer", ALL),
        ("commune_officer", ALL),
        ("twinning_member", ALL),
        ("public_moderator", ["overview", "help"]),
    ],
)
def test_the_menu_shows_what_the_gate_lets_the_role_open(
    client, users, world, who, expected
) -> None:
    user = getattr(users, who)
    if who == "province_admin":
        user.is_staff = True
        user.save()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert _menu(html) == expected
    # every item opens (no 403 behind a menu item), and lands in its area
    for href in re.findall(r'class="nav-link[^"]*" (?:aria-current="page" )?href="([^"]+)"', html):
        response = client.get(href, follow=True)
        assert response.status_code == 200, (who, href)


def test_breadcrumbs_and_help_link_on_an_area_page(client, users, world) -> None:
    client.force_login(users.province_viewer)
    html = client.get("/network/").content.decode()
    crumbs = html.split('data-testid="breadcrumbs"', 1)[1].split("</ol>", 1)[0]
    assert "Trang chủ" in crumbs and "Mạng lưới kết nghĩa" in crumbs
    assert 'href="/help/network/"' in html
    assert 'href="/help/census/"' in client.get("/census/").content.decode()
    assert 'href="/help/criteria/"' in client.get("/criteria/").content.decode()
    assert 'href="/help/report/"' in client.get("/reports/review/").content.decode()


@pytest.mark.parametrize("slug", ["census", "template", "network", "criteria", "report"])
def test_help_pages_are_vietnamese_and_public(client, db, slug) -> None:
    response = client.get(f"/help/{slug}/")
    assert response.status_code == 200
    assert f'data-testid="help-{slug}"' in response.content.decode()
    assert client.get("/help/nothing/").status_code == 404


def _todos(client) -> dict[str, str]:
    html = client.get("/").content.decode()
    section = html.split('data-testid="todos"', 1)[1].split("</section>", 1)[0]
    return dict(
        re.findall(r'data-testid="todo-([a-z-]+)">\s*(?:<a[^>]*>|<span[^>]*>)([^<]+)', section)
    )


def test_commune_home_opens_on_the_open_round_with_its_next_step(client, users, world) -> None:
    client.force_login(users.commune_officer)
    response = client.get("/")
    assert response.context["dashboard"].year == 2016
    todos = _todos(client)
    assert "2016" in todos["open-round"] and "họp thôn" in todos["open-round"]
    assert todos["complaints"].startswith("1 ")
    assert 'href="/census/23500/2016/"' in response.content.decode()


def test_district_home_counts_its_inbox_and_late_communes(client, users, world) -> None:
    client.force_login(users.district_officer)
    todos = _todos(client)
    assert todos["inbox"].startswith("1 ")
    assert todos["late"].startswith("1 ")
    html = client.get("/").content.decode()
    assert 'href="/census/inbox/615/?year=2016"' in html
    assert "Xã Đắk Choong" not in html.split('data-testid="todos"', 1)[1].split("</section>")[0]


def test_province_home_lists_communes_missing_from_the_year(client, users, world) -> None:
    client.force_login(users.province_viewer)
    todos = _todos(client)
    assert todos["missing-figures"].startswith("2 ")  # Ngọk Wang (collected), Đắk Choong
    section = client.get("/").content.decode().split('data-testid="todos"', 1)[1]
    assert 'href="/census/23290/"' in section
    assert "late" in todos


def test_twinning_home_lists_activities_to_record_and_to_confirm(client, users, world) -> None:
    client.force_login(users.twinning_member)
    todos = _todos(client)
    assert "record" in todos and "awaiting-confirmation" in todos


def test_editor_home_names_the_jurisdiction_and_shows_their_bulletins(client, world) -> None:
    client.force_login(world.editor)
    html = client.get("/").content.decode()
    assert "Tỉnh Kon Tum" in html.split('data-testid="portal-jurisdiction"', 1)[1][:80]
    assert 'data-testid="portal-work"' in html
    assert 'data-testid="todo-bulletins-published"' in html
    assert 'data-testid="nav-bulletins"' in html
    assert 'data-testid="nav-units"' not in html


def test_census_area_lists_districts_with_their_inbox(client, users, world) -> None:
    client.force_login(users.province_viewer)
    html = client.get("/census/").content.decode()
    assert 'href="/census/inbox/615/?year=2016"' in html
    assert 'href="/census/23488/2016/"' in html
    client.force_login(users.district_officer)
    assert client.get("/census/")["Location"] == "/census/inbox/615/"
    client.force_login(users.commune_officer)
    assert client.get("/census/")["Location"] == "/census/23500/"


def _hits(client, query: str) -> str:
    return client.get("/search/", {"q": query}).content.decode()


def test_search_ignores_diacritics_and_groups_results(client, users, world) -> None:
    client.force_login(users.province_viewer)
    html = _hits(client, "dak mar")
    assert 'data-testid="search-group-units"' in html and "Xã Đăk Mar" in html
    html = _hits(client, "kon stiu")
    assert 'data-testid="search-group-villages"' in html
    html = _hits(client, "nguyen van an")  # household head, no diacritics typed
    assert 'data-testid="search-group-households"' in html
    assert "/census/23500/households/A/" in html
    assert "Sở Nông nghiệp" in _hits(client, "nông nghiệp")


def test_search_never_shows_results_outside_the_scope(client, users, world) -> None:
    client.force_login(users.commune_officer)  # Ngọk Wang only
    html = _hits(client, "xa")
    assert "Xã Ngọk Wang" in html
    for other in ("Đăk Mar", "Đắk Choong", "Huyện Đắk Glei"):
        assert other not in html.split('role="search"', 2)[-1], other
    html = _hits(client, "chu ho")  # "Chủ hộ 23488-1" lives in Đăk Mar
    assert "23488" not in html.split('role="search"', 2)[-1]
    client.force_login(users.twinning_member)  # Đắk Choong only
    html = _hits(client, "nguyen van an")
    assert "/census/23500/" not in html
    client.force_login(users.public_moderator)
    assert 'data-testid="search-hit"' not in _hits(client, "kon")


def test_criteria_districts_open_their_communes(client, users, world) -> None:
    client.force_login(users.district_officer)
    html = client.get("/criteria/", {"district": "615"}).content.decode()
    communes = html.split('data-testid="criteria-communes"', 1)[1].split("</ul>", 1)[0]
    assert "/criteria/23500/" in communes and "/criteria/23488/" in communes
    # another district's communes stay outside the scope
    html = client.get("/criteria/", {"district": "610"}).content.decode()
    assert "/criteria/23290/" not in html
