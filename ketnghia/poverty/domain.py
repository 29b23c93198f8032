"""What a poverty standard is: plain, immutable data; reading and checking it is `standards.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext_lazy

# An income above this is taken for a typing error (extra zeros, a yearly total): it is some
# 350 times the highest national poor line. A standard file may set its own `income_ceiling`.
DEFAULT_INCOME_CEILING = 1_000_000_000

THRESHOLD_KEYS = ("poor", "near_poor", "average")


class Area(models.TextChoices):
    RURAL = "rural", gettext_lazy("Rural")
    URBAN = "urban", gettext_lazy("Urban")


class RuleKind(models.TextChoices):
    """The shape of the rule; the lines it compares against are data of each standard."""

    # Income only, bands poor ≤ poor line < near-poor ≤ near-poor line < average ≤ average line.
    INCOME_ONLY = "income_only", gettext_lazy("Income only")
    # Decision 59/2015: poor if income ≤ poor line, or ≤ near-poor line and deprived ≥ k;
    # near-poor if within the near-poor line and deprived < k.
    INCOME_OR_DEPRIVATION_2016 = (
        "income_or_deprivation_2016",
        gettext_lazy("Income, or income and deprivations (2016 shape)"),
    )
    # Decree 07/2021: within the poor line, poor if deprived ≥ k, near-poor otherwise.
    INCOME_AND_DEPRIVATION_2022 = (
        "income_and_deprivation_2022",
        gettext_lazy("Income and deprivations (2022 shape)"),
    )


@dataclass(frozen=True)
class BilingualText:
    """A name given in Vietnamese and English; Vietnamese stands in for a missing English."""

    vi: str
    en: str = ""

    def __str__(self) -> str:
        language = get_language() or "vi"
        return self.en if language.startswith("en") and self.en else self.vi

    def as_dict(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}


@dataclass(frozen=True)
class Thresholds:
    """Upper income lines of one area, VND per person per month; None where no band exists."""

    poor: int
    near_poor: int | None = None
    average: int | None = None

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in THRESHOLD_KEYS if getattr(self, key) is not None}


@dataclass(frozen=True)
class Dimension:
    code: str
    name: BilingualText


@dataclass(frozen=True)
class Indicator:
    """One deprivation indicator (chỉ số thiếu hụt); its code is also its CSV column."""

    code: str
    dimension: str
    name: BilingualText


@dataclass(frozen=True)
class Standard:
    """One poverty standard (chuẩn nghèo) as its legal text defines it."""

    code: str
    name: BilingualText
    legal_basis: BilingualText
    first_year: int
    last_year: int
    rule: RuleKind
    rural: Thresholds
    urban: Thresholds
    deprivation_threshold: int | None = None
    dimensions: tuple[Dimension, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    income_ceiling: int = DEFAULT_INCOME_CEILING
    verified: bool = True
    unverified: tuple[str, ...] = ()
    note: str = ""
    base: str | None = None
    # Where it was read from (a file name, "database"), for error messages; not compared.
    source: str = field(default="", compare=False)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(indicator.code for indicator in self.indicators)

    @property
    def uses_deprivations(self) -> bool:
        return self.rule != RuleKind.INCOME_ONLY

    def thresholds(self, area: str) -> Thresholds:
        return self.urban if area == Area.URBAN else self.rural

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def as_dict(self) -> dict[str, Any]:
        """Return the plain dict `standard_from_dict` reads back (for JSON, the database)."""
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name.as_dict(),
            "legal_basis": self.legal_basis.as_dict(),
            "first_year": self.first_year,
            "last_year": self.last_year,
            "verified": self.verified,
            "unverified": list(self.unverified),
            "note": self.note,
            "rule": str(self.rule),
            "income_ceiling": self.income_ceiling,
            "thresholds": {"rural": self.rural.as_dict(), "urban": self.urban.as_dict()},
            "dimensions": [{"code": d.code, **d.name.as_dict()} for d in self.dimensions],
            "indicators": [
                {"code": i.code, "dimension": i.dimension, **i.name.as_dict()}
                for i in self.indicators
            ],
        }
        if self.deprivation_threshold is not None:
            data["deprivation_threshold"] = self.deprivation_threshold
        if self.base is not None:
            data["base"] = self.base
        return data
