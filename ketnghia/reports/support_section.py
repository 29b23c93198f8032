"""Reads for the review's support section: the funds' plan from `support.selectors` (scoped by
the gate), the value delivered and the share of poor households supported from the indicator
aggregates. A fixed number of queries whatever the data; no household is read.
"""

from __future__ import annotations

from typing import Any

from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.coverage import figure_coverage, program_communes
from ketnghia.indicators.domain import SOURCE_PREFIX
from ketnghia.reports.domain import Label, MissingUnit, coverage_of
from ketnghia.reports.support_domain import SourceYear, SupportSection
from ketnghia.support.models import FundSource
from ketnghia.support.selectors import fund_list_for, fund_report

VALUE = "support_value_delivered"
SHARE = "poor_households_supported"

# The sources' names in both languages (the files are Vietnamese whatever the page language).
SOURCE_LABELS = {
    FundSource.CENTRAL: Label("Ngân sách trung ương", "Central budget"),
    FundSource.PROVINCE: Label("Ngân sách tỉnh", "Provincial budget"),
    FundSource.DISTRICT: Label("Ngân sách huyện", "District budget"),
    FundSource.TWINNING_UNIT: Label("Đơn vị kết nghĩa", "Twinning unit"),
    FundSource.ENTERPRISE: Label("Doanh nghiệp, nhà tài trợ", "Enterprise or donor"),
    FundSource.PEOPLE: Label("Nhân dân đóng góp", "People's contribution"),
}


def source_label(source: str) -> Label:
    return SOURCE_LABELS.get(source, Label(source, source))  # type: ignore[call-overload]


def support_section(*, scope: UnitScope, request: Any) -> SupportSection | None:
    """Return the support section of a review request (`selectors.ReviewRequest`); None when
    the area has neither a fund nor a delivery over the period."""
    program, area = request.program, request.area
    years = list(range(request.baseline_year, request.review_year + 1))
    funds = fund_list_for(scope=scope, program=program).filter(year__in=years)
    if area is not None:
        funds = funds.filter(unit_path__startswith=area.path)
    found = list(funds)
    plan = fund_report(found).by_source_year if found else {}
    figures = indicators.figures_by_key(
        scope=scope,
        program=program,
        codes=[VALUE, SHARE],
        years=years,
        unit=area,
        prefixes=[SOURCE_PREFIX],
        official=request.official,
    )
    delivered = {
        (key, year): figure
        for (code, key, year), figure in figures.items()
        if code == VALUE and key.startswith(SOURCE_PREFIX)
    }
    if not plan and not delivered:
        return None
    keys = {(source, year) for source, year in plan} | {
        (key.removeprefix(SOURCE_PREFIX), year) for key, year in delivered
    }
    order = list(FundSource.values)
    rows = []
    for source, year in sorted(
        keys, key=lambda k: (k[1], order.index(k[0]) if k[0] in order else len(order))
    ):
        money = plan.get((source, year))
        figure = delivered.get((f"{SOURCE_PREFIX}{source}", year))
        rows.append(
            SourceYear(
                year=year,
                source=source,
                label=source_label(source),
                planned=money.allocated if money is not None else 0,
                committed=money.committed if money is not None else 0,
                delivered=float(figure.numerator) if figure is not None else 0.0,
            )
        )
    totals = [f for (code, key, _y), f in figures.items() if code == VALUE and key == ""]
    by_year = {f.year: f for f in totals}
    now = figures.get((SHARE, "", request.review_year))
    definition = next(d for d in indicators.definitions() if d.code == VALUE)
    period = indicators.over_period(definition, totals) if totals else None
    coverage = figure_coverage(
        scope=scope,
        program=program,
        year=request.review_year,
        within=area,
        codes=[SHARE],
        official=request.official,
    ).get(SHARE)
    communes = program_communes(scope=scope, program=program, year=request.review_year, within=area)
    with_deliveries = {
        f.unit_code
        for f in indicators.unit_figures(
            scope=scope,
            program=program,
            code=VALUE,
            year=request.review_year,
            level=UnitLevel.COMMUNE,
            within=area,
            official=request.official,
        )
        if f.numerator > 0
    }
    review = by_year.get(request.review_year)
    return SupportSection(
        rows=tuple(rows),
        review_year=request.review_year,
        value_delivered=float(review.numerator) if review is not None else None,
        value_delivered_period=float(period.numerator) if period is not None else None,
        poor_supported=float(now.numerator) if now is not None else None,
        poor_households=float(now.denominator) if now is not None else None,
        share_supported=now.value if now is not None else None,
        coverage=coverage_of(coverage),
        without_deliveries=tuple(
            MissingUnit(code=c.code, name=c.name, level=UnitLevel.COMMUNE)
            for c in communes
            if c.code not in with_deliveries
        ),
        communes=len(communes),
        plan_within_area=area is not None and area.level != UnitLevel.PROVINCE,
    )
