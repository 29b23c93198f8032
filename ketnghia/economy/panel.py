"""Reads the census into the outcome estimator's plain arrays, and who was supported when.

`treatment_rows` asks the support app (`ketnghia.support.selectors.supported_households`)
when it is installed; callers (tests, the bench) may pass the rows themselves.
"""

from __future__ import annotations

import hashlib
import importlib
import pickle
from collections.abc import Sequence

import numpy as np
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.census.selectors import APPROVED_STATES, official_rounds
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.economy import outcomes
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification
from ketnghia.households.models import Household, Member, Relation
from ketnghia.programs.models import Program

TreatmentRows = list[tuple[int, str, int]]

# The package kinds of the support app, in the order pages list them.
PACKAGE_KINDS = (
    "seedlings",
    "livestock",  # the support app's code
    "breeding_livestock",
    "fertiliser",
    "tools",
    "housing",
    "clean_water",
    "latrine",
    "training",
    "credit",
    "health_insurance",
    "infrastructure",
)


KIND_LABELS = {
    "seedlings": _("Seedlings"),
    "livestock": _("Breeding livestock"),
    "breeding_livestock": _("Breeding livestock"),
    "fertiliser": _("Fertiliser"),
    "tools": _("Tools and machines"),
    "housing": _("Housing"),
    "clean_water": _("Clean water"),
    "latrine": _("Hygienic latrine"),
    "training": _("Training"),
    "credit": _("Preferential credit"),
    "health_insurance": _("Health insurance"),
    "infrastructure": _("Infrastructure"),
}


def kind_label(kind: str) -> str:
    """Return a package kind's name (the support app's label once it is merged)."""
    return str(KIND_LABELS.get(kind, kind))


def estimator_settings() -> outcomes.Settings:
    """Return the thresholds under which nothing is estimated (settings, read at call time)."""
    return outcomes.Settings(
        min_group=int(getattr(settings, "KETNGHIA_OUTCOME_MIN_GROUP", 30)),
        min_stratum_controls=int(getattr(settings, "KETNGHIA_OUTCOME_MIN_STRATUM_CONTROLS", 2)),
        comparison=str(getattr(settings, "KETNGHIA_OUTCOME_COMPARISON", "village")),
    )


def treatment_rows(
    program: Program, *, kinds: Sequence[str] | None = None, rows: TreatmentRows | None = None
) -> TreatmentRows:
    """Return (household id, package kind, first year delivered) of the program's support."""
    if rows is None:
        rows = support_rows(program, kinds=kinds)
    wanted = set(kinds) if kinds else None
    return [(int(h), str(k), int(y)) for h, k, y in rows if wanted is None or k in wanted]


def support_rows(program: Program, *, kinds: Sequence[str] | None = None) -> TreatmentRows:
    """Return the support app's deliveries as treatment rows (none when it is not installed)."""
    if not apps.is_installed("ketnghia.support"):
        return []
    support = importlib.import_module("ketnghia.support.selectors")
    return list(support.supported_households(program, kinds=kinds))


def program_panel(program: Program, *, scope: UnitScope = EVERYTHING) -> outcomes.Panel:
    """Return every household of the program's communes (inside `scope`) × its census years.

    A year counts through the commune's official round (latest approved revision); traits are
    those of the household's first official entry (its baseline): household size, income per
    person, deprivation count, and the commune's group (key commune or not), region (I, II,
    III, the classification in force that year) and the head's ethnicity.
    """
    memberships = list(program.memberships.values_list("commune_id", "is_key"))
    key = {commune for commune, is_key in memberships if is_key}
    communes = scope.filter(Unit.objects.filter(pk__in=[c for c, _k in memberships]))
    rounds = official_rounds(communes=communes)
    round_year = {r.pk: year for (_c, year), r in rounds.items()}
    years = sorted({year for (_c, year) in rounds})
    entries = CensusEntry.objects.filter(round_id__in=list(round_year)).values_list(
        "household_id",
        "round_id",
        "status",
        "member_count",
        "monthly_income_per_person",
        "deprivation_count",
    )
    data = list(entries.iterator(chunk_size=20_000))
    if not data:
        return outcomes.Panel.build(
            household_ids=[],
            village_ids=[],
            years=years,
            poor=np.zeros((0, len(years))),
            traits={name: [] for name in (*outcomes.CATEGORICAL_TRAITS, *outcomes.NUMERIC_TRAITS)},
        )
    household = np.fromiter((row[0] for row in data), dtype=np.int64, count=len(data))
    year = np.fromiter((round_year[row[1]] for row in data), dtype=np.int64, count=len(data))
    poor = np.fromiter((row[2] == "poor" for row in data), dtype=float, count=len(data))
    size = np.fromiter((row[3] or 0 for row in data), dtype=float, count=len(data))
    income = np.fromiter((row[4] for row in data), dtype=float, count=len(data))
    deprived = np.fromiter((row[5] for row in data), dtype=float, count=len(data))
    ids, row_of = np.unique(household, return_inverse=True)
    column = np.searchsorted(np.asarray(years), year)
    matrix = np.full((len(ids), len(years)), np.nan)
    matrix[row_of, column] = poor
    # The baseline: each household's first census year.
    order = np.lexsort((year, row_of))
    first = order[np.r_[True, row_of[order][1:] != row_of[order][:-1]]]
    baseline_year = year[first]

    village_of: dict[int, int] = {}
    commune_of: dict[int, int] = {}
    for pk, village_id, commune_id in (
        Household.objects.filter(commune__in=communes)
        .values_list("pk", "village_id", "commune_id")
        .iterator(chunk_size=20_000)
    ):
        commune_of[pk] = commune_id
        # A household without a village is its own cluster under its commune.
        village_of[pk] = village_id if village_id is not None else -commune_id
    heads = dict(
        Member.objects.filter(household__commune__in=communes, relation=Relation.HEAD).values_list(
            "household_id", "ethnicity"
        )
    )
    regions = list(
        UnitClassification.objects.filter(
            unit__in=communes, scheme=ClassificationScheme.COMMUNE_REGION
        ).values_list("unit_id", "value", "start_year", "end_year")
    )

    def region_of(commune_id: int, on: int) -> str:
        found = ""
        for unit_id, value, start, end in regions:
            if unit_id == commune_id and start <= on <= end:
                return value
            if unit_id == commune_id and not found:
                found = value
        return found

    id_list = ids.tolist()
    region_cache: dict[tuple[int, int], str] = {}
    region_values = []
    for i, pk in enumerate(id_list):
        where = (commune_of.get(pk, 0), int(baseline_year[i]))
        if where not in region_cache:
            region_cache[where] = region_of(*where)
        region_values.append(region_cache[where])
    return outcomes.Panel.build(
        household_ids=ids,
        village_ids=[village_of.get(pk, 0) for pk in id_list],
        years=years,
        poor=matrix,
        traits={
            "commune_group": ["key" if commune_of.get(pk) in key else "other" for pk in id_list],
            "region": region_values,
            "ethnicity": [heads.get(pk, "") for pk in id_list],
            "household_size": size[first],
            "baseline_income": income[first],
            "deprivations": deprived[first],
        },
    )


def program_outcomes(
    program: Program,
    *,
    kinds: Sequence[str] | None = None,
    rows: TreatmentRows | None = None,
    scope: UnitScope = EVERYTHING,
) -> list[outcomes.KindResult]:
    """Return the outcome analysis of every package kind the program delivered (or `kinds`)."""
    supported = treatment_rows(program, kinds=None, rows=rows)
    present = {kind for _h, kind, _y in supported}
    wanted = [k for k in (kinds or PACKAGE_KINDS) if kinds or k in present]
    wanted += sorted(present - set(PACKAGE_KINDS) - set(wanted)) if not kinds else []
    if not wanted:
        return []
    options = estimator_settings()
    key = _cache_key(program, scope, supported, wanted, options)
    cached = cache.get(key)
    if cached is not None:
        return pickle.loads(cached)
    panel = program_panel(program, scope=scope)
    results = [outcomes.analyse_kind(panel, supported, kind, options) for kind in wanted]
    cache.set(key, pickle.dumps(results), CACHE_SECONDS)
    return results


# Reading the census of a whole program takes seconds (≈ 7 s over the demo's 670,000
# entries on SQLite), so an analysis is kept until the data it read changes: its key holds
# the program's approved rounds (a correction is a new revision), the support rows, the scope
# and the settings; an hour at most, for what the key cannot see (a head's ethnicity, a
# household's move to another village).
CACHE_SECONDS = 3600


def _cache_key(
    program: Program,
    scope: UnitScope,
    rows: TreatmentRows,
    kinds: Sequence[str],
    options: outcomes.Settings,
) -> str:
    rounds = CensusRound.objects.filter(
        commune__in=program.memberships.values("commune_id"), state__in=APPROVED_STATES
    ).aggregate(n=Count("id"), last=Max("id"), changed=Max("state_changed_at"))
    memberships = list(
        program.memberships.order_by("pk").values_list("commune_id", "is_key", "valid_from")
    )
    digest = hashlib.sha256(
        repr(
            (
                program.pk,
                sorted(scope.paths),
                scope.everything,
                sorted(rows),
                list(kinds),
                options,
                rounds,
                memberships,
            )
        ).encode()
    ).hexdigest()
    return f"economy:outcomes:{digest}"
