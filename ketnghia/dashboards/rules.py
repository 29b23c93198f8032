"""Pure rules of the dashboards (no database): the commune map, its drawing, colours, progress.

The commune map is a GeoJSON FeatureCollection an administrator uploads: one feature per
commune of the province, keyed by the commune's national code in a property whose name the
administrator gives (`ma_xa`, `code`…). `parse_commune_map` checks it in bounded memory and
keeps only what the drawing needs; `draw_map` projects it (equirectangular, fitted to its
bounds) into SVG path data, drawn on the server so that no map tile or topojson is fetched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.errors import Location, Problem
from ketnghia.core.formatting import format_count, format_percent
from ketnghia.imports.readers import ProblemList

# A point is (longitude, latitude); a ring a closed list of points; a polygon its outer ring
# then its holes; a commune one or more polygons.
Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
COMMUNE_CODE_DIGITS = 5
# Six decimals of a degree are about 0.1 m: more than any drawing needs.
_COORDINATE_DECIMALS = 6


@dataclass(frozen=True)
class MapLimits:
    """How big a commune map may be: checked before (bytes) and while (features, points) reading."""

    max_bytes: int = 8 * 1024 * 1024
    max_features: int = 5_000
    max_points: int = 1_000_000


@dataclass(frozen=True)
class CommuneShape:
    code: str
    name: str
    polygons: list[Polygon]


@dataclass(frozen=True)
class CommuneMapData:
    """What is kept of an uploaded map: the shapes by commune code and their bounds."""

    shapes: dict[str, CommuneShape]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    point_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "bounds": list(self.bounds),
            "shapes": {
                code: {"name": shape.name, "polygons": shape.polygons}
                for code, shape in sorted(self.shapes.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CommuneMapData:
        shapes = {
            code: CommuneShape(
                code=code,
                name=str(item.get("name", "")),
                polygons=[
                    [[(float(x), float(y)) for x, y in ring] for ring in polygon]
                    for polygon in item["polygons"]
                ],
            )
            for code, item in data["shapes"].items()
        }
        west, south, east, north = (float(v) for v in data["bounds"])
        points = sum(
            len(ring) for shape in shapes.values() for polygon in shape.polygons for ring in polygon
        )
        return cls(shapes=shapes, bounds=(west, south, east, north), point_count=points)


def normalise_code(value: Any) -> str | None:
    """Return a commune code as the national list writes it ("23500"), or None if it is none.

    Numbers lose their leading zeros in many GIS tools (`ma_xa: 1` for "00001"), so digits
    are padded back to five.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) < COMMUNE_CODE_DIGITS:
        value = value.zfill(COMMUNE_CODE_DIGITS)
    return value or None


class _MapProblems(ProblemList):
    """The problems of one file, located by the feature they are in."""

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def at(
        self, message: str, *, field: str = "", row: int | None = None, column: str = ""
    ) -> None:
        self.add(
            Problem(message, Location(file=self.file_name, row=row, column=column, field=field))
        )


def _json_reason(message: str) -> str:
    """Return the Vietnamese (active language) wording of one of Python's JSON parse errors."""
    reasons = {
        "Expecting value": _("a value is expected here"),
        "Expecting property name enclosed in double quotes": _(
            "a property name in double quotes is expected here"
        ),
        "Expecting ',' delimiter": _("a comma is missing here"),
        "Expecting ':' delimiter": _("a colon is missing here"),
        "Unterminated string starting at": _("a text is never closed"),
        "Invalid control character at": _("a text holds a control character"),
        "Extra data": _("something follows the end of the document"),
        "Invalid \\escape": _("a text holds a wrong escape"),
        "Invalid \\uXXXX escape": _("a text holds a wrong escape"),
        "Illegal trailing comma before end of object": _("a comma is followed by nothing"),
        "Illegal trailing comma before end of array": _("a comma is followed by nothing"),
    }
    return reasons.get(message, message)


def _reject_constant(name: str) -> float:
    raise ValueError(name)


def _load_json(content: bytes, problems: _MapProblems) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.at(
            _("The file is not UTF-8 text (byte %(position)s); GeoJSON is always UTF-8.")
            % {"position": format_count(exc.start + 1)}
        )
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        problems.at(
            _("The file is not valid JSON: %(reason)s.") % {"reason": _json_reason(exc.msg)},
            row=exc.lineno,
            column=str(exc.colno),
        )
    except ValueError as exc:
        problems.at(
            _("The file holds %(value)s, which JSON does not allow; write a number.")
            % {"value": exc.args[0]}
        )
    except RecursionError:
        problems.at(_("The file nests its lists too deeply to be a map."))
    return None


def _point(value: Any) -> Point | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    lon, lat = value[0], value[1]
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None
        if not math.isfinite(number):
            return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return (round(float(lon), _COORDINATE_DECIMALS), round(float(lat), _COORDINATE_DECIMALS))


def _polygon(value: Any, where: str, problems: _MapProblems) -> tuple[Polygon | None, int]:
    """Return the rings of one GeoJSON polygon and its point count, or None with a problem."""
    if not isinstance(value, list) or not value:
        problems.at(_("A polygon must be a list of rings."), field=where)
        return None, 0
    rings: Polygon = []
    points = 0
    for index, raw_ring in enumerate(value):
        if not isinstance(raw_ring, list) or len(raw_ring) < 4:
            problems.at(
                _("A ring must have at least four points (the first repeated at the end)."),
                field=f"{where}[{index}]",
            )
            return None, 0
        ring: Ring = []
        for position, raw_point in enumerate(raw_ring):
            point = _point(raw_point)
            if point is None:
                problems.at(
                    _(
                        "A point must be [longitude, latitude] in degrees "
                        "(longitude −180 to 180, latitude −90 to 90)."
                    ),
                    field=f"{where}[{index}][{position}]",
                )
                return None, 0
            ring.append(point)
        rings.append(ring)
        points += len(ring)
    return rings, points


def parse_commune_map(
    content: bytes,
    *,
    file_name: str,
    code_property: str,
    commune_codes: Collection[str],
    province_name: str,
    limits: MapLimits = MapLimits(),
) -> CommuneMapData:
    """Return the communes' shapes of a GeoJSON file, or raise InvalidInput listing every problem.

    Refused: a file over `limits.max_bytes` (before it is parsed), text that is not UTF-8 JSON
    (the line and column named), anything but a FeatureCollection, a feature without the code
    property, a code that is not one of `commune_codes` (the province's communes), a commune
    drawn twice, a geometry other than Polygon or MultiPolygon, points that are not
    longitude/latitude, more features or points than the limits allow.
    """
    problems = _MapProblems(file_name)
    if len(content) > limits.max_bytes:
        problems.at(
            _("The file is %(size)s bytes; a commune map may have at most %(limit)s bytes.")
            % {"size": format_count(len(content)), "limit": format_count(limits.max_bytes)}
        )
        problems.raise_if_any()
    document = _load_json(content, problems)
    problems.raise_if_any()
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problems.at(_('The file is JSON but not a GeoJSON "FeatureCollection".'))
        problems.raise_if_any()
    features = document.get("features")
    if not isinstance(features, list) or not features:
        problems.at(_("The file has no features."), field="features")
        problems.raise_if_any()
    if len(features) > limits.max_features:
        problems.at(
            _("The file has %(count)s features; a commune map may have at most %(limit)s.")
            % {"count": format_count(len(features)), "limit": format_count(limits.max_features)},
            field="features",
        )
        problems.raise_if_any()
    known = set(commune_codes)
    shapes: dict[str, CommuneShape] = {}
    total_points = 0
    west, south, east, north = 180.0, 90.0, -180.0, -90.0
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.at(_('Each item of "features" must be a GeoJSON "Feature".'), field=where)
            continue
        properties = feature.get("properties") or {}
        raw_code = properties.get(code_property) if isinstance(properties, dict) else None
        code = normalise_code(raw_code)
        if code is None:
            problems.at(
                _('The feature has no commune code in its property "%(property)s".')
                % {"property": code_property},
                field=f"{where}.properties.{code_property}",
            )
            continue
        if code not in known:
            problems.at(
                _("%(code)s is not the code of a commune of %(province)s.")
                % {"code": code, "province": province_name},
                field=f"{where}.properties.{code_property}",
            )
            continue
        if code in shapes:
            problems.at(
                _(
                    "Commune %(code)s is drawn by more than one feature; "
                    "join its parts into one MultiPolygon."
                )
                % {"code": code},
                field=f"{where}.properties.{code_property}",
            )
            continue
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            geometry = {}
        kind = geometry.get("type")
        if kind not in GEOMETRY_TYPES:
            problems.at(
                _(
                    'The geometry of commune %(code)s is "%(type)s"; '
                    "a commune is drawn as a Polygon or a MultiPolygon."
                )
                % {"code": code, "type": kind or "—"},
                field=f"{where}.geometry",
            )
            continue
        raw_polygons = geometry.get("coordinates")
        if kind == "Polygon":
            raw_polygons = [raw_polygons]
        if not isinstance(raw_polygons, list) or not raw_polygons:
            problems.at(_("The geometry has no coordinates."), field=f"{where}.geometry")
            continue
        polygons: list[Polygon] = []
        for number, raw_polygon in enumerate(raw_polygons):
            polygon, points = _polygon(
                raw_polygon, f"{where}.geometry.coordinates[{number}]", problems
            )
            if polygon is None:
                break
            polygons.append(polygon)
            total_points += points
        else:
            if total_points > limits.max_points:
                problems.at(
                    _("The map has more than %(limit)s points; simplify it before uploading.")
                    % {"limit": format_count(limits.max_points)}
                )
                problems.raise_if_any()
            name = properties.get("name") or properties.get("ten_xa") or ""
            shapes[code] = CommuneShape(code=code, name=str(name)[:150], polygons=polygons)
            for polygon in polygons:
                for lon, lat in polygon[0]:
                    west, east = min(west, lon), max(east, lon)
                    south, north = min(south, lat), max(north, lat)
        if problems.full:
            break
    problems.raise_if_any()
    return CommuneMapData(
        shapes=shapes, bounds=(west, south, east, north), point_count=total_points
    )


# --- Drawing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapDrawing:
    width: int
    height: int
    paths: dict[str, str]  # commune code -> SVG path data


def draw_map(data: CommuneMapData, *, width: int = 640, padding: int = 6) -> MapDrawing:
    """Project the shapes onto a `width`-wide SVG, equirectangular, fitted to their bounds.

    x = longitude × cos(mid latitude), y = −latitude: at a province's size the distortion is
    invisible, and no projection library is needed. Points that fall on the same tenth of a
    pixel as the one before are dropped.
    """
    west, south, east, north = data.bounds
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = (width - 2 * padding) / span_x
    height = round(span_y * scale + 2 * padding)
    paths: dict[str, str] = {}
    for code, shape in data.shapes.items():
        parts: list[str] = []
        for polygon in shape.polygons:
            for ring in polygon:
                previous: tuple[float, float] | None = None
                ring_parts: list[str] = []
                for lon, lat in ring:
                    point = (
                        round(padding + (lon - west) * squeeze * scale, 1),
                        round(padding + (north - lat) * scale, 1),
                    )
                    if point == previous:
                        continue
                    previous = point
                    ring_parts.append(f"{point[0]:g},{point[1]:g}")
                if len(ring_parts) >= 3:
                    parts.append("M" + "L".join(ring_parts) + "Z")
        paths[code] = "".join(parts)
    return MapDrawing(width=width, height=height, paths=paths)


# --- Colours and progress ---------------------------------------------------------------------

# A sequential yellow-to-red scale in classes of ten points; 30 % (the program's threshold) is
# a class boundary.
RATE_CLASSES: tuple[tuple[float, str], ...] = (
    (10, "#ffffb2"),
    (20, "#fed976"),
    (30, "#feb24c"),
    (40, "#fd8d3c"),
    (50, "#fc4e2a"),
    (60, "#e31a1c"),
    (math.inf, "#b10026"),
)


def rate_colour(value: float | None) -> str | None:
    """Return the fill of a commune whose rate is `value` percent (None: no data)."""
    if value is None:
        return None
    for upper, colour in RATE_CLASSES:
        if value < upper:
            return colour
    return RATE_CLASSES[-1][1]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str


def rate_legend() -> list[LegendItem]:
    """Return the legend of `rate_colour`, in the active language ("10–20 %", "≥ 60 %")."""
    items: list[LegendItem] = []
    lower = 0.0
    for upper, colour in RATE_CLASSES:
        if math.isinf(upper):
            label = "≥ " + format_percent(lower, 0)
        else:
            label = f"{format_count(lower)}–{format_percent(upper, 0)}"
        items.append(LegendItem(label=label, colour=colour))
        lower = upper
    return items


def target_progress(
    *, value: float | None, baseline: float | None, target: float, lower_is_better: bool
) -> float | None:
    """Return how far `value` has gone from `baseline` to `target`, between 0 and 1.

    A rate to bring down (`lower_is_better`) or a share to raise; 1 once the target is met
    (also when the baseline was already past it). None without a value or a baseline.
    """
    if value is None or baseline is None:
        return None
    if target_met(value=value, target=target, lower_is_better=lower_is_better):
        return 1.0
    if baseline == target:
        return 0.0
    share = (value - baseline) / (target - baseline)
    return max(0.0, min(1.0, share))


def target_met(*, value: float | None, target: float, lower_is_better: bool) -> bool | None:
    """Return whether `value` has reached `target` (None without a value)."""
    if value is None:
        return None
    return value <= target if lower_is_better else value >= target
