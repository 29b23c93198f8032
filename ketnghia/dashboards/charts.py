"""Plotly chart specifications (plain dicts, sent to the page as JSON data, drawn by dashboard.js)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.chart_style import COLOURS, chart_layout
from ketnghia.dashboards.selectors import BreakMarker, TrendLine
from ketnghia.indicators.selectors import Figure


def _layout(**extra: Any) -> dict[str, Any]:
    return chart_layout(**{"hovermode": "x unified", **extra})


def _config() -> dict[str, Any]:
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    }


def trend_chart(lines: Sequence[TrendLine], breaks: Sequence[BreakMarker]) -> dict[str, Any]:
    """Return the trend of the rates with a dashed line where the poverty standard changes."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": line.name,
            "x": line.years,
            "y": line.values,
            "line": {"color": COLOURS[index % len(COLOURS)], "width": 2.5},
            "marker": {"size": 6},
            "hovertemplate": "%{y:.1f} %",
            "connectgaps": False,
        }
        for index, line in enumerate(lines)
    ]
    shapes = []
    annotations = []
    for marker in breaks:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": marker.year - 0.5,
                "x1": marker.year - 0.5,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#6c757d", "width": 1, "dash": "dash"},
            }
        )
        annotations.append(
            {
                "x": marker.year - 0.5,
                "xref": "x",
                "yref": "paper",
                "y": 1.0,
                "text": _("New standard"),
                "hovertext": marker.label,
                "showarrow": False,
                "xanchor": "center",
                "yanchor": "bottom",
                "font": {"size": 10, "color": "#6c757d"},
            }
        )
    years = [year for line in lines for year in line.years]
    x_range = [min(years) - 0.5, max(years) + 0.5] if years else None
    layout = _layout(
        yaxis={"ticksuffix": " %", "rangemode": "tozero", "gridcolor": "#e9ecef"},
        xaxis={
            "dtick": 1,
            "tickangle": -45,
            "gridcolor": "#f8f9fa",
            "range": x_range,
            "autorange": x_range is None,
        },
        shapes=shapes,
        annotations=annotations,
    )
    return {"data": data, "layout": layout, "config": _config()}


def district_chart(figures: Sequence[Figure], url: Callable[[str], str]) -> dict[str, Any]:
    """Return a horizontal bar per district (poverty rate); a click opens its dashboard."""
    ordered = list(reversed(figures))  # Plotly draws the first bar at the bottom
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [None if f.value is None else round(f.value, 2) for f in ordered],
            "y": [f.unit_name for f in ordered],
            "customdata": [url(f.unit_code) for f in ordered],
            "marker": {
                "color": [COLOURS[1] if (f.value or 0) >= 30 else COLOURS[0] for f in ordered]
            },
            "hovertemplate": "%{y}: %{x:.1f} %<extra></extra>",
            "texttemplate": "%{x:.1f} %",
            "textposition": "outside",
            "cliponaxis": False,
        }
    ]
    layout = _layout(
        hovermode="closest",
        margin={"l": 140, "r": 56, "t": 28, "b": 32},
        xaxis={"ticksuffix": " %", "rangemode": "tozero", "gridcolor": "#e9ecef"},
        yaxis={"automargin": True},
        height=max(220, 34 * len(ordered) + 60),
        showlegend=False,
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": 30,
                "x1": 30,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#6c757d", "width": 1, "dash": "dot"},
            }
        ],
        annotations=[
            {
                "x": 30,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": _("Threshold") + " 30 %",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#6c757d"},
            }
        ],
    )
    return {"data": data, "layout": layout, "config": {**_config(), "displayModeBar": False}}
