"""The product's look for Plotly charts (plain dicts, drawn by dashboards/dashboard.js): one
palette, one font, one base layout and configuration for every app's charts."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

# Bootstrap's primary, then muted companions.
COLOURS = ("#0d6efd", "#dc3545", "#6f42c1", "#fd7e14", "#20c997")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial"


def chart_layout(**extra: Any) -> dict[str, Any]:
    """The base layout (numbers written as the active language writes them), `extra` on top."""
    vietnamese = (get_language() or "vi").startswith("vi")
    layout: dict[str, Any] = {
        "separators": ",." if vietnamese else ".,",
        "font": {"family": FONT, "size": 13, "color": "#212529"},
        "margin": {"l": 48, "r": 16, "t": 32, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.18},
    }
    layout.update(extra)
    return layout
