"""The commune map's pure rules: parsing in bounded memory, drawing, colours, progress."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from ketnghia.core.errors import InvalidInput
from ketnghia.dashboards.rules import (
    CommuneMapData,
    MapLimits,
    draw_map,
    normalise_code,
    parse_commune_map,
    rate_colour,
    rate_legend,
    target_met,
    target_progress,
)
from ketnghia.dashboards.tests.geojson import grid_bytes, grid_map

CODES = ["23500", "23488", "23290", "23503"]


def _parse(content: bytes, **options):
    options.setdefault("limits", MapLimits())
    return parse_commune_map(
        content,
        file_name="xa.geojson",
        code_property=options.pop("code_property", "ma_xa"),
        commune_codes=options.pop("codes", CODES),
        province_name="Tỉnh Kon Tum",
        **options,
    )


def _messages(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def test_a_grid_of_squares_parses_with_its_bounds_and_multipolygons():
    data = _parse(grid_bytes(CODES, columns=2, multi_every=2))
    assert sorted(data.shapes) == sorted(CODES)
    assert data.bounds == pytest.approx((107.5, 15.0, 107.7, 15.2))
    assert data.point_count == 4 * 5
    assert data.shapes["23500"].name == "Xã 23500"
    # What is stored reads back the same.
    again = CommuneMapData.from_json(json.loads(json.dumps(data.as_json())))
    assert again.shapes == data.shapes and again.bounds == data.bounds


def test_numeric_codes_get_their_leading_zeros_back():
    assert normalise_code(1) == "00001"
    assert normalise_code(23500) == "23500"
    assert normalise_code(23500.0) == "23500"
    assert normalise_code(" 23500 ") == "23500"
    assert normalise_code(True) is None
    assert normalise_code(None) is None
    data = _parse(grid_bytes([int(c) for c in CODES], code_property="code"), code_property="code")
    assert sorted(data.shapes) == sorted(CODES)


def test_bad_json_is_located_by_line_and_column_in_vietnamese():
    content = b'{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",, }]}'
    with pytest.raises(InvalidInput) as error:
        _parse(content)
    (message,) = _messages(error)
    assert "tệp xa.geojson" in message and "dòng 3" in message and "cột 22" in message
    assert "JSON" in message


def test_nan_deep_nesting_and_non_utf8_are_refused():
    with pytest.raises(InvalidInput) as error:
        _parse(b'{"type": NaN}')
    assert "NaN" in _messages(error)[0]
    with pytest.raises(InvalidInput):
        _parse(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(InvalidInput) as error:
        _parse('{"type": "Feature"}'.encode("utf-16"))
    assert "UTF-8" in _messages(error)[0]


def test_a_file_over_the_limit_is_refused_before_it_is_parsed():
    content = grid_bytes(CODES)
    with pytest.raises(InvalidInput) as error:
        _parse(content + b" " * 10, limits=MapLimits(max_bytes=len(content)))
    (message,) = _messages(error)
    assert "tối đa" in message and f"{len(content):,}".replace(",", ".") in message


def test_too_many_features_or_points_are_refused():
    with pytest.raises(InvalidInput):
        _parse(grid_bytes(CODES), limits=MapLimits(max_features=3))
    with pytest.raises(InvalidInput) as error:
        _parse(grid_bytes(CODES), limits=MapLimits(max_points=12))
    assert "điểm" in _messages(error)[0]


def test_every_wrong_feature_is_listed_with_where_it_is():
    document = grid_map([*CODES, "99999", "23500"])
    document["features"].append({"type": "Feature", "properties": {}, "geometry": None})
    document["features"].append(
        {
            "type": "Feature",
            "properties": {"ma_xa": "23503"},
            "geometry": {"type": "Point", "coordinates": [108, 14]},
        }
    )
    document["features"][1]["geometry"]["coordinates"][0][2] = [500, 14]
    with pytest.raises(InvalidInput) as error:
        _parse(json.dumps(document).encode())
    messages = _messages(error)
    assert any("99999" in m and "không phải mã của một xã của Tỉnh Kon Tum" in m for m in messages)
    assert any("features[5]" in m and "23500" in m for m in messages)  # drawn twice
    assert any("features[6]" in m and "ma_xa" in m for m in messages)  # no code
    assert any("features[1].geometry.coordinates[0][0][2]" in m for m in messages)  # bad point
    assert any("features[7]" in m and "23503" in m for m in messages)  # a repeat, and a Point
    assert len(messages) == 5
    assert all("tệp xa.geojson" in m for m in messages)


def test_only_polygons_and_multipolygons_draw_a_commune():
    document = grid_map(["23500"])
    document["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[108, 14]] * 4}
    with pytest.raises(InvalidInput) as error:
        _parse(json.dumps(document).encode())
    assert "LineString" in _messages(error)[0] and "MultiPolygon" in _messages(error)[0]
    with pytest.raises(InvalidInput) as error:
        _parse(b'{"type": "Feature"}')
    assert "FeatureCollection" in _messages(error)[0]


def test_the_drawing_fits_the_bounds_and_keeps_the_aspect():
    data = _parse(grid_bytes(CODES, columns=4))
    drawing = draw_map(data, width=406, padding=3)
    assert set(drawing.paths) == set(CODES)
    # Four cells of 0.1° side by side, shrunk east-west by cos(15.15°): 400 px wide, so a
    # cell is 100 px wide and 100 / cos(15.15°) ≈ 103.6 px tall.
    assert drawing.height == round(400 / 0.4 * 0.1 / 0.96524 + 6)
    first = drawing.paths[CODES[0]]
    assert first.startswith("M3,3L103,3L103,")
    assert first.endswith("Z")


def test_colours_follow_the_classes_and_30_percent_is_a_boundary():
    assert rate_colour(None) is None
    assert rate_colour(29.99) != rate_colour(30.0)
    assert rate_colour(0) == "#ffffb2" and rate_colour(85) == "#b10026"
    legend = rate_legend()
    assert len(legend) == 7
    assert legend[0].label == "0–10\xa0%" and legend[-1].label == "≥ 60\xa0%"


def test_progress_works_for_rates_to_bring_down_and_counts_to_raise():
    assert target_progress(value=46, baseline=58, target=34) == pytest.approx(0.5)
    assert target_progress(value=30, baseline=58, target=34) == 1.0
    assert target_progress(value=60, baseline=58, target=34) == 0.0
    assert target_progress(value=18, baseline=0, target=18) == 1.0
    assert target_progress(value=18, baseline=None, target=18) is None
    assert target_met(value=33.9, baseline=58, target=34) is True
    assert target_met(value=34.1, baseline=58, target=34) is False
    assert target_met(value=18, baseline=0, target=18) is True
    assert target_met(value=None, baseline=0, target=18) is None
