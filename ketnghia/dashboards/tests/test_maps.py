"""Uploading a province's commune map, and the choropleth the dashboards draw on it."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from ketnghia.conftest import make_unit
from ketnghia.dashboards.models import CommuneMap
from ketnghia.dashboards.rules import rate_colour
from ketnghia.dashboards.tests.geojson import grid_bytes
from ketnghia.geo.models import UnitKind, UnitLevel

CODES = ["23500", "23488", "23290"]


def _upload(client, content: bytes, *, province, name="xa.geojson", code_property="ma_xa"):
    return client.post(
        "/dashboards/maps/",
        {
            "province": province.pk,
            "code_property": code_property,
            "file": SimpleUploadedFile(name, content, content_type="application/geo+json"),
        },
    )


def _html(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def test_an_administrator_uploads_a_grid_map_and_the_dashboard_draws_it(
    client, users, tree, program_data
):
    # A commune of the province outside the program is drawn too, hatched (no figure).
    make_unit("23503", "Xã Ngoài", UnitLevel.COMMUNE, UnitKind.XA, tree.dak_ha)
    client.force_login(users.province_admin)
    response = _upload(client, grid_bytes([*CODES, 23503]), province=tree.province)
    assert response.status_code == 200, _html(response)
    assert "Đã lưu bản đồ: 4 xã của Tỉnh Kon Tum." in _html(response)
    commune_map = CommuneMap.objects.get(province=tree.province)
    assert commune_map.commune_count == 4 and commune_map.code_property == "ma_xa"
    assert commune_map.history.count() == 1
    assert commune_map.history.first().history_user == users.province_admin

    client.force_login(users.province_viewer)
    html = _html(client.get("/?year=2015"))
    assert 'data-testid="commune-map"' in html
    fills = {
        code: fill
        for fill, code in re.findall(r'<path d="M[^"]+" fill="([^"]+)"[^>]*data-code="(\d+)"', html)
    }
    assert fills == {
        "23500": rate_colour(20.0),
        "23488": rate_colour(50.0),
        "23290": rate_colour(10.0),
        "23503": "url(#no-data-hatch)",
    }
    # Each commune with a figure links to its dashboard; the one without does not.
    links = re.findall(r'<a href="([^"]+)" data-commune="(\d+)">', html)
    assert sorted(code for _url, code in links) == sorted(CODES)
    assert all(url.startswith(f"/dashboards/units/{code}/?program=nq04") for url, code in links)
    assert "Xã Ngoài: chưa có số liệu" in html
    # The district's dashboard draws its own communes only.
    client.force_login(users.district_officer)
    html = _html(client.get("/?year=2015"))
    assert sorted(re.findall(r'data-code="(\d+)"', html)) == ["23488", "23500", "23503"]


def test_a_new_upload_replaces_the_map(client, users, tree):
    client.force_login(users.province_admin)
    assert _upload(client, grid_bytes(CODES), province=tree.province).status_code == 200
    response = _upload(
        client,
        grid_bytes(["23500"], code_property="code"),
        province=tree.province,
        code_property="code",
    )
    assert response.status_code == 200
    commune_map = CommuneMap.objects.get(province=tree.province)
    assert commune_map.commune_count == 1
    assert commune_map.history.count() == 2


def test_bad_files_are_refused_in_vietnamese_and_nothing_is_stored(client, users, tree, settings):
    client.force_login(users.province_admin)
    cases = {
        "bad JSON": (
            b'{"type": "FeatureCollection", "features": [}',
            "dòng 1, cột 44: Tệp không phải JSON hợp lệ: cần một giá trị ở đây.",
        ),
        "wrong codes": (
            grid_bytes(["23500", "99999", "79"]),
            "99999 không phải mã của một xã của Tỉnh Kon Tum",
        ),
        "not GeoJSON": (b'{"hello": 1}', "không phải một “FeatureCollection” GeoJSON"),
    }
    for label, (content, message) in cases.items():
        response = _upload(client, content, province=tree.province)
        html = _html(response)
        assert response.status_code == 400, label
        assert 'data-testid="map-problems"' in html and "Bản đồ chưa được lưu" in html, label
        assert message in html, (label, html[html.find("map-problems") :][:600])
        assert "tệp xa.geojson" in html, label
    # The wrong-codes file names every wrong code, where it is.
    html = _html(_upload(client, grid_bytes(["23500", "99999", "79"]), province=tree.province))
    assert "features[1].properties.ma_xa" in html and "00079" in html
    # Too big: refused from its size, before it is read.
    settings.KETNGHIA_MAP_MAX_BYTES = 1_000
    html = _html(_upload(client, grid_bytes(CODES), province=tree.province))
    assert "bản đồ xã chỉ được tối đa 1.000 byte" in html
    assert CommuneMap.objects.count() == 0
    assert CommuneMap.history.count() == 0


def test_only_administrators_reach_the_upload_page_and_only_their_province(client, users, tree):
    for who in ("province_viewer", "district_officer", "commune_officer", "twinning_member"):
        client.force_login(getattr(users, who))
        assert client.get("/dashboards/maps/").status_code in (403, 404), who
        assert _upload(client, grid_bytes(CODES), province=tree.province).status_code in (403, 404)
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    client.force_login(users.province_admin)
    page = _html(client.get("/dashboards/maps/"))
    assert f'value="{tree.province.pk}"' in page and f'value="{other.pk}"' not in page
    # A forged POST for another province is refused beside the field; nothing is stored.
    response = _upload(client, grid_bytes(CODES), province=other)
    assert response.status_code == 400
    assert CommuneMap.objects.count() == 0


def test_a_zip_bomb_as_a_map_is_refused_and_the_server_goes_on(client, users, tree, tmp_path):
    from ketnghia.imports.tests.bombs import write_bomb
    from ketnghia.imports.tests.test_archive import address_space_limit

    client.force_login(users.province_admin)
    bomb = write_bomb(tmp_path / "xa.geojson")
    with address_space_limit(512 << 20):
        response = _upload(client, bomb.read_bytes(), province=tree.province)
    assert response.status_code == 400
    assert not CommuneMap.objects.exists()
    assert client.get("/dashboards/maps/").status_code == 200
