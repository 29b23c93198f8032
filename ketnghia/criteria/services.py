"""Writes: set versions, village facts, infrastructure, manual assessments, stored results.

Every write of an input (village facts, infrastructure, a manual assessment) refreshes the
stored assessments of the unit it touches and of its commune in the same transaction, so a
result never lags behind its inputs. The census reaches them through `core.derived`: its
approval (and return) reports the commune's official figure of a year as changed
(`census.official`) and `official_figure_changed`, registered as the refresher
`criteria.assessments`, recomputes them when that transaction commits, before the
indicators read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.accounts.models import Actor
from ketnghia.core import derived
from ketnghia.core.attachments import attachment_store
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.criteria import selectors
from ketnghia.criteria.domain import CriteriaSet, Kind, Level, State
from ketnghia.criteria.models import (
    Assessment,
    CommuneInfrastructure,
    CriteriaSetVersion,
    ManualAssessment,
    Road,
    VillageFacts,
)
from ketnghia.criteria.providers import VILLAGE_FACT_FIELDS
from ketnghia.criteria.rules import Evaluation, FactsTable
from ketnghia.criteria.sets import builtin_sets, criteria_set_from_dict
from ketnghia.geo.models import Unit, UnitLevel

# What the stored results are reported as, when they change, to what reads them (indicators).
ASSESSMENTS = "criteria.assessments"
# What the twinning app reports (its `services.ASSIGNMENTS`, `ACTIVITIES`, `NETWORK`), read by
# the twinning facts; named here as strings since criteria sits beside twinning and imports
# none of its writes (a test holds them equal: tests/test_refresh_sources.py).
TWINNING_SOURCES = ("twinning.assignments", "twinning.activities", "twinning.network")

# --- set versions ---------------------------------------------------------------------------


def criteria_sets_sync(
    *, actor: Actor = None, sets: Mapping[str, CriteriaSet] | None = None
) -> dict[str, str]:
    """Store the shipped sets as versions: new ones created, changed ones updated while no
    result uses them; a version with results is left alone (say so in the answer)."""
    answer: dict[str, str] = {}
    for key, criteria_set in (builtin_sets() if sets is None else sets).items():
        definition = criteria_set.as_dict()
        row = CriteriaSetVersion.objects.filter(
            code=criteria_set.code, level=criteria_set.level, version=criteria_set.version
        ).first()
        if row is None:
            row = CriteriaSetVersion(
                code=criteria_set.code,
                level=criteria_set.level,
                version=criteria_set.version,
                source=criteria_set.source,
            )
            answer[key] = "created"
        elif row.definition == definition:
            answer[key] = "unchanged"
            continue
        elif row.has_results():
            answer[key] = "kept"
            continue
        else:
            answer[key] = "updated"
        row.definition = definition
        row.name = criteria_set.name.vi
        row.first_year, row.last_year = criteria_set.first_year, criteria_set.last_year
        save_by(row, actor)
    return answer


@transaction.atomic
def criteria_set_version_copy(*, version: CriteriaSetVersion, actor: Actor) -> CriteriaSetVersion:
    """Create the next version of a set from `version`, for an administrator to edit."""
    number = (
        CriteriaSetVersion.objects.filter(code=version.code, level=version.level)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    copy = CriteriaSetVersion(
        code=version.code,
        level=version.level,
        version=number,
        name=version.name,
        first_year=version.first_year,
        last_year=version.last_year,
        definition={**version.definition, "version": number},
        source="admin",
        based_on=version,
    )
    copy.full_clean()
    save_by(copy, actor)
    return copy


@transaction.atomic
def criteria_set_version_update(
    *, version: CriteriaSetVersion, definition: dict[str, Any], actor: Actor
) -> CriteriaSetVersion:
    """Replace a version's definition; refused when the version has results or does not check."""
    if version.has_results():
        raise InvalidInput(
            Problem(
                _("This version has results and cannot change; create a new version from it."),
                Location(field="definition"),
            )
        )
    criteria_set = criteria_set_from_dict(
        {**definition, "code": version.code, "level": version.level, "version": version.version},
        source=str(version),
    )
    version.definition = criteria_set.as_dict()
    version.name = criteria_set.name.vi
    version.first_year, version.last_year = criteria_set.first_year, criteria_set.last_year
    save_by(version, actor)
    return version


# --- inputs ---------------------------------------------------------------------------------

_FLAG_FIELDS = ("village_rules_adopted", "mass_organisations_active")


def _check_year(year: Any, problems: list[Problem]) -> None:
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        problems.append(
            Problem(
                _("This number must be between %(minimum)s and %(maximum)s.")
                % {"minimum": 1990, "maximum": 2100},
                Location(field="year"),
            )
        )


def village_facts_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Return what is wrong with a village's facts (pure; also used by the form)."""
    problems: list[Problem] = []
    for name, value in values.items():
        if name not in VILLAGE_FACT_FIELDS:
            problems.append(Problem(_("Unknown field."), Location(field=name)))
        elif value is None:
            continue
        elif name == "party_cell_rating":
            if value not in (1, 2, 3, 4):
                problems.append(
                    Problem(_("The rating must be 1, 2, 3 or 4."), Location(field=name))
                )
        elif name in _FLAG_FIELDS:
            if not isinstance(value, bool):
                problems.append(
                    Problem(_("This field must be true or false."), Location(field=name))
                )
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
            problems.append(
                Problem(
                    _("This number must be between %(minimum)s and %(maximum)s.")
                    % {"minimum": 0, "maximum": 100_000},
                    Location(field=name),
                )
            )
    return problems


@transaction.atomic
def village_facts_set(
    *, village: Unit, year: int, values: Mapping[str, Any], actor: Actor
) -> VillageFacts:
    """Record a village's facts of one year (fields not given keep their value) and refresh."""
    problems = village_facts_problems(values)
    if village.level != UnitLevel.VILLAGE:
        problems.append(
            Problem(
                _("Unit %(code)s is not a village.") % {"code": village.code},
                Location(field="village"),
            )
        )
    _check_year(year, problems)
    if problems:
        raise InvalidInput(problems)
    row = VillageFacts.objects.select_for_update().filter(village=village, year=year).first()
    row = row or VillageFacts(village=village, year=year)
    changed = row.pk is None
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        save_by(row, actor)
        assessments_refresh(units=[village], year=year, actor=actor)
    return row


INFRASTRUCTURE_FIELDS = {
    "road_to_centre": "road",
    "electricity_percent": "percent",
    "health_station_standard": "flag",
    "preschools": "count",
    "primary_schools": "count",
    "lower_secondary_schools": "count",
    "clean_water_percent": "percent",
    "mobile_coverage_percent": "percent",
    "cultural_house": "flag",
}


def infrastructure_value_problem(name: str, value: Any) -> str | None:
    """Return why `value` is refused for field `name`, or None (pure; import and form use it)."""
    kind = INFRASTRUCTURE_FIELDS.get(name)
    if kind is None:
        return _("Unknown field.")
    if value is None or value == "":
        return None
    if kind == "road":
        return (
            None
            if value in Road.values
            else _("Use one of: %(choices)s.") % {"choices": ", ".join(Road.values)}
        )
    if kind == "flag":
        return None if isinstance(value, bool) else _("This field must be true or false.")
    if kind == "count":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100
        return (
            None
            if ok
            else _("This number must be between %(minimum)s and %(maximum)s.")
            % {"minimum": 0, "maximum": 100}
        )
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return _("This field must be a number.")
    if isinstance(value, bool) or not Decimal(0) <= number <= Decimal(100):
        return _("A share must lie between 0 and 100 %%; it is %(value)s.") % {"value": value}
    return None


def infrastructure_normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = INFRASTRUCTURE_FIELDS[name]
        if value is None or value == "":
            out[name] = "" if kind == "road" else None
        elif kind == "percent":
            # Half up, as Excel shows 85,25 % in a "0.0%" cell: 85,3 %.
            out[name] = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        else:
            out[name] = value
    return out


@transaction.atomic
def infrastructure_set(
    *, commune: Unit, year: int, values: Mapping[str, Any], actor: Actor
) -> CommuneInfrastructure:
    """Record a commune's infrastructure of one year and refresh its results."""
    problems = [
        Problem(message, Location(field=name))
        for name, value in values.items()
        if (message := infrastructure_value_problem(name, value))
    ]
    if commune.level != UnitLevel.COMMUNE:
        problems.append(
            Problem(
                _("Unit %(code)s is not a commune.") % {"code": commune.code},
                Location(field="commune"),
            )
        )
    _check_year(year, problems)
    if problems:
        raise InvalidInput(problems)
    row = (
        CommuneInfrastructure.objects.select_for_update().filter(commune=commune, year=year).first()
    )
    row = row or CommuneInfrastructure(commune=commune, year=year)
    changed = row.pk is None
    for name, value in infrastructure_normalise(values).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        save_by(row, actor)
        assessments_refresh(units=[commune], year=year, actor=actor)
    return row


@transaction.atomic
def manual_assessment_record(
    *,
    unit: Unit,
    year: int,
    set_code: str,
    criterion_code: str,
    met: bool,
    evidence: str,
    assessor_name: str,
    assessed_on: dt.date,
    actor: Actor,
    evidence_file: UploadedFile | None = None,
) -> ManualAssessment:
    """Record a person's assessment of an assessed criterion, with evidence; refresh results.

    The evidence is a text (a reference, a decision number) and, optionally, a file stored
    through `core.attachments` (checked by content before anything is written).
    """
    problems: list[Problem] = []
    if not (evidence or "").strip():
        problems.append(
            Problem(_("A manual assessment needs its evidence."), Location(field="evidence"))
        )
    if not (assessor_name or "").strip():
        problems.append(Problem(_("This field is required."), Location(field="assessor_name")))
    versions = CriteriaSetVersion.objects.filter(code=set_code, active=True)
    criteria = {c.code: c for v in versions for c in v.as_set().criteria}
    criterion = criteria.get(criterion_code)
    if criterion is None or criterion.kind != Kind.ASSESSED:
        problems.append(
            Problem(
                _("Set %(set)s has no assessed criterion “%(code)s”.")
                % {"set": set_code, "code": criterion_code},
                Location(field="criterion_code"),
            )
        )
    if problems:
        raise InvalidInput(problems)
    stored = None
    if evidence_file is not None:
        stored = attachment_store(
            uploaded_file=evidence_file,
            actor=actor,
            unit_path=unit.path,
            purpose="criteria_evidence",
            field="evidence_file",
        )
    row = ManualAssessment.objects.filter(
        unit=unit, year=year, set_code=set_code, criterion_code=criterion_code
    ).first()
    row = row or ManualAssessment(
        unit=unit, year=year, set_code=set_code, criterion_code=criterion_code
    )
    row.met, row.evidence, row.assessor_name, row.assessed_on = (
        met,
        evidence.strip(),
        assessor_name.strip(),
        assessed_on,
    )
    row.assessor = actor if getattr(actor, "pk", None) else None
    if stored is not None:
        row.evidence_file = stored
    save_by(row, actor)
    assessments_refresh(units=[unit], year=year, actor=actor)
    return row


# --- stored results -------------------------------------------------------------------------


def _stored_rows(
    version: CriteriaSetVersion,
    evaluation: Evaluation,
    table: FactsTable,
    units: Sequence[Unit],
    year: int,
) -> list[Assessment]:
    criteria = evaluation.criteria_set.criteria
    rows = []
    for index, unit in enumerate(units):
        result = evaluation.result(index)
        details = {
            c.code: {"state": State(s).name.lower(), "value": v, "threshold": t}
            for c, s, v, t in zip(
                criteria, result.states, result.values, result.thresholds, strict=True
            )
        }
        inputs: dict[str, Any] = {
            name: _json_number(column[index]) for name, column in table.columns.items()
        }
        inputs["_region"], inputs["_class"] = str(table.regions[index]), str(table.classes[index])
        rows.append(
            Assessment(
                unit=unit,
                year=year,
                set_version=version,
                unit_path=unit.path,
                outcome=result.outcome.code,
                met_count=result.met,
                counted=result.counted,
                failing=result.failing,
                details=details,
                inputs=inputs,
            )
        )
    return rows


def _json_number(value: float) -> float | None:
    return None if value != value else float(value)


_FIELDS = ("outcome", "met_count", "counted", "failing", "details", "inputs", "unit_path")


def assessments_store(
    *,
    version: CriteriaSetVersion,
    units: Sequence[Unit],
    year: int,
    actor: Actor = None,
    history: bool = True,
) -> dict[str, int]:
    """Evaluate `version` over `units` in `year` and store the results that changed.

    `history=False` is for generated data only (the demo), which keeps no history rows.
    """
    evaluation, table = selectors.evaluate_units(
        criteria_set=version.as_set(), units=units, year=year
    )
    fresh = _stored_rows(version, evaluation, table, units, year)
    existing = {
        row.unit_id: row
        for row in Assessment.objects.filter(set_version=version, year=year, unit__in=units)
    }
    create, update = [], []
    for row in fresh:
        old = existing.get(row.unit_id)
        if old is None:
            create.append(row)
        elif any(getattr(old, f) != getattr(row, f) for f in _FIELDS):
            for f in _FIELDS:
                setattr(old, f, getattr(row, f))
            update.append(old)
    if create and history:
        bulk_create_with_history(create, Assessment, batch_size=500, default_user=actor)
    elif create:
        Assessment.objects.bulk_create(create, batch_size=500)
    if update and history:
        bulk_update_with_history(update, Assessment, [*_FIELDS], batch_size=500, default_user=actor)
    elif update:
        Assessment.objects.bulk_update(update, [*_FIELDS], batch_size=500)
    return {
        "created": len(create),
        "updated": len(update),
        "unchanged": len(fresh) - len(create) - len(update),
    }


@transaction.atomic
def assessments_refresh(*, units: Iterable[Unit], year: int, actor: Actor = None) -> dict[str, int]:
    """Recompute the stored results touched by `units` in `year` under every set in force.

    A village's change reaches its commune (the roll-up); a commune's change reaches the
    commune and its villages (villages read their commune's infrastructure).
    """
    units = list(units)
    communes = {u.pk: u for u in units if u.level == UnitLevel.COMMUNE}
    parent_ids = {u.parent_id for u in units if u.level == UnitLevel.VILLAGE}
    communes.update(Unit.objects.in_bulk([i for i in parent_ids if i not in communes]))
    villages = {u.pk: u for u in units if u.level == UnitLevel.VILLAGE}
    for village in Unit.objects.filter(
        parent_id__in=[c for c in communes if c not in parent_ids], level=UnitLevel.VILLAGE
    ):
        villages[village.pk] = village
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for version in selectors.set_versions_in_force(year=year):
        targets = villages if version.level == Level.VILLAGE else communes
        if not targets:
            continue
        ordered = sorted(targets.values(), key=lambda u: u.path)
        for key, value in assessments_store(
            version=version, units=ordered, year=year, actor=actor
        ).items():
            totals[key] += value
    derived.inputs_changed(
        commune_ids=list(communes), years=[year], source=ASSESSMENTS, actor=actor
    )
    return totals


def inputs_changed(
    *, commune_ids: Sequence[int], years: Sequence[int] | None, actor: Actor = None
) -> None:
    """Recompute the stored results of `commune_ids` (and their villages) in `years`.

    The `core.derived` refresher `criteria.assessments`, run at the commit of a write that
    changed what results read (`READS`): the census's official figures, a program's commune
    list (a unit's class), a commune's region (its thresholds), the twinning network (the
    twinning facts). `years` None (a list or a region changed for every year) means the years
    these communes have stored results for: a refresh recomputes what is stored.
    """
    communes = list(Unit.objects.filter(pk__in=commune_ids, level=UnitLevel.COMMUNE))
    if not communes:
        return
    if years is None:
        ids = [c.pk for c in communes]
        years = sorted(
            set(
                Assessment.objects.filter(Q(unit_id__in=ids) | Q(unit__parent_id__in=ids))
                .values_list("year", flat=True)
                .distinct()
            )
        )
    for year in years:
        assessments_refresh(units=communes, year=year, actor=actor)


# The earlier name of the refresher (the census's official figures were all it read).
official_figure_changed = inputs_changed


def assessments_check() -> list[str]:
    """Return every stored result that differs from its inputs evaluated now, one line each
    ("set version, year, unit: the fields that differ"); empty when every result is true."""
    differences: list[str] = []
    keys = Assessment.objects.values_list("set_version_id", "year").distinct().order_by()
    for version_id, year in sorted(set(keys)):
        version = CriteriaSetVersion.objects.get(pk=version_id)
        stored = {
            a.unit_id: a
            for a in Assessment.objects.filter(set_version=version, year=year).select_related(
                "unit"
            )
        }
        units = sorted((a.unit for a in stored.values()), key=lambda u: u.path)
        evaluation, table = selectors.evaluate_units(
            criteria_set=version.as_set(), units=units, year=year
        )
        for row in _stored_rows(version, evaluation, table, units, year):
            old = stored[row.unit_id]
            changed = [f for f in _FIELDS if getattr(old, f) != getattr(row, f)]
            if changed:
                differences.append(
                    f"{version.code}/{version.level}/v{version.version} {year} "
                    f"{row.unit.code}: {', '.join(changed)}"
                )
    return differences
