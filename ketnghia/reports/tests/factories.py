"""Review reports built from plain figures, for the pure tests (narrative, charts, exports)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ketnghia.reports.domain import (
    BreakMarker,
    Entry,
    Label,
    ReviewReport,
    Series,
    SeriesPoint,
    UnitFigure,
    rank_units,
    value_of,
)


def entry(
    code: str,
    numerator: float,
    denominator: float,
    *,
    factor: int = 100,
    year: int = 2015,
    units: tuple[UnitFigure, ...] = (),
    **extra: Any,
) -> Entry:
    return Entry(
        code=code,
        label=Label(vi=f"Chỉ tiêu {code}", en=f"Indicator {code}"),
        factor=factor,
        year=year,
        numerator=numerator,
        denominator=denominator,
        value=value_of(numerator, denominator, factor) if factor else numerator,
        units=units,
        indicator=extra.pop("indicator", code),
        **extra,
    )


COMMUNES = (
    ("23305", "Đăk Nên", "Kon Plông", 120, 400),
    ("23308", "Ngọc Linh", "Đăk Glei", 300, 500),
    ("23311", "Ia Tơi", "Ia H'Drai", 50, 250),
    ("23314", "Mường Hoong", "Đăk Glei", 200, 420),
)


def communes() -> tuple[UnitFigure, ...]:
    return tuple(
        UnitFigure(
            code=code,
            name=name,
            level="commune",
            numerator=poor,
            denominator=households,
            value=value_of(poor, households, 100),
            parent_name=district,
        )
        for code, name, district, poor, households in COMMUNES
    )


def report(**changes: Any) -> ReviewReport:
    """Return a report shaped like the demo's review 2007 → 2015 (53 communes, 20 key)."""
    units = communes()
    key_units = tuple(
        UnitFigure(
            code=f"k{i}", name=f"Xã {i}", level="commune", numerator=44, denominator=100, value=44.0
        )
        for i in range(20)
    )
    entries = (
        entry("poverty_rate_baseline", 5770, 10000, year=2007, indicator="poverty_rate"),
        entry("poverty_rate", 3400, 10000),
        entry("communes_below_30", 18, 53, factor=100),
        entry(
            "key_communes_poverty_rate",
            880,
            2000,
            units=key_units,
            indicator="poverty_rate",
            disaggregation="group:key",
        ),
        entry("road_access_share", 53, 53),
        entry("communes_meeting_criteria", 23, 53),
        entry("villages_meeting_criteria", 118, 409),
        entry("poor_households_with_party_member", 4321, 5000),
        Entry(
            code="twinning_activities",
            label=Label(vi="Hoạt động của đơn vị kết nghĩa", en="Twinning activities"),
            factor=1,
            year=2015,
            numerator=4812,
            denominator=1,
            value=4812,
            period=(2007, 2015),
        ),
    )
    trend = Series(
        code="poverty_rate",
        label=Label(vi="Tỷ lệ hộ nghèo", en="Poverty rate"),
        factor=100,
        points=tuple(
            SeriesPoint(year=year, value=value, numerator=value * 100, denominator=10000)
            for year, value in (
                (2007, 57.7),
                (2008, 54.1),
                (2009, 50.3),
                (2010, 46.0),
                (2011, 52.5),
                (2012, 47.2),
                (2013, 42.0),
                (2014, 38.1),
                (2015, 34.0),
            )
        ),
        breaks=(
            BreakMarker(
                year=2011,
                standard_code="vn-2011",
                label=Label(vi="Chuẩn nghèo 2011–2015", en="Poverty standard 2011–2015"),
            ),
        ),
    )
    base = ReviewReport(
        program_code="nq04",
        program_name="Nghị quyết 04",
        area_name="Kon Tum",
        baseline_year=2007,
        review_year=2015,
        threshold=30.0,
        entries=entries,
        series=(trend,),
        ranking=rank_units(units, threshold=30.0, key_codes={"23308"}),
    )
    return replace(base, **changes)


def with_entry(base: ReviewReport, code: str, **changes: Any) -> ReviewReport:
    """Return `base` with the entry `code` changed (value recomputed from its parts)."""
    entries = []
    for item in base.entries:
        if item.code == code:
            item = replace(item, **changes)
            if "value" not in changes and item.factor:
                item = replace(item, value=value_of(item.numerator, item.denominator, item.factor))
        entries.append(item)
    return replace(base, entries=tuple(entries))


def without(base: ReviewReport, *codes: str) -> ReviewReport:
    return replace(base, entries=tuple(e for e in base.entries if e.code not in codes))
