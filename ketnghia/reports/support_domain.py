"""The review's support section as pure data: plan vs delivered by source and year, the value
delivered, the share of poor households supported, and what the figures leave out.

Built by `support_section.support_section`, written by `support_exports`, kept in the JSON
(and the saved snapshot) under `support`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ketnghia.reports.domain import Coverage, Label, MissingUnit, _coverage, _coverage_dict


@dataclass(frozen=True)
class SourceYear:
    """One fund source in one year: the plan (allocated to the funds of the area), what is
    approved and not yet delivered, and the value delivered in the area's communes."""

    year: int
    source: str
    label: Label
    planned: int
    committed: int
    delivered: float  # by year of delivery (the indicator `support_value_delivered`)

    @property
    def share_delivered(self) -> float | None:
        """Return delivered / planned in percent (None without a plan)."""
        return self.delivered / self.planned * 100 if self.planned else None


@dataclass(frozen=True)
class SupportSection:
    """The support delivered under a review's area over its period."""

    rows: tuple[SourceYear, ...]
    review_year: int
    value_delivered: float | None  # in the review year
    value_delivered_period: float | None  # baseline year to review year
    poor_supported: float | None  # poor households of the review year's rounds supported
    poor_households: float | None
    share_supported: float | None  # percent
    # The share's communes without a census figure for the year.
    coverage: Coverage | None = None
    # The area's program communes with no delivery recorded in the review year.
    without_deliveries: tuple[MissingUnit, ...] = ()
    communes: int = 0
    # True when the area is below the province: the plan counts only the funds of units inside
    # it (a province's or the centre's money is planned at the province), the value delivered
    # every delivery in its communes.
    plan_within_area: bool = False

    def by_source(self) -> list[SourceYear]:
        """Return the period's totals per source, in the rows' order of first appearance."""
        totals: dict[str, SourceYear] = {}
        for row in self.rows:
            found = totals.get(row.source)
            if found is None:
                totals[row.source] = SourceYear(
                    0, row.source, row.label, row.planned, row.committed, row.delivered
                )
            else:
                totals[row.source] = SourceYear(
                    0,
                    row.source,
                    row.label,
                    found.planned + row.planned,
                    found.committed + row.committed,
                    found.delivered + row.delivered,
                )
        return list(totals.values())

    def without_text(self, language: str = "vi", limit: int = 12) -> str:
        """Return "3/5 xã chưa có cấp phát năm 2015: A, B, C" (empty when every commune has)."""
        if not self.without_deliveries:
            return ""
        vietnamese = not language.lower().startswith("en")
        names = [m.name for m in self.without_deliveries]
        shown = ", ".join(names[:limit])
        rest = len(names) - limit
        if rest > 0:
            shown += f" và {rest} xã khác" if vietnamese else f" and {rest} more"
        count = f"{len(names)}/{self.communes}"
        if vietnamese:
            return f"{count} xã chưa có cấp phát nào được ghi nhận năm {self.review_year}: {shown}"
        return f"{count} communes have no delivery recorded in {self.review_year}: {shown}"

    @property
    def without_text_en(self) -> str:
        return self.without_text("en")


def support_to_dict(section: SupportSection | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {
        "review_year": section.review_year,
        "by_source_and_year": [
            {
                "year": row.year,
                "source": row.source,
                "label": {"vi": row.label.vi, "en": row.label.en},
                "planned": row.planned,
                "committed": row.committed,
                "delivered": row.delivered,
            }
            for row in section.rows
        ],
        "value_delivered": section.value_delivered,
        "value_delivered_period": section.value_delivered_period,
        "poor_households_supported": {
            "numerator": section.poor_supported,
            "denominator": section.poor_households,
            "value": section.share_supported,
        },
        "coverage": _coverage_dict(section.coverage),
        "without_deliveries": [
            {"code": m.code, "name": m.name} for m in section.without_deliveries
        ],
        "communes": section.communes,
        "plan_within_area": section.plan_within_area,
    }


def support_from_dict(data: Mapping[str, Any] | None) -> SupportSection | None:
    if not data:
        return None
    share = data.get("poor_households_supported") or {}
    return SupportSection(
        rows=tuple(
            SourceYear(
                year=int(row["year"]),
                source=row["source"],
                label=Label(vi=row["label"]["vi"], en=row["label"]["en"]),
                planned=int(row["planned"]),
                committed=int(row["committed"]),
                delivered=float(row["delivered"]),
            )
            for row in data.get("by_source_and_year", ())
        ),
        review_year=int(data["review_year"]),
        value_delivered=data.get("value_delivered"),
        value_delivered_period=data.get("value_delivered_period"),
        poor_supported=share.get("numerator"),
        poor_households=share.get("denominator"),
        share_supported=share.get("value"),
        coverage=_coverage(data.get("coverage")),
        without_deliveries=tuple(
            MissingUnit(code=m["code"], name=m["name"], level="commune")
            for m in data.get("without_deliveries", ())
        ),
        communes=int(data.get("communes", 0)),
        plan_within_area=bool(data.get("plan_within_area", False)),
    )
