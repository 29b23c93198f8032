"""A program's figures under the units after the 2025 reform.

The figures are the indicator engine's commune figures (`indicators.selectors.unit_figures`:
numerator and denominator per old commune, read from the maintained aggregates), carried to
the communes in force on 1 July 2025 along the stored successions (`geo.rules.carry_ratio`,
the same walk as `geo.selectors.values_reaggregated`): numerators and denominators travel,
the rate is divided afterwards, and the province total is the same before and after.

Scope: the figures come from the old communes the reader may see (`unit_figures` is scoped),
so a new commune is listed when at least one of its predecessors is inside the reader's scope,
with only those predecessors' parts; a new commune that also took communes outside the scope
is marked `partial` (their figures are not shown, nor counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.geo.models import Succession, Unit
from ketnghia.geo.rules import REFORM_2025_DATE, national_code_of
from ketnghia.geo.selectors import ratio_reaggregated
from ketnghia.indicators import selectors as indicators
from ketnghia.programs.models import Program


@dataclass(frozen=True)
class OldPart:
    """One old commune's part in a new commune's figure (the drill-down)."""

    code: str
    name: str
    district: str
    fraction: float  # share of the old commune that went into the new one
    numerator: float  # the old commune's figure times `fraction`
    denominator: float
    value: float | None  # the old commune's own rate (not multiplied by the fraction)

    @property
    def fraction_percent(self) -> float:
        return self.fraction * 100


@dataclass(frozen=True)
class NewUnitFigure:
    """A figure for one unit in force after the reform."""

    code: str  # the stored code ("23302-2025")
    national_code: str  # the statistics office's code ("23302")
    name: str
    numerator: float
    denominator: float
    value: float | None
    parts: list[OldPart]
    # Predecessors without a figure: not on the program's list (their households are not in
    # the program's figures), by name; and how many lie outside the reader's scope.
    without_figure: list[str] = field(default_factory=list)
    hidden: int = 0

    @property
    def partial(self) -> bool:
        return self.hidden > 0


@dataclass(frozen=True)
class ReformFigures:
    program: Program
    code: str
    label_vi: str
    label_en: str
    factor: int
    year: int
    official: bool
    units: list[NewUnitFigure]
    # Sums over the old communes and over the new units: equal (totals are conserved).
    old_numerator: float
    old_denominator: float
    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator * self.factor if self.denominator else None

    @property
    def old_value(self) -> float | None:
        return (
            self.old_numerator / self.old_denominator * self.factor
            if self.old_denominator
            else None
        )


def _rate(numerator: float, denominator: float, factor: int) -> float | None:
    return numerator / denominator * factor if denominator else None


def reform_figures(
    *,
    scope: UnitScope,
    program: Program,
    code: str,
    year: int,
    official: bool = True,
    as_of: date = REFORM_2025_DATE,
) -> ReformFigures:
    """Return `program`'s figure `code` of `year` for each unit in force on `as_of`.

    The figures of a year were measured on the units in force on 1 January of that year
    (`data_date`); successions after it and up to `as_of` carry them. Raises NotFound for an
    unknown indicator code.
    """
    definition = next((d for d in indicators.definitions() if d.code == code), None)
    if definition is None:
        raise NotFound(_("Unknown indicator %(code)s.") % {"code": code})
    figures = indicators.unit_figures(
        scope=scope, program=program, code=code, year=year, level="commune", official=official
    )
    by_code = {f.unit_code: f for f in figures}
    carried = ratio_reaggregated(
        {f.unit_code: (f.numerator, f.denominator) for f in figures},
        as_of=as_of,
        data_date=date(year, 1, 1),
    )
    factor = int(definition.factor)
    # Names and districts of the old and new units; predecessors of the new ones (one query each).
    predecessors: dict[str, list[str]] = {}
    for old, new in Succession.objects.filter(
        new_unit__code__in=list(carried), date__gt=date(year, 1, 1), date__lte=as_of
    ).values_list("old_unit__code", "new_unit__code"):
        predecessors.setdefault(new, []).append(old)
    wanted = set(carried) | set(by_code) | {c for olds in predecessors.values() for c in olds}
    units = {u.code: u for u in Unit.objects.filter(code__in=list(wanted)).select_related("parent")}
    visible = {u.code for u in scope.filter(Unit.objects.filter(code__in=list(wanted)))}
    rows: list[NewUnitFigure] = []
    for new_code, item in carried.items():
        unit = units.get(new_code)
        parts = []
        for old_code, fraction in sorted(item.sources.items()):
            figure = by_code[old_code]
            old_unit = units.get(old_code)
            parts.append(
                OldPart(
                    code=old_code,
                    name=figure.unit_name,
                    district=old_unit.parent.name if old_unit and old_unit.parent else "",
                    fraction=fraction,
                    numerator=figure.numerator * fraction,
                    denominator=figure.denominator * fraction,
                    value=figure.value,
                )
            )
        others = [c for c in predecessors.get(new_code, []) if c not in item.sources]
        rows.append(
            NewUnitFigure(
                code=new_code,
                national_code=national_code_of(new_code),
                name=unit.name if unit else new_code,
                numerator=item.numerator,
                denominator=item.denominator,
                value=_rate(item.numerator, item.denominator, factor),
                parts=parts,
                without_figure=sorted(units[c].name for c in others if c in visible and c in units),
                hidden=sum(1 for c in others if c not in visible),
            )
        )
    rows.sort(key=lambda r: units[r.code].path if r.code in units else r.code)
    return ReformFigures(
        program=program,
        code=code,
        label_vi=definition.label_vi,
        label_en=definition.label_en,
        factor=factor,
        year=year,
        official=official,
        units=rows,
        old_numerator=sum(f.numerator for f in figures),
        old_denominator=sum(f.denominator for f in figures),
        numerator=sum(r.numerator for r in rows),
        denominator=sum(r.denominator for r in rows),
    )
