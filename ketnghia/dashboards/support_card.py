"""The dashboards' support card: value delivered in the year, the share of poor households
supported, and plan vs delivered by fund source (a Plotly bar chart).

The value delivered and the share come from the indicator aggregates (a district's row adds
its communes' deliveries); the plan from `support.selectors` (the funds the user reaches
whose unit lies under the dashboard's unit). Aggregates only: no household, no recipient's
name. A fixed number of queries (two, and three more when the unit has funds that year).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.gate import UnitScope
from ketnghia.dashboards.charts import COLOURS, _config, _layout
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.domain import SOURCE_PREFIX
from ketnghia.programs.models import Program
from ketnghia.support.models import FundSource
from ketnghia.support.selectors import fund_list_for, fund_report

VALUE = "support_value_delivered"
SHARE = "poor_households_supported"
MILLION = 1_000_000


@dataclass(frozen=True)
class SourceBar:
    source: str
    label: str
    planned: int
    delivered: float


@dataclass(frozen=True)
class SupportCard:
    year: int
    value_delivered: float | None
    share: indicators.Figure | None
    sources: list[SourceBar]
    # The unit is below the province: its plan counts only the funds of units inside it.
    plan_within_unit: bool

    @property
    def planned(self) -> int:
        return sum(bar.planned for bar in self.sources)


def support_card_for(
    *, scope: UnitScope, program: Program, unit: Unit, year: int | None, official: bool = True
) -> SupportCard | None:
    """Return the support card of `unit` in `year`; None when it has no fund nor delivery."""
    if year is None:
        return None
    figures = indicators.figures_by_key(
        scope=scope,
        program=program,
        codes=[VALUE, SHARE],
        years=[year],
        unit=unit,
        prefixes=[SOURCE_PREFIX],
        official=official,
    )
    funds = list(
        fund_list_for(scope=scope, program=program).filter(
            year=year, unit_path__startswith=unit.path
        )
    )
    plan = fund_report(funds).by_source if funds else {}
    value = figures.get((VALUE, "", year))
    if not plan and value is None:
        return None
    by_source = {
        key.removeprefix(SOURCE_PREFIX): float(f.numerator)
        for (_code, key, _year), f in figures.items()
        if key.startswith(SOURCE_PREFIX)
    }
    sources = [
        SourceBar(
            source=source,
            label=str(label),
            planned=plan[source].allocated if source in plan else 0,
            delivered=by_source.get(source, 0.0),
        )
        for source, label in FundSource.choices
        if source in plan or source in by_source
    ]
    return SupportCard(
        year=year,
        value_delivered=float(value.numerator) if value is not None else None,
        share=figures.get((SHARE, "", year)),
        sources=sources,
        plan_within_unit=unit.level != UnitLevel.PROVINCE,
    )


def support_chart(card: SupportCard) -> dict[str, Any]:
    """Return grouped bars per fund source: planned and delivered, in million đồng."""
    labels = [bar.label for bar in card.sources]

    def trace(name: str, values: list[float], colour: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [round(v / MILLION, 1) for v in values],
            "marker": {"color": colour},
            "hovertemplate": "%{x}: %{y:,.1f}<extra>" + name + "</extra>",
        }

    data = [
        trace(_("Planned"), [float(bar.planned) for bar in card.sources], COLOURS[2]),
        trace(_("Delivered"), [bar.delivered for bar in card.sources], COLOURS[0]),
    ]
    layout = _layout(
        barmode="group",
        hovermode="closest",
        height=280,
        margin={"l": 56, "r": 16, "t": 24, "b": 64},
        yaxis={"title": {"text": _("million đồng")}, "rangemode": "tozero", "gridcolor": "#e9ecef"},
        xaxis={"automargin": True},
    )
    return {"data": data, "layout": layout, "config": {**_config(), "displayModeBar": False}}
