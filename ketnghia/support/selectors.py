"""Reads of support, always through a scope handed out by the gate (missing = forbidden).

Documents are read by everyone whose scope lies inside or above their issuing unit (a
district officer reads the province's resolutions); funds by those who reach the fund's
unit; cycles and deliveries by those who reach the commune (a district sees its communes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ketnghia.core.errors import NotFound
from ketnghia.core.gate import UnitScope
from ketnghia.programs.models import Program
from ketnghia.support import rules
from ketnghia.support.models import (
    Cycle,
    Delivery,
    Fund,
    FundEntry,
    FundSource,
    LegalDocument,
    Package,
)


def _ancestor_paths(path: str) -> list[str]:
    """Return "/62/", "/62/615/" for "/62/615/23500/"."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _inside_or_above(scope: UnitScope, path_field: str) -> Q:
    if scope.everything:
        return Q()
    if not scope.paths:
        return Q(pk__in=[])
    above = {ancestor for root in scope.paths for ancestor in _ancestor_paths(root)}
    return scope.q(path_field) | Q(**{f"{path_field}__in": sorted(above)})


def document_list_for(
    *, scope: UnitScope, program: Program | None = None
) -> QuerySet[LegalDocument]:
    """Return the documents `scope` may read (of `program`, when given), oldest first."""
    documents = LegalDocument.objects.filter(_inside_or_above(scope, "unit_path"))
    if program is not None:
        documents = documents.filter(program=program)
    return documents.select_related("program", "attachment").order_by("issued_on", "number")


def document_get_for(*, scope: UnitScope, pk: int) -> LegalDocument:
    found = document_list_for(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Document not found."))
    return found


def package_list_for(*, scope: UnitScope, program: Program | None = None) -> QuerySet[Package]:
    packages = Package.objects.filter(_inside_or_above(scope, "document__unit_path"))
    if program is not None:
        packages = packages.filter(document__program=program)
    return packages.select_related("document").order_by("document__issued_on", "name")


def package_get_for(*, scope: UnitScope, pk: int) -> Package:
    found = package_list_for(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Package not found."))
    return found


def fund_list_for(*, scope: UnitScope, program: Program | None = None) -> QuerySet[Fund]:
    funds = scope.filter(Fund.objects.all(), "unit_path")
    if program is not None:
        funds = funds.filter(document__program=program)
    return funds.select_related("document", "organisation", "unit").order_by(
        "year", "document__issued_on", "source", "id"
    )


def fund_get_for(*, scope: UnitScope, pk: int) -> Fund:
    found = fund_list_for(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Fund not found."))
    return found


def fund_choices_for(*, scope: UnitScope, commune_path: str) -> QuerySet[Fund]:
    """Return the funds a cycle of the commune at `commune_path` may draw on (its own unit's or
    an ancestor's), whoever prepares it."""
    return (
        Fund.objects.filter(unit_path__in=_ancestor_paths(commune_path))
        .select_related("document", "organisation")
        .order_by("-year", "source")
    )


def fund_figures(*, fund_ids: Sequence[int]) -> dict[int, rules.FundFigures]:
    """Return each fund's allocated (ledger), committed (approved) and delivered money.

    Computed from the rows every time (a few grouped queries): the ledger's sum, the entitled
    value of approved cycles, the delivered value of delivered and reconciled cycles.
    """
    ids = list(fund_ids)
    allocated = dict(
        FundEntry.objects.filter(fund_id__in=ids)
        .values_list("fund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    committed = dict(
        Delivery.objects.filter(cycle__fund_id__in=ids, cycle__state__in=rules.COMMITTED_STATES)
        .values_list("cycle__fund_id")
        .annotate(total=Sum("entitled_value"))
        .order_by()
    )
    delivered = dict(
        Delivery.objects.filter(cycle__fund_id__in=ids, cycle__state__in=rules.SPENT_STATES)
        .values_list("cycle__fund_id")
        .annotate(total=Sum("delivered_value"))
        .order_by()
    )
    return {
        pk: rules.FundFigures(
            allocated=int(allocated.get(pk) or 0),
            committed=int(committed.get(pk) or 0),
            delivered=int(delivered.get(pk) or 0),
        )
        for pk in ids
    }


@dataclass
class FundRow:
    fund: Fund
    figures: rules.FundFigures


@dataclass
class FundReport:
    """Funds with their money, and totals by source (and by source and year)."""

    rows: list[FundRow]
    by_source: dict[str, rules.FundFigures] = field(default_factory=dict)
    by_source_year: dict[tuple[str, int], rules.FundFigures] = field(default_factory=dict)
    total: rules.FundFigures = field(default_factory=lambda: rules.FundFigures(0, 0, 0))


def _add(a: rules.FundFigures, b: rules.FundFigures) -> rules.FundFigures:
    return rules.FundFigures(
        a.allocated + b.allocated, a.committed + b.committed, a.delivered + b.delivered
    )


def fund_report(funds: Iterable[Fund]) -> FundReport:
    """Return the funds' money and the totals by source, in the sources' declared order."""
    funds = list(funds)
    figures = fund_figures(fund_ids=[f.pk for f in funds])
    report = FundReport(rows=[FundRow(f, figures[f.pk]) for f in funds])
    zero = rules.FundFigures(0, 0, 0)
    by_source: dict[str, rules.FundFigures] = defaultdict(lambda: zero)
    by_source_year: dict[tuple[str, int], rules.FundFigures] = defaultdict(lambda: zero)
    for row in report.rows:
        by_source[row.fund.source] = _add(by_source[row.fund.source], row.figures)
        key = (row.fund.source, row.fund.year)
        by_source_year[key] = _add(by_source_year[key], row.figures)
        report.total = _add(report.total, row.figures)
    report.by_source = {s: by_source[s] for s in FundSource.values if s in by_source}
    report.by_source_year = dict(
        sorted(by_source_year.items(), key=lambda kv: (kv[0][1], FundSource.values.index(kv[0][0])))
    )
    return report


def cycle_list_for(*, scope: UnitScope, program: Program | None = None) -> QuerySet[Cycle]:
    cycles = scope.filter(Cycle.objects.all(), "unit_path")
    if program is not None:
        cycles = cycles.filter(package__document__program=program)
    return cycles.select_related("package", "fund", "fund__document", "commune", "commune__parent")


def cycle_get_for(*, scope: UnitScope, pk: int) -> Cycle:
    found = cycle_list_for(scope=scope).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Delivery cycle not found."))
    return found


def delivery_list_for(*, scope: UnitScope, cycle: Cycle) -> QuerySet[Delivery]:
    """Return a cycle's deliveries inside `scope` (a village's officer sees their village)."""
    deliveries = scope.filter(cycle.deliveries.all(), "unit_path")
    return deliveries.select_related("unit", "household").order_by("unit_path", "id")


def supported_households(
    program: Program, *, kinds: list[str] | None = None
) -> list[tuple[int, str, int]]:
    """Return (household id, package kind, first year delivered) for every household that a
    delivery of `program` reached (delivered or reconciled, quantity above 0), optionally of
    the given package kinds; one row per household and kind, ordered by household then kind.

    The contract the outcome analysis (issue 19) builds on. Unscoped: callers scope.
    """
    rows = Delivery.objects.filter(
        cycle__package__document__program=program,
        cycle__state__in=rules.SPENT_STATES,
        household__isnull=False,
        delivered_quantity__gt=0,
        delivered_on__isnull=False,
    )
    if kinds is not None:
        rows = rows.filter(cycle__package__kind__in=list(kinds))
    first: dict[tuple[int, str], int] = {}
    for household_id, kind, delivered_on in rows.values_list(
        "household_id", "cycle__package__kind", "delivered_on"
    ).iterator(chunk_size=5000):
        if delivered_on is None:  # filtered out above; the type allows it
            continue
        key = (household_id, kind)
        if key not in first or delivered_on.year < first[key]:
            first[key] = delivered_on.year
    return [(household_id, kind, year) for (household_id, kind), year in sorted(first.items())]
