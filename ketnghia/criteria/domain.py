"""Criteria sets as plain data: a set, its criteria and their thresholds (no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ketnghia.criteria.expressions import Tree, parse


class Level(TextChoices):
    VILLAGE = "village", _("village")
    COMMUNE = "commune", _("commune")


class Kind(TextChoices):
    COMPUTED = "computed", _("computed from data")
    ASSESSED = "assessed", _("assessed by a person")


class Missing(TextChoices):
    """What a missing value means (DHIS2's missing-value strategy)."""

    SKIP = "skip", _("skip the criterion")
    NEVER_SKIP = "never_skip", _("count it as not met")


class State(IntEnum):
    """One criterion's result for one unit (stored as these small integers in arrays)."""

    NOT_MET = 0
    MET = 1
    MISSING = 2


class Outcome(IntEnum):
    """A unit's overall result."""

    NOT_MET = 0
    BASICALLY_MEETS = 1
    MEETS = 2

    @property
    def code(self) -> str:
        return {0: "not_met", 1: "basically_meets", 2: "meets"}[int(self)]


OUTCOME_CODES = ("not_met", "basically_meets", "meets")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
# The criterion a commune set with a village roll-up gets first: the share of its villages
# meeting (or basically meeting) the village set, in percent.
ROLLUP_CODE = "villages"
ROLLUP_FACT = "villages_meeting_percent"


@dataclass(frozen=True)
class Text:
    vi: str
    en: str = ""

    def __str__(self) -> str:
        # The reader's language: an English page shows the English text where there is one.
        language = get_language() or "vi"
        return self.en if language.startswith("en") and self.en else self.vi


@dataclass(frozen=True)
class Threshold:
    """The figure a value is compared with: by commune class, else by region, else default."""

    default: float | None = None
    by_region: dict[str, float] = field(default_factory=dict)
    by_class: dict[str, float] = field(default_factory=dict)

    def for_unit(self, region: str, unit_class: str) -> float | None:
        if unit_class and unit_class in self.by_class:
            return self.by_class[unit_class]
        if region and region in self.by_region:
            return self.by_region[region]
        return self.default

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.default is not None:
            data["default"] = self.default
        if self.by_region:
            data["by_region"] = dict(self.by_region)
        if self.by_class:
            data["by_class"] = dict(self.by_class)
        return data


@dataclass(frozen=True)
class Criterion:
    code: str
    group: str
    text: Text
    kind: str
    mandatory: bool
    missing: str
    formula: str = ""
    operator: str = ""
    threshold: Threshold | None = None
    unit: str = ""
    note: str = ""

    @property
    def tree(self) -> Tree:
        """The parsed formula; an assessed criterion reads its assessment fact."""
        return parse(self.formula) if self.formula else ("name", self.assessed_fact)

    @property
    def assessed_fact(self) -> str:
        return f"assessed.{self.code}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "group": self.group,
            "vi": self.text.vi,
            "en": self.text.en,
            "kind": self.kind,
            "mandatory": self.mandatory,
            "missing": self.missing,
        }
        if self.formula:
            data["formula"] = self.formula
        if self.operator:
            data["operator"] = self.operator
        if self.threshold is not None:
            data["threshold"] = self.threshold.as_dict()
        if self.unit:
            data["unit"] = self.unit
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class Group:
    code: str
    text: Text


@dataclass(frozen=True)
class CriteriaSet:
    """One version of a criteria set: its criteria and the rules that turn them into a result."""

    code: str
    version: int
    level: str
    name: Text
    legal_basis: Text
    first_year: int
    last_year: int
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    basic_share_percent: float
    regions: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    village_set: str = ""
    village_share_percent: float | None = None
    example: bool = False
    verified: bool = True
    unverified: tuple[str, ...] = ()
    note: str = ""
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.code}/{self.level}/v{self.version}"

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def as_dict(self) -> dict[str, Any]:
        """Return the complete definition (JSON-ready), as the database stores it."""
        data: dict[str, Any] = {
            "code": self.code,
            "version": self.version,
            "level": self.level,
            "name": {"vi": self.name.vi, "en": self.name.en},
            "legal_basis": {"vi": self.legal_basis.vi, "en": self.legal_basis.en},
            "first_year": self.first_year,
            "last_year": self.last_year,
            "basically_meets": {"min_share_percent": self.basic_share_percent},
            "example": self.example,
            "verified": self.verified,
            "unverified": list(self.unverified),
            "regions": list(self.regions),
            "classes": list(self.classes),
            "groups": [{"code": g.code, "vi": g.text.vi, "en": g.text.en} for g in self.groups],
            "criteria": [
                c.as_dict()
                for c in self.criteria
                if not (self.village_set and c.code == ROLLUP_CODE)
            ],
        }
        if self.village_set:
            data["rollup"] = {
                "village_set": self.village_set,
                "min_share_percent": self.village_share_percent,
            }
        if self.note:
            data["note"] = self.note
        return data
