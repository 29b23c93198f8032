"""Plotly chart specifications of the economy pages (drawn by dashboards/dashboard.js)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ketnghia.economy.models import ModelResult
from ketnghia.economy.outcomes import PeriodEstimate

# The product's palette and font (the dashboards' charts use the same; this app sits below
# them in the layers, so it does not import them).
COLOURS = ("#0d6efd", "#dc3545", "#6f42c1", "#fd7e14", "#20c997")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial"


def _layout(**extra: Any) -> dict[str, Any]:
    vietnamese = (get_language() or "vi").startswith("vi")
    layout: dict[str, Any] = {
        "separators": ",." if vietnamese else ".,",
        "font": {"family": FONT, "size": 13, "color": "#212529"},
        "margin": {"l": 48, "r": 16, "t": 32, "b": 48},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.25},
    }
    layout.update(extra)
    return layout


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
