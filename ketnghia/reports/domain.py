"""The review report as plain data: entries, the units behind them, a ranking and trend series.

No ORM here: `reports.selectors` fills these from the indicator selectors; the narrative,
the charts and the exports read only these classes, so each can be tested from data alone.
A `ReviewReport` turns into JSON (`report_to_dict`) and back (`report_from_dict`): the saved
report keeps that snapshot, and its exports are made from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ketnghia.core.collation import text_key

PERCENT = 100
DEFAULT_THRESHOLD = 30.0


@dataclass(frozen=True)
class Label:
    """A text in Vietnamese and English."""

    vi: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.lower().startswith("en") else self.vi


@dataclass(frozen=True)
class UnitFigure:
    """One unit behind a figure: a commune (or village) with its own numerator and denominator."""

    code: str
    name: str
    level: str
    numerator: float
    denominator: float
    value: float | None
    parent_name: str = ""
    path: str = ""


@dataclass(frozen=True)
class MissingUnit:
    """A unit a figure leaves out (no data for the year): a commune, or a village and its commune."""

    code: str
    name: str
    level: str
    commune_name: str = ""


@dataclass(frozen=True)
class Coverage:
    """How many of a figure's base units carry data; `source` says where the gap is filled."""

    covered: int
    population: int
    base_level: str = "commune"  # commune | village
    source: str = "census"  # census | criteria | village_criteria
    missing: tuple[MissingUnit, ...] = ()

    @property
    def left_out(self) -> int:
        """How many base units are missing (`missing` may list only the first of them)."""
        return self.population - self.covered

    def text(self, language: str = "vi", limit: int = 12) -> str:
        """Return "50/53 xã có số liệu; thiếu: A, B" (the first `limit` names, then a count)."""
        vietnamese = not language.lower().startswith("en")
        if self.base_level == "village":
            names = [
                f"{m.name} ({m.commune_name})" if m.commune_name else m.name for m in self.missing
            ]
            word = "thôn" if vietnamese else "villages"
        else:
            names = [m.name for m in self.missing]
            word = "xã" if vietnamese else "communes"
        shown = ", ".join(names[:limit])
        rest = self.left_out - min(limit, len(names))
        if rest > 0:
            shown += f" và {rest} đơn vị khác" if vietnamese else f" and {rest} more"
        if vietnamese:
            return f"{self.covered}/{self.population} {word} có số liệu; thiếu: {shown}"
        return f"{self.covered}/{self.population} {word} with data; missing: {shown}"


def coverage_of(found: Any) -> Coverage | None:
    """Return what a figure leaves out (`indicators.coverage.FigureCoverage`) as report data;
    None when it leaves nothing out."""
    if found is None or not found.missing:
        return None
    return Coverage(
        covered=found.covered,
        population=found.population,
        base_level=found.base_level,
        source=found.source,
        missing=tuple(
            MissingUnit(
                code=m.code,
                name=m.name,
                level=m.level,
                commune_name=m.commune_name if m.level == "village" else "",
            )
            for m in found.missing
        ),
    )


@dataclass(frozen=True)
class Entry:
    """One figure of the report: an indicator for the program's communes in one year."""

    code: str
    label: Label
    factor: int
    year: int
    numerator: float
    denominator: float
    value: float | None
    units: tuple[UnitFigure, ...] = ()
    indicator: str = ""  # the engine's code ("poverty_rate" behind "poverty_rate_baseline")
    disaggregation: str = ""
    official: bool = True
    baseline: float | None = None
    target: float | None = None
    period: tuple[int, int] | None = None  # for figures summed over years (first, last)
    # The base units left out of the figure (none: over its whole population).
    coverage: Coverage | None = None
    # How many units are behind the figure when `units` holds only the first of them (`capped`).
    units_total: int | None = None
    # An estimate (`unit_aggregation = "estimate"`): its unit ("điểm phần trăm"), its 95 %
    # interval, or the reason it has no value.
    unit: Label | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str = ""

    @property
    def is_percent(self) -> bool:
        return self.factor == PERCENT and self.unit is None

    @property
    def unit_count(self) -> int:
        """How many units are behind the figure (`units` may hold only the first of them)."""
        return self.units_total if self.units_total is not None else len(self.units)

    @property
    def meets_target(self) -> bool | None:
        """Return whether the value reached the target (direction from the baseline)."""
        if self.target is None or self.value is None:
            return None
        if self.baseline is not None and self.baseline > self.target:
            return self.value <= self.target
        return self.value >= self.target


@dataclass(frozen=True)
class SeriesPoint:
    year: int
    value: float | None
    numerator: float
    denominator: float
    official: bool = True


@dataclass(frozen=True)
class BreakMarker:
    """Where the poverty standard changes: the points before and after do not compare."""

    year: int
    standard_code: str
    label: Label


@dataclass(frozen=True)
class Series:
    code: str
    label: Label
    factor: int
    points: tuple[SeriesPoint, ...]
    breaks: tuple[BreakMarker, ...] = ()

    def segments(self) -> list[tuple[SeriesPoint, ...]]:
        """Return the points cut at each break (a chart draws no line across one)."""
        cuts = sorted(marker.year for marker in self.breaks)
        out: list[list[SeriesPoint]] = [[]]
        for point in sorted(self.points, key=lambda p: p.year):
            while cuts and point.year >= cuts[0]:
                cuts.pop(0)
                if out[-1]:
                    out.append([])
            out[-1].append(point)
        return [tuple(part) for part in out if part]


@dataclass(frozen=True)
class RankingRow:
    rank: int
    code: str
    name: str
    parent_name: str
    value: float | None
    numerator: float
    denominator: float
    below_threshold: bool
    is_key: bool = False


@dataclass(frozen=True)
class ReviewReport:
    program_code: str
    program_name: str
    area_name: str  # the province (or the district a district officer sees)
    baseline_year: int
    review_year: int
    threshold: float
    entries: tuple[Entry, ...]
    series: tuple[Series, ...] = ()
    ranking: tuple[RankingRow, ...] = ()
    official: bool = True
    refreshed_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # How many communes are ranked when `ranking` holds only the first of them (`capped`).
    ranking_total: int | None = None
    # The support section (`support_domain.SupportSection`), when the area has support data.
    support: Any = None

    def entry(self, code: str) -> Entry | None:
        for entry in self.entries:
            if entry.code == code:
                return entry
        return None

    def series_for(self, code: str) -> Series | None:
        for item in self.series:
            if item.code == code:
                return item
        return None


def _capped_entry(entry: Entry, limit: int) -> Entry:
    if len(entry.units) > limit:
        entry = replace(entry, units=entry.units[:limit], units_total=len(entry.units))
    if entry.coverage is not None and len(entry.coverage.missing) > limit:
        # `covered` and `population` still count every unit left out.
        entry = replace(
            entry, coverage=replace(entry.coverage, missing=entry.coverage.missing[:limit])
        )
    return entry


def capped(report: ReviewReport, limit: int) -> ReviewReport:
    """Return `report` with at most `limit` units behind each figure, missing from each and
    ranked, saying how many there are (a national review has 10,000 communes and 100,000
    villages: the page and the JSON show the first, the .xlsx lists them all). What
    `selectors.review_report(..., limit=)` reads and returns without reading the rest."""
    entries = tuple(_capped_entry(entry, limit) for entry in report.entries)
    if len(report.ranking) > limit:
        return replace(
            report,
            entries=entries,
            ranking=report.ranking[:limit],
            ranking_total=len(report.ranking),
        )
    return replace(report, entries=entries)


def value_of(numerator: float, denominator: float, factor: int) -> float | None:
    """Return numerator / denominator × factor; None when the denominator is 0."""
    if not denominator:
        return None
    return numerator / denominator * factor


def rank_units(
    units: Iterable[UnitFigure],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    key_codes: Iterable[str] = (),
) -> tuple[RankingRow, ...]:
    """Rank communes by their rate, lowest first; ties share a rank; no value goes last.

    Ties and names are ordered the Vietnamese way, so the table reads as a printed list.
    """
    keys = set(key_codes)
    ordered = sorted(
        units,
        key=lambda u: (
            u.value is None,
            round(u.value, 6) if u.value is not None else 0.0,
            text_key(u.name),
            u.code,
        ),
    )
    rows: list[RankingRow] = []
    previous: float | None = None
    rank = 0
    for position, unit in enumerate(ordered, start=1):
        current = round(unit.value, 6) if unit.value is not None else None
        if current is None or current != previous:
            rank = position
        previous = current
        rows.append(
            RankingRow(
                rank=rank,
                code=unit.code,
                name=unit.name,
                parent_name=unit.parent_name,
                value=unit.value,
                numerator=unit.numerator,
                denominator=unit.denominator,
                below_threshold=unit.value is not None and unit.value < threshold,
                is_key=unit.code in keys,
            )
        )
    return tuple(rows)


def breaks_within(markers: Iterable[BreakMarker], years: Sequence[int]) -> tuple[BreakMarker, ...]:
    """Return the markers that fall strictly after the first year with data, up to the last."""
    if not years:
        return ()
    first, last = min(years), max(years)
    return tuple(sorted((m for m in markers if first < m.year <= last), key=lambda m: m.year))


# --- JSON ------------------------------------------------------------------------------


def _unit_dict(unit: UnitFigure) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent_name,
        "path": unit.path,
        "numerator": unit.numerator,
        "denominator": unit.denominator,
        "value": unit.value,
    }


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    data = {
        "code": entry.code,
        "label": {"vi": entry.label.vi, "en": entry.label.en},
        "indicator": entry.indicator or entry.code,
        "year": entry.year,
        "period": list(entry.period) if entry.period else None,
        "factor": entry.factor,
        "value": entry.value,
        "numerator": entry.numerator,
        "denominator": entry.denominator,
        "disaggregation": entry.disaggregation,
        "official": entry.official,
        "baseline": entry.baseline,
        "target": entry.target,
        "units": [_unit_dict(unit) for unit in entry.units],
        "coverage": _coverage_dict(entry.coverage),
    }
    if entry.units_total is not None:  # capped: `units` holds the first of them
        data["units_total"] = entry.units_total
    if entry.unit is not None:  # an estimate
        data["unit"] = {"vi": entry.unit.vi, "en": entry.unit.en}
        data["ci_low"] = entry.ci_low
        data["ci_high"] = entry.ci_high
        data["estimated"] = entry.value is not None
        data["reason"] = entry.note
    return data


def _coverage_dict(coverage: Coverage | None) -> dict[str, Any] | None:
    if coverage is None:
        return None
    return {
        "covered": coverage.covered,
        "population": coverage.population,
        "base_level": coverage.base_level,
        "source": coverage.source,
        "missing": [
            {"code": m.code, "name": m.name, "level": m.level, "commune": m.commune_name}
            for m in coverage.missing
        ],
    }


def _coverage(data: Mapping[str, Any] | None) -> Coverage | None:
    if not data:
        return None
    return Coverage(
        covered=int(data["covered"]),
        population=int(data["population"]),
        base_level=str(data.get("base_level", "commune")),
        source=str(data.get("source", "census")),
        missing=tuple(
            MissingUnit(
                code=m["code"], name=m["name"], level=m["level"], commune_name=m.get("commune", "")
            )
            for m in data.get("missing", ())
        ),
    )


def report_to_dict(report: ReviewReport) -> dict[str, Any]:
    """Return the report as JSON-ready data: one entry per indicator, then series and ranking
    (with `units_total` and `ranking_total` when the lists hold only the first units)."""
    data = {
        "program": {"code": report.program_code, "name": report.program_name},
        "area": report.area_name,
        "baseline_year": report.baseline_year,
        "review_year": report.review_year,
        "threshold": report.threshold,
        "official": report.official,
        "refreshed_at": report.refreshed_at.isoformat() if report.refreshed_at else None,
        "entries": [entry_to_dict(entry) for entry in report.entries],
        "series": [
            {
                "code": item.code,
                "label": {"vi": item.label.vi, "en": item.label.en},
                "factor": item.factor,
                "points": [
                    {
                        "year": p.year,
                        "value": p.value,
                        "numerator": p.numerator,
                        "denominator": p.denominator,
                        "official": p.official,
                    }
                    for p in item.points
                ],
                "breaks": [
                    {
                        "year": m.year,
                        "standard": m.standard_code,
                        "label": {"vi": m.label.vi, "en": m.label.en},
                    }
                    for m in item.breaks
                ],
            }
            for item in report.series
        ],
        "ranking": [
            {
                "rank": row.rank,
                "code": row.code,
                "name": row.name,
                "parent": row.parent_name,
                "value": row.value,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "below_threshold": row.below_threshold,
                "is_key": row.is_key,
            }
            for row in report.ranking
        ],
    }
    if report.ranking_total is not None:
        data["ranking_total"] = report.ranking_total
    if report.support is not None:
        # The section's module builds on this one's types (Label, Coverage): read it here.
        from ketnghia.reports.support_domain import support_to_dict

        data["support"] = support_to_dict(report.support)
    return data


def _label(data: Mapping[str, Any]) -> Label:
    return Label(vi=str(data.get("vi", "")), en=str(data.get("en", "")))


def report_from_dict(data: Mapping[str, Any]) -> ReviewReport:
    """Return the report `report_to_dict` gave (a saved snapshot read back)."""
    entries = tuple(
        Entry(
            code=item["code"],
            label=_label(item["label"]),
            factor=int(item["factor"]),
            year=int(item["year"]),
            numerator=float(item["numerator"]),
            denominator=float(item["denominator"]),
            value=item["value"],
            units=tuple(
                UnitFigure(
                    code=u["code"],
                    name=u["name"],
                    level=u["level"],
                    numerator=float(u["numerator"]),
                    denominator=float(u["denominator"]),
                    value=u["value"],
                    parent_name=u.get("parent", ""),
                    path=u.get("path", ""),
                )
                for u in item.get("units", ())
            ),
            indicator=item.get("indicator", ""),
            disaggregation=item.get("disaggregation", ""),
            official=bool(item.get("official", True)),
            baseline=item.get("baseline"),
            target=item.get("target"),
            period=tuple(item["period"]) if item.get("period") else None,
            coverage=_coverage(item.get("coverage")),
            unit=_label(item["unit"]) if item.get("unit") else None,
            ci_low=item.get("ci_low"),
            ci_high=item.get("ci_high"),
            note=item.get("reason", ""),
        )
        for item in data.get("entries", ())
    )
    series = tuple(
        Series(
            code=item["code"],
            label=_label(item["label"]),
            factor=int(item["factor"]),
            points=tuple(
                SeriesPoint(
                    year=int(p["year"]),
                    value=p["value"],
                    numerator=float(p["numerator"]),
                    denominator=float(p["denominator"]),
                    official=bool(p.get("official", True)),
                )
                for p in item["points"]
            ),
            breaks=tuple(
                BreakMarker(
                    year=int(m["year"]), standard_code=m["standard"], label=_label(m["label"])
                )
                for m in item.get("breaks", ())
            ),
        )
        for item in data.get("series", ())
    )
    ranking = tuple(
        RankingRow(
            rank=int(row["rank"]),
            code=row["code"],
            name=row["name"],
            parent_name=row.get("parent", ""),
            value=row["value"],
            numerator=float(row["numerator"]),
            denominator=float(row["denominator"]),
            below_threshold=bool(row["below_threshold"]),
            is_key=bool(row.get("is_key", False)),
        )
        for row in data.get("ranking", ())
    )
    refreshed = data.get("refreshed_at")
    from ketnghia.reports.support_domain import support_from_dict

    return ReviewReport(
        program_code=data["program"]["code"],
        program_name=data["program"]["name"],
        area_name=data.get("area", ""),
        baseline_year=int(data["baseline_year"]),
        review_year=int(data["review_year"]),
        threshold=float(data.get("threshold", DEFAULT_THRESHOLD)),
        entries=entries,
        series=series,
        ranking=ranking,
        official=bool(data.get("official", True)),
        refreshed_at=datetime.fromisoformat(refreshed) if refreshed else None,
        support=support_from_dict(data.get("support")),
    )
