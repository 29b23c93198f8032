"""The economy's section of the review report (`reports.contributed`): the program's economic
models and how far they were replicated, and the outcome table (per package kind and start
year: the difference in poverty exits with its 95 % interval, or why there is none)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ketnghia.core.gate import UnitScope
from ketnghia.economy import outcomes
from ketnghia.economy.panel import kind_label, program_outcomes
from ketnghia.economy.selectors import models_for
from ketnghia.programs.models import Program
from ketnghia.reports.contributed import ContributedSection, SectionTable


def _points(value: float) -> float:
    """A difference in shares as percentage points with one decimal."""
    return round(100 * value, 1)


def _row(label: str, start: str | int, supported: int, matched: int, estimate: Any, reason: str):
    if estimate is None:
        return (label, start, supported, matched, None, None, None, reason)
    return (
        label,
        start,
        supported,
        matched,
        _points(estimate.value),
        _points(estimate.ci_low),
        _points(estimate.ci_high),
        _("The interval contains zero: no difference can be claimed.")
        if estimate.covers(0.0)
        else "",
    )


def outcome_rows(results: list[outcomes.KindResult], review_year: int) -> list[tuple]:
    """Return the outcome table: per kind its start years up to `review_year`, then all years."""
    rows = []
    for result in results:
        label = kind_label(result.kind)
        for cohort in result.cohorts:
            if cohort.start_year > review_year:
                continue
            rows.append(
                _row(
                    label,
                    cohort.start_year,
                    cohort.supported,
                    cohort.matched,
                    cohort.att,
                    cohort.reason,
                )
            )
        matched = sum(c.matched for c in result.cohorts if c.att is not None)
        rows.append(
            _row(
                label,
                _("all years"),
                sum(c.supported for c in result.cohorts),
                matched,
                result.att,
                result.reason,
            )
        )
    return rows


def review_section(
    *, program: Program, baseline_year: int, review_year: int, scope: UnitScope
) -> ContributedSection | None:
    """Return the economy's section of the review of `program` (None: nothing to report)."""
    models = models_for(scope=scope, program=program).filter(start_date__year__lte=review_year)
    replication = Q(origin__isnull=False)
    # One query (the review page counts its queries).
    counts = models.aggregate(
        total=Count("id", distinct=True),
        replications=Count("id", distinct=True, filter=replication),
        villages=Count("village_id", distinct=True, filter=replication),
        households=Count(
            "participations__household_id",
            distinct=True,
            filter=replication & Q(participations__joined_year__lte=review_year),
        ),
    )
    count = counts["total"]
    results = program_outcomes(program, scope=scope)
    rows = outcome_rows(results, review_year)
    if not count and not rows:
        return None
    paragraphs = [
        _(
            "%(models)s economic models started by %(year)s; %(replications)s of them "
            "replicate another model, in %(villages)s villages with %(households)s "
            "participating households."
        )
        % {
            "models": count,
            "year": review_year,
            "replications": counts["replications"],
            "villages": counts["villages"],
            "households": counts["households"],
        }
    ]
    if rows:
        paragraphs.append(
            _(
                "Did support work: the share of supported households, poor the year before, "
                "that left poverty, against comparable households not yet supported, in "
                "percentage points with its 95 % interval, over the census years to date "
                "(matched on commune group, region, household size, ethnicity, income and "
                "deprivations; a difference-in-differences with staggered start years). No "
                "figure where too few households can be compared; the reason is given."
            )
        )
    tables = []
    if rows:
        tables.append(
            SectionTable(
                title=_("Poverty exits of supported households"),
                columns=(
                    _("Package kind"),
                    _("Start year"),
                    _("Supported"),
                    _("Matched"),
                    _("Difference (percentage points)"),
                    _("95 % interval from"),
                    pgettext("interval", "to"),
                    _("Note"),
                ),
                rows=tuple(rows),
                formats=("", "", "count", "count", "points", "points", "points", ""),
            )
        )
    return ContributedSection(
        key="economy",
        title=_("Economic models and whether support worked"),
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        data={
            "economic_models": count,
            "replications": counts["replications"],
            "replicated_villages": counts["villages"],
            "replicated_households": counts["households"],
        },
    )
