"""Reads: set versions, the facts table of units and a year, evaluations and stored results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ketnghia.core.errors import Location, NotFound, Problem
from ketnghia.core.gate import EVERYTHING, UnitScope
from ketnghia.criteria import facts as fact_registry
from ketnghia.criteria.domain import ROLLUP_FACT, CriteriaSet, Level, Text
from ketnghia.criteria.facts import UnitRef
from ketnghia.criteria.models import (
    Assessment,
    CommuneInfrastructure,
    CriteriaSetVersion,
    ManualAssessment,
)
from ketnghia.criteria.rules import (
    Evaluation,
    FactsTable,
    evaluate_many,
    needed_facts,
    rollup_percent,
)
from ketnghia.criteria.sets import builtin_sets, set_for
from ketnghia.geo.models import ClassificationScheme, Unit, UnitClassification, UnitLevel
from ketnghia.programs.models import Program, ProgramCommune

ESPECIALLY_DIFFICULT_CLASS = "especially_difficult"


def set_versions_in_force(*, year: int, level: str | None = None) -> list[CriteriaSetVersion]:
    """Return the latest active version of every set (at `level`) that covers `year`."""
    rows = CriteriaSetVersion.objects.filter(active=True, first_year__lte=year, last_year__gte=year)
    if level:
        rows = rows.filter(level=level)
    latest: dict[tuple[str, str], CriteriaSetVersion] = {}
    for row in rows.order_by("code", "level", "version"):
        latest[(row.code, row.level)] = row
    return list(latest.values())


def set_version_get(*, code: str, level: str, year: int | None = None) -> CriteriaSetVersion:
    """Return the version of set `code` at `level` in force in `year` (latest if no year)."""
    rows = CriteriaSetVersion.objects.filter(code=code, level=level, active=True)
    if year is not None:
        rows = rows.filter(first_year__lte=year, last_year__gte=year)
    found = rows.order_by("-version").first()
    if found is None:
        raise NotFound(
            Problem(
                _("No criteria set “%(code)s” at level %(level)s for %(year)s.")
                % {"code": code, "level": level, "year": year or "–"},
                Location(field="set"),
            )
        )
    return found


def criteria_set_get(*, code: str, level: str, year: int | None = None) -> CriteriaSet:
    """Return the set in force: the stored version, else the shipped file of that code."""
    try:
        return set_version_get(code=code, level=level, year=year).as_set()
    except NotFound:
        if CriteriaSetVersion.objects.filter(code=code, level=level).exists():
            raise
        return set_for(builtin_sets(), code=code, level=level, year=year)


def criteria_sets_list() -> list[CriteriaSet]:
    """Return every set version known: the stored ones, and shipped files not stored yet."""
    stored = {(v.code, v.level, v.version): v.as_set() for v in CriteriaSetVersion.objects.all()}
    for criteria_set in builtin_sets().values():
        stored.setdefault(
            (criteria_set.code, criteria_set.level, criteria_set.version), criteria_set
        )
    return [stored[key] for key in sorted(stored)]


def unit_refs(units: Iterable[Unit]) -> list[UnitRef]:
    return [
        UnitRef(u.pk, u.code, u.level, u.parent_id if u.level == UnitLevel.VILLAGE else u.pk)  # type: ignore[arg-type]
        for u in units
    ]


def regions_for(*, commune_ids: Iterable[int], year: int) -> dict[int, str]:
    """Return each commune's region in `year`: the period in force, else the latest before it.

    Where no period has started by `year` the region is unknown ("") and thresholds fall to
    the criterion's default.
    """
    found: dict[int, str] = {}
    rows = UnitClassification.objects.filter(
        unit_id__in=list(commune_ids),
        scheme=ClassificationScheme.COMMUNE_REGION,
        start_year__lte=year,
    ).order_by("unit_id", "start_year")
    for row in rows.values("unit_id", "value"):
        found[row["unit_id"]] = row["value"]
    return found


def classes_for(*, commune_ids: Iterable[int], year: int) -> dict[int, str]:
    """Return "especially_difficult" for communes on a program's list at the end of `year`."""
    on = date(year, 12, 31)
    rows = ProgramCommune.objects.filter(
        commune_id__in=list(commune_ids), valid_from__lte=on
    ).exclude(valid_to__lt=on)
    return {
        commune_id: ESPECIALLY_DIFFICULT_CLASS
        for commune_id in rows.values_list("commune_id", flat=True)
    }


def facts_table(
    *,
    criteria_set: CriteriaSet,
    units: Sequence[Unit],
    year: int,
    extra: dict[str, dict[int, float | None]] | None = None,
) -> tuple[FactsTable, list[Unit]]:
    """Return the facts `criteria_set` reads for `units` in `year`, with region and class."""
    refs = unit_refs(units)
    names = needed_facts(criteria_set)
    loaded = fact_registry.load_facts(units=refs, year=year, names=names)
    loaded.update(extra or {})
    assessed = [n.removeprefix("assessed.") for n in names if n.startswith("assessed.")]
    if assessed:
        for name in names:
            if name.startswith("assessed."):
                loaded.setdefault(name, {})
        for row in ManualAssessment.objects.filter(
            unit_id__in=[r.id for r in refs],
            year=year,
            set_code=criteria_set.code,
            criterion_code__in=assessed,
        ).values("unit_id", "criterion_code", "met"):
            loaded[f"assessed.{row['criterion_code']}"][row["unit_id"]] = float(row["met"])
    commune_ids = {r.commune_id for r in refs}
    regions = regions_for(commune_ids=commune_ids, year=year)
    classes = classes_for(commune_ids=commune_ids, year=year)
    ids = [r.id for r in refs]
    columns = {
        name: np.array(
            [np.nan if (v := loaded.get(name, {}).get(i)) is None else float(v) for i in ids],
            dtype=np.float64,
        )
        for name in names
    }
    table = FactsTable(
        [r.code for r in refs],
        columns,
        np.array([regions.get(r.commune_id, "") for r in refs], dtype=object),
        np.array([classes.get(r.commune_id, "") for r in refs], dtype=object),
    )
    return table, list(units)


def villages_of(communes: Sequence[Unit]) -> list[Unit]:
    return list(Unit.objects.filter(parent__in=communes, level=UnitLevel.VILLAGE).order_by("path"))


def evaluate_units(
    *, criteria_set: CriteriaSet, units: Sequence[Unit], year: int
) -> tuple[Evaluation, FactsTable]:
    """Evaluate `criteria_set` over `units` in `year`; a commune set rolls up its village set."""
    extra = None
    if criteria_set.village_set:
        village_version = set_version_get(
            code=criteria_set.village_set, level=Level.VILLAGE, year=year
        )
        village_set = village_version.as_set()
        villages = villages_of(units)
        village_eval, _table = evaluate_units(criteria_set=village_set, units=villages, year=year)
        extra = {
            ROLLUP_FACT: rollup_percent(
                list(village_eval.outcomes),
                [v.parent_id or 0 for v in villages],  # a village always has its commune
                [u.pk for u in units],
            )
        }
    table, _units = facts_table(criteria_set=criteria_set, units=units, year=year, extra=extra)
    return evaluate_many(criteria_set, table), table


def units_for(
    *,
    level: str,
    year: int,
    program: Program | None = None,
    scope: UnitScope = EVERYTHING,
    communes: Sequence[Unit] | None = None,
) -> list[Unit]:
    """Return the units a set of `level` is evaluated over: a program's communes, or all."""
    if communes is None:
        if program is not None:
            on = date(year, 12, 31)
            ids = (
                ProgramCommune.objects.filter(program=program, valid_from__lte=on)
                .exclude(valid_to__lt=on)
                .values("commune_id")
            )
            commune_qs = Unit.objects.filter(pk__in=ids)
        else:
            commune_qs = Unit.objects.filter(level=UnitLevel.COMMUNE)
        communes = list(scope.filter(commune_qs).order_by("path"))
    if level == Level.COMMUNE:
        return list(communes)
    return list(
        scope.filter(Unit.objects.filter(parent__in=communes, level=UnitLevel.VILLAGE)).order_by(
            "path"
        )
    )


def assessment_list_for(
    *, scope: UnitScope, set_version: CriteriaSetVersion, year: int | None = None
) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(set_version=set_version)
    if year is not None:
        rows = rows.filter(year=year)
    return scope.filter(rows, "unit_path").select_related("unit")


# --- pages ----------------------------------------------------------------------------------


def years_with_results(*, code: str) -> list[int]:
    """Return the years that have stored results of set `code`, newest first."""
    return sorted(
        set(Assessment.objects.filter(set_version__code=code).values_list("year", flat=True)),
        reverse=True,
    )


def set_codes() -> list[str]:
    return sorted(
        set(CriteriaSetVersion.objects.filter(active=True).values_list("code", flat=True))
    )


def set_names() -> dict[str, str]:
    """Return each active set's name by code, in the reader's language (for choosers).

    A village and a commune set of one family share a code: the family is named by its
    village set's latest version, else its commune set's.
    """
    names: dict[str, str] = {}
    versions = CriteriaSetVersion.objects.filter(active=True).order_by("code", "level", "version")
    for version in versions.only("code", "level", "version", "name", "definition"):
        name = (version.definition or {}).get("name") or {}
        names[version.code] = str(Text(name.get("vi") or version.name, name.get("en", "")))
    return names


def stored_results(
    *, scope: UnitScope, code: str, level: str, year: int, units: Sequence[Unit] | None = None
) -> tuple[CriteriaSet | None, dict[int, Assessment]]:
    """Return the set in force and its stored results by unit id (inside `scope`)."""
    try:
        version = set_version_get(code=code, level=level, year=year)
    except NotFound:
        return None, {}
    rows = assessment_list_for(scope=scope, set_version=version, year=year)
    if units is not None:
        rows = rows.filter(unit__in=units)
    return version.as_set(), {row.unit_id: row for row in rows}


def village_progress(*, scope: UnitScope, village: Unit, code: str) -> list[Assessment]:
    """Return a village's stored results of set `code`, year by year."""
    rows = Assessment.objects.filter(
        unit=village, set_version__code=code, set_version__level=Level.VILLAGE
    ).select_related("set_version")
    return list(scope.filter(rows, "unit_path").order_by("year"))


def province_counts(
    *, scope: UnitScope, code: str, year: int, program: Program | None
) -> dict[str, list[dict[str, object]]]:
    """Return villages and communes meeting (or basically meeting) by district and by group.

    Groups: the program's key communes, its other communes, communes outside it. Read from
    the stored results (maintained when inputs change), never recomputed here.
    """
    on = date(year, 12, 31)
    members: dict[int, bool] = {}
    if program is not None:
        memberships = ProgramCommune.objects.filter(program=program, valid_from__lte=on).exclude(
            valid_to__lt=on
        )
        members = dict(memberships.values_list("commune_id", "is_key"))
    totals: dict[tuple[str, str], dict[str, object]] = {}

    def bucket(kind: str, key: str, label: str) -> dict[str, object]:
        return totals.setdefault(
            (kind, key),
            {
                "key": key,
                "label": label,
                "villages": 0,
                "villages_meeting": 0,
                "communes": 0,
                "communes_meeting": 0,
            },
        )

    assessed: dict[str, set[int]] = {}
    for level in (Level.VILLAGE, Level.COMMUNE):
        try:
            version = set_version_get(code=code, level=level, year=year)
        except NotFound:
            continue
        rows = assessment_list_for(scope=scope, set_version=version, year=year).values(
            "unit__parent_id",
            "unit_id",
            "unit__parent__parent__code",
            "unit__parent__parent__name",
            "unit__parent__code",
            "unit__parent__name",
            "outcome",
        )
        for row in rows:
            assessed.setdefault(str(level), set()).add(row["unit_id"])
            if level == Level.VILLAGE:
                commune_id = row["unit__parent_id"]
                district = (row["unit__parent__parent__code"], row["unit__parent__parent__name"])
            else:
                commune_id = row["unit_id"]
                district = (row["unit__parent__code"], row["unit__parent__name"])
            group = (
                "key"
                if commune_id is not None and members.get(commune_id)
                else "program"
                if commune_id in members
                else "outside"
            )
            good = row["outcome"] != "not_met"
            for kind, key, label in (
                ("district", district[0], district[1]),
                ("group", group, group),
            ):
                target = bucket(kind, key, label)
                noun = "villages" if level == Level.VILLAGE else "communes"
                target[noun] = int(target[noun]) + 1  # type: ignore[call-overload]
                target[f"{noun}_meeting"] = int(target[f"{noun}_meeting"]) + good  # type: ignore[call-overload]
    order = {"key": 0, "program": 1, "outside": 2}
    if members:
        _left_out(scope=scope, totals=totals, members=members, assessed=assessed, on=on)
    return {
        "districts": sorted(
            (v for (k, _), v in totals.items() if k == "district"), key=lambda v: str(v["key"])
        ),
        "groups": sorted(
            (v for (k, _), v in totals.items() if k == "group"), key=lambda v: order[str(v["key"])]
        ),
    }


def _left_out(
    *,
    scope: UnitScope,
    totals: dict[tuple[str, str], dict[str, object]],
    members: dict[int, bool],
    assessed: dict[str, set[int]],
    on: date,
) -> None:
    """Add to each program group the communes and villages with no result of the set.

    A count over fewer units than the group has says which it leaves out (each linked to its
    criteria page), as the dashboards' figures do.
    """
    communes = list(
        scope.filter(Unit.objects.filter(pk__in=list(members)))
        .only("code", "name")
        .order_by("path")
    )
    villages = list(
        Unit.objects.filter(parent__in=[c.pk for c in communes], level=UnitLevel.VILLAGE)
        .exclude(valid_to__lt=on)
        .exclude(valid_from__gt=on)
        .only("code", "name", "parent_id")
        .order_by("path")
    )
    by_pk = {c.pk: c for c in communes}
    for group in ("key", "program"):
        inside = [c for c in communes if members[c.pk] == (group == "key")]
        if not inside:
            continue
        ids = {c.pk for c in inside}
        row = totals.setdefault(
            ("group", group),
            {
                "key": group,
                "label": group,
                "villages": 0,
                "villages_meeting": 0,
                "communes": 0,
                "communes_meeting": 0,
            },
        )
        for level, units, source in (
            (Level.COMMUNE, inside, "criteria"),
            (Level.VILLAGE, [v for v in villages if v.parent_id in ids], "village_criteria"),
        ):
            done = assessed.get(str(level), set())
            missing = [
                {
                    "code": u.code,
                    "name": u.name,
                    "commune_name": by_pk[u.parent_id].name if level == Level.VILLAGE else u.name,
                }
                for u in units
                if u.pk not in done
            ]
            if missing:
                row[f"{level}_coverage"] = {
                    "code": f"{group}-{level}",
                    "base_level": str(level),
                    "covered": len(units) - len(missing),
                    "population": len(units),
                    "missing": missing,
                    "source": source,
                }


def infrastructure_list_for(
    *, scope: UnitScope, year: int
) -> list[tuple[Unit, CommuneInfrastructure | None]]:
    """Return the communes in scope that have infrastructure rows in some year, with `year`'s."""
    rows = scope.filter(
        CommuneInfrastructure.objects.filter(year=year), "unit_path"
    ).select_related("commune")
    return sorted(((row.commune, row) for row in rows), key=lambda pair: pair[0].path)


def infrastructure_years() -> list[int]:
    return sorted(set(CommuneInfrastructure.objects.values_list("year", flat=True)), reverse=True)
