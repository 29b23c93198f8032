"""A small generated commune map for tests: a grid of squares keyed by commune codes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

# Kon Tum lies around 14.3° N, 108° E; the grid is drawn there, 0.1° a cell.
WEST, NORTH, CELL = 107.5, 15.2, 0.1


def square(column: int, row: int) -> list[list[float]]:
    x, y = WEST + column * CELL, NORTH - row * CELL
    return [[x, y], [x + CELL, y], [x + CELL, y - CELL], [x, y - CELL], [x, y]]


def grid_map(
    codes: Sequence[Any], *, code_property: str = "ma_xa", columns: int = 8, multi_every: int = 0
) -> dict[str, Any]:
    """Return a FeatureCollection with one square per code (every `multi_every`-th a MultiPolygon)."""
    features = []
    for index, code in enumerate(codes):
        column, row = index % columns, index // columns
        if multi_every and index % multi_every == 0:
            geometry: dict[str, Any] = {
                "type": "MultiPolygon",
                "coordinates": [[square(column, row)]],
            }
        else:
            geometry = {"type": "Polygon", "coordinates": [square(column, row)]}
        features.append(
            {
                "type": "Feature",
                "properties": {code_property: code, "name": f"Xã {code}"},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def grid_bytes(codes: Sequence[Any], **options: Any) -> bytes:
    return json.dumps(grid_map(codes, **options), indent=1).encode()
