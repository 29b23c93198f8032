"""Plotly chart specifications of the economy pages (drawn by dashboards/dashboard.js)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.chart_style import COLOURS, chart_layout
from ketnghia.economy.models import ModelResult
from ketnghia.economy.outcomes import PeriodEstimate


def _layout(**extra: Any) -> dict[str, Any]:
    base = {
        "margin": {"l": 48, "r": 16, "t": 32, "b": 48},
        "legend": {"orientation": "h", "y": -0.25},
    }
    return chart_layout(**{**base, **extra})


def _config() -> dict[str, Any]:
    return {"displaylogo": False, "responsive": True, "displayModeBar": False}


def event_study_chart(periods: Sequence[PeriodEstimate]) -> dict[str, Any]:
    """Return the effect by year relative to the start, with 95 % intervals; zero marked."""
    pre = [p for p in periods if p.event_time < 0]
    post = [p for p in periods if p.event_time >= 0]

    def trace(rows: Sequence[PeriodEstimate], name: str, colour: str) -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "x": [p.event_time for p in rows],
            "y": [round(100 * p.estimate.value, 2) for p in rows],
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [round(100 * (p.estimate.ci_high - p.estimate.value), 2) for p in rows],
                "arrayminus": [
                    round(100 * (p.estimate.value - p.estimate.ci_low), 2) for p in rows
                ],
                "color": colour,
            },
            "marker": {"size": 8, "color": colour},
            "hovertemplate": "%{y:.1f}<extra></extra>",
        }

    data = [
        trace(pre, _("Before support (check of parallel trends)"), COLOURS[2]),
        trace(post, _("After support"), COLOURS[0]),
    ]
    layout = _layout(
        hovermode="closest",
        xaxis={"dtick": 1, "title": {"text": _("Years since support started")}, "zeroline": False},
        yaxis={"title": {"text": _("Percentage points")}, "gridcolor": "#e9ecef"},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 0,
                "line": {"color": "#6c757d", "width": 1, "dash": "dash"},
            }
        ],
    )
    return {"data": data, "layout": layout, "config": _config()}


def results_chart(results: Sequence[ModelResult]) -> dict[str, Any]:
    """Return a model's income per participating household over the years."""
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Income per participating household"),
            "x": [r.year for r in results],
            "y": [r.income_per_household for r in results],
            "line": {"color": COLOURS[0], "width": 2.5},
            "hovertemplate": "%{y:,.0f}<extra></extra>",
        }
    ]
    layout = _layout(
        xaxis={"dtick": 1}, yaxis={"rangemode": "tozero", "gridcolor": "#e9ecef"}, showlegend=False
    )
    return {"data": data, "layout": layout, "config": _config()}
