"""Public figures: the program's maintained aggregates (official rounds only), as the public
may see them. Reads go through the indicator selectors only (never households), and every
figure passes the small-cell rule (`rules.publishable`) before it leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from ketnghia.core.errors import NotFound
from ketnghia.core.formatting import format_count, format_percent
from ketnghia.core.gate import EVERYTHING
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators import selectors as indicators
from ketnghia.indicators.domain import Figure
from ketnghia.portal.conf import setting
from ketnghia.portal.rules import publishable
from ketnghia.programs.models import Program, ProgramCommune

# The public reads aggregates only, across the whole program: the scope is everything, the
# rows are the maintained aggregates of approved rounds (`official=True`).
PUBLIC_SCOPE = EVERYTHING
HEADLINE = "poverty_rate"


@dataclass(frozen=True)
class PublicFigure:
    code: str
    label: str
    year: int
    shown: bool
    text: str  # the value as the public reads it ("34,0 %", "18"), "" when withheld
    numerator: float | None  # None when withheld
    denominator: float | None

    @property
    def cell(self) -> str:
        """Return "numerator/denominator" (what the public-data walk checks)."""
        if not self.shown:
            return ""
        return f"{self.numerator:g}/{self.denominator:g}"


def _language() -> str:
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def public_figure(figure: Figure) -> PublicFigure:
    """Return `figure` as the public may see it: withheld when a cell is too small."""
    language = _language()
    minimum = int(setting("small_cell_min"))
    shown = publishable(figure.numerator, figure.denominator, minimum)
    if shown and figure.value is not None:
        text = (
            format_percent(figure.value, language=language)
            if figure.factor == 100
            else format_count(figure.value, language=language)
        )
    else:
        text = ""
    return PublicFigure(
        code=figure.code,
        label=figure.label(language),
        year=figure.year,
        shown=shown and bool(text),
        text=text,
        numerator=figure.numerator if shown else None,
        denominator=figure.denominator if shown else None,
    )


def _public_codes() -> list[str]:
    """Return the codes the portal lists: not the estimates (an estimate with its interval
    and caveats is read on the outcome page, not as a count under the small-cell rule)."""
    return [d.code for d in indicators.definitions() if not d.is_estimate]


def program_public(*, code: str) -> Program:
    program = Program.objects.filter(code=code).first()
    if program is None:
        raise NotFound("program")
    return program


def programs_public() -> list[Program]:
    return list(Program.objects.order_by("name"))


def latest_year(program: Program) -> int | None:
    """Return the newest year with an official figure of the program."""
    trend = indicators.series(scope=PUBLIC_SCOPE, program=program, code=HEADLINE)
    return trend[-1].year if trend else None


def program_figures_public(program: Program, year: int) -> list[PublicFigure]:
    figures = indicators.program_figures(scope=PUBLIC_SCOPE, program=program, year=year)
    order = _public_codes()
    return [public_figure(figures[c]) for c in order if c in figures]


@dataclass(frozen=True)
class CommuneRow:
    name: str
    code: str
    district: str
    figure: PublicFigure


def commune_rows_public(program: Program, year: int) -> list[CommuneRow]:
    figures = indicators.unit_figures(
        scope=PUBLIC_SCOPE, program=program, code=HEADLINE, year=year, level=UnitLevel.COMMUNE
    )
    districts = dict(
        Unit.objects.filter(code__in=[f.unit_code for f in figures]).values_list(
            "code", "parent__name"
        )
    )
    rows = [
        CommuneRow(f.unit_name, f.unit_code, districts.get(f.unit_code) or "", public_figure(f))
        for f in figures
    ]
    return sorted(rows, key=lambda r: (r.district, r.name))


def commune_public(program: Program, commune_code: str) -> Unit:
    """Return a commune on the program's list (NotFound otherwise)."""
    member = (
        ProgramCommune.objects.filter(program=program, commune__code=commune_code)
        .select_related("commune__parent")
        .first()
    )
    if member is None:
        raise NotFound("commune")
    return member.commune


def commune_figures_public(program: Program, commune: Unit, year: int) -> list[PublicFigure]:
    figures = indicators.program_figures(
        scope=PUBLIC_SCOPE, program=program, year=year, unit=commune
    )
    order = _public_codes()
    return [public_figure(figures[c]) for c in order if c in figures]


def trend_public(program: Program, commune: Unit | None = None) -> list[PublicFigure]:
    trend = indicators.series(scope=PUBLIC_SCOPE, program=program, code=HEADLINE, unit=commune)
    return [public_figure(f) for f in trend]
