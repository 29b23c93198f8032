"""Writes of administrative units: loading the national list and keeping units consistent.

File imports (villages, classifications, successions) are import specs in `ketnghia.geo.importers`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import vietnam_provinces
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.accounts.models import Actor
from ketnghia.core import derived, unit_paths
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.core.scoping import administer_problems, check_administers
from ketnghia.geo import rules
from ketnghia.geo.models import (
    KINDS_BY_LEVEL,
    URBAN_KINDS,
    ClassificationScheme,
    Unit,
    UnitClassification,
    UnitKind,
    UnitLevel,
)

# Name prefixes of the national list, longest first so "Thành phố" wins over shorter ones.
_KIND_PREFIXES: dict[str, list[tuple[str, str]]] = {
    UnitLevel.PROVINCE: [("Thành phố", UnitKind.THANH_PHO_TRUNG_UONG), ("Tỉnh", UnitKind.TINH)],
    UnitLevel.DISTRICT: [
        ("Thành phố", UnitKind.THANH_PHO),
        ("Thị xã", UnitKind.THI_XA),
        ("Quận", UnitKind.QUAN),
        ("Huyện", UnitKind.HUYEN),
    ],
    UnitLevel.COMMUNE: [
        ("Thị trấn", UnitKind.THI_TRAN),
        ("Phường", UnitKind.PHUONG),
        ("Xã", UnitKind.XA),
    ],
}
# What `core.derived` is told when units move (`UNITS`) or a commune's region changes.
UNITS = "geo.units"
REGIONS = "geo.regions"

_CODE_WIDTH: dict[str, int] = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}


def kind_from_name(level: str, name: str) -> str:
    """Return the unit kind a national-list name announces ("Thị trấn Đắk Hà" → thi_tran)."""
    for prefix, kind in _KIND_PREFIXES[level]:
        if name.startswith(prefix + " "):
            return kind
    # The national list names every unit with its kind; a bare name is the level's usual kind.
    return _KIND_PREFIXES[level][-1][1]


def national_code(level: str, number: int) -> str:
    """Return the statistics office's code as text, zero-padded (1 → "01", 1 → "00001")."""
    return str(number).zfill(_CODE_WIDTH[level])


def paths_rewrite_below(moved: list[tuple[str, Unit]], *, actor: Actor) -> None:
    """After a bulk update re-parented units (old path, unit), bring every path below in step.

    The units themselves are already saved with their new path and history; what lies below
    them (units, households, census rounds, …) is rewritten set-based, parents first.
    """
    for old_path, unit in sorted(moved, key=lambda item: len(item[0])):
        if old_path and old_path != unit.path:
            unit_paths.rewrite_prefix(
                old_prefix=old_path, new_prefix=unit.path, actor=actor, skip=unit
            )


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    provinces: list[str] = field(default_factory=list)


def _package_provinces() -> list[dict[str, Any]]:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def _upsert_level(
    rows: Sequence[tuple[str, str, str, Unit | None]], level: str, report: LoadReport, actor: Actor
) -> dict[str, Unit]:
    """Create or update one level's units in bulk; return every unit of the rows by code."""
    existing = Unit.objects.in_bulk([code for code, *_ in rows], field_name="code")
    to_create, to_update = [], []
    moved: list[tuple[str, Unit]] = []
    for code, name, kind, parent in rows:
        unit = existing.get(code)
        if unit is None:
            unit = Unit(
                code=code,
                name=name,
                level=level,
                kind=kind,
                is_urban=kind in URBAN_KINDS,
                parent=parent,
            )
            unit.set_derived_fields()
            to_create.append(unit)
            existing[code] = unit
        elif (unit.name, unit.kind, unit.parent_id) != (name, kind, parent.pk if parent else None):
            moved.append((unit.path, unit))
            unit.name, unit.kind, unit.parent = name, kind, parent
            unit.set_derived_fields()
            to_update.append(unit)
        else:
            report.unchanged += 1
    if to_create:
        created = bulk_create_with_history(to_create, Unit, batch_size=2000, default_user=actor)
        for unit in created:
            existing[unit.code] = unit
        if any(unit.pk is None for unit in created):
            existing.update(Unit.objects.in_bulk([u.code for u in to_create], field_name="code"))
    if to_update:
        bulk_update_with_history(
            to_update,
            Unit,
            ["name", "kind", "parent", "path", "search_name"],
            batch_size=2000,
            default_user=actor,
        )
        paths_rewrite_below(moved, actor=actor)
    report.created += len(to_create)
    report.updated += len(to_update)
    return existing


@transaction.atomic
def units_load_from_package(
    *, province_codes: list[str] | None = None, actor: Actor = None
) -> LoadReport:
    """Load provinces, districts and communes from `vietnam-provinces` (pre-2025 structure).

    Idempotent: a second run changes nothing. `province_codes` limits the load ("62" for
    Kon Tum); None loads the whole country. Villages are not in the national list.
    """
    report = LoadReport()
    wanted = {code.zfill(2) for code in province_codes} if province_codes else None
    for province in _package_provinces():
        code = national_code(UnitLevel.PROVINCE, province["code"])
        if wanted is not None and code not in wanted:
            continue
        report.provinces.append(code)
        name = province["name"]
        (province_unit,) = _upsert_level(
            [(code, name, kind_from_name(UnitLevel.PROVINCE, name), None)],
            UnitLevel.PROVINCE,
            report,
            actor,
        ).values()
        district_rows = [
            (
                national_code(UnitLevel.DISTRICT, d["code"]),
                d["name"],
                kind_from_name(UnitLevel.DISTRICT, d["name"]),
                province_unit,
            )
            for d in province["districts"]
        ]
        districts = _upsert_level(district_rows, UnitLevel.DISTRICT, report, actor)
        commune_rows = [
            (
                national_code(UnitLevel.COMMUNE, w["code"]),
                w["name"],
                kind_from_name(UnitLevel.COMMUNE, w["name"]),
                districts[national_code(UnitLevel.DISTRICT, d["code"])],
            )
            for d in province["districts"]
            for w in d["wards"]
        ]
        _upsert_level(commune_rows, UnitLevel.COMMUNE, report, actor)
    if wanted is not None and len(report.provinces) != len(wanted):
        missing = sorted(wanted - set(report.provinces))
        raise InvalidInput(_("Unknown province code(s): %(codes)s") % {"codes": ", ".join(missing)})
    return report


# --- One unit at a time ------------------------------------------------------------------


def _unit_by_code(code: str, *, field_name: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(
            Problem(_("Unknown unit code “%(code)s”.") % {"code": code}, Location(field=field_name))
        )
    return unit


def _resolve(value: Unit | str, *, field_name: str) -> Unit:
    """Return the unit given as an object or a code; InvalidInput for an unknown code."""
    return value if isinstance(value, Unit) else _unit_by_code(str(value), field_name=field_name)


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    level: str,
    kind: str,
    parent: Unit | str | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    actor: Actor,
) -> Unit:
    """Create one unit after checking its code, kind, parent level and validity dates.

    Every problem is listed at once. A commune may sit under a district (before the 2025
    reform) or directly under a province (after it).
    """
    problems: list[Problem] = []
    code = (code or "").strip()
    name = " ".join((name or "").split())
    if message := rules.code_problem(code):
        problems.append(Problem(message, Location(field="code")))
    elif Unit.objects.filter(code=code).exists():
        problems.append(
            Problem(
                _("A unit with code “%(code)s” already exists.") % {"code": code},
                Location(field="code"),
            )
        )
    if not name:
        problems.append(Problem(_("The name is blank."), Location(field="name")))
    if level not in UnitLevel.values:
        problems.append(
            Problem(
                _("Unknown unit level “%(level)s”.") % {"level": level}, Location(field="level")
            )
        )
    elif kind not in KINDS_BY_LEVEL[level]:
        problems.append(
            Problem(
                _("Kind “%(kind)s” does not fit a %(level)s.")
                % {"kind": kind, "level": rules.level_name(level)},
                Location(field="kind"),
            )
        )
    parent_unit: Unit | None = None
    if parent is not None:
        try:
            parent_unit = _resolve(parent, field_name="parent")
        except InvalidInput as error:
            problems.extend(error.problems)
    if level in UnitLevel.values and (parent is None or parent_unit is not None):
        message = rules.parent_problem(level, parent_unit.level if parent_unit else None)
        if message:
            problems.append(Problem(message, Location(field="parent")))
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(Problem(_("The unit ends before it begins."), Location(field="valid_to")))
    if parent_unit is not None:
        problems += administer_problems(actor=actor, paths=[("parent", parent_unit.path)])
    if problems:
        raise InvalidInput(problems)
    unit = Unit(
        code=code,
        name=name,
        level=level,
        kind=kind,
        is_urban=kind in URBAN_KINDS,
        parent=parent_unit,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    save_by(unit, actor)
    return unit


def unit_move_problems(*, unit: Unit, parent: Unit | None) -> list[Problem]:
    """Return why `unit` cannot sit under `parent`: a cycle of parents, or the wrong level."""
    if parent is not None and rules.is_within(parent.path, unit.path):
        return [
            Problem(
                _("Unit %(unit)s cannot be moved under %(parent)s: that unit lies inside it.")
                % {"unit": unit.code, "parent": parent.code},
                Location(field="parent"),
            )
        ]
    if message := rules.parent_problem(unit.level, parent.level if parent else None):
        return [Problem(message, Location(field="parent"))]
    if (
        unit.level == UnitLevel.VILLAGE
        and parent is not None
        and unit.parent_id != parent.pk
        and (held := unit_paths.rows_below(unit.path, skip=unit))
    ):
        # Households, census rounds and assignments name their commune as well as their
        # path: rewriting the paths alone would leave the commune-based figures with the
        # old commune, so a village holding anything stays where it is.
        return [
            Problem(
                _(
                    "Village %(unit)s cannot be moved to another commune: %(count)s records "
                    "(households, census rounds, assignments, …) lie under it and name its "
                    "commune. Record the change as a new village with a succession."
                )
                % {"unit": unit.code, "count": sum(held.values())},
                Location(field="parent"),
            )
        ]
    return []


def _unit_paths(unit: Unit) -> list[tuple[str, str | None]]:
    """The paths a write of `unit` touches: its parent's (its own for a province)."""
    if unit.parent is None:
        return [("parent", f"/{unit.code}/")]
    return [("parent", unit.parent.path)]


@transaction.atomic
def unit_move(*, unit: Unit | str, new_parent: Unit | str, actor: Actor) -> Unit:
    """Put `unit` under `new_parent` and rewrite every stored path of its subtree.

    The paths of the units below it and of every row that stores a unit path
    (`core.unit_paths.STORED_UNIT_PATHS`: households, census rounds, …) change in this
    transaction, one UPDATE per column. Refused: a parent of the wrong level, a parent inside
    the unit's own subtree (a cycle of parents), a unit or parent outside what the acting user
    administers.
    """
    unit = _resolve(unit, field_name="unit")
    parent = _resolve(new_parent, field_name="parent")
    # Lock the unit so two moves of one subtree cannot interleave with the path rewrite.
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    parent = Unit.objects.get(pk=parent.pk)
    check_administers(actor=actor, paths=[("unit", unit.path), ("parent", parent.path)])
    if problems := unit_move_problems(unit=unit, parent=parent):
        raise InvalidInput(problems)
    if unit.parent_id == parent.pk:
        return unit
    old_prefix = unit.path
    old_parent = unit.parent
    unit.parent = parent
    save_by(unit, actor)
    unit_paths.rewrite_prefix(old_prefix=old_prefix, new_prefix=unit.path, actor=actor, skip=unit)
    _moved_figures(unit, old_parent)
    return unit


def _moved_figures(unit: Unit, old_parent: Unit | None) -> None:
    """Report the communes whose figures (or whose district's and province's) the move changed.

    A village counts in its commune's figures: both communes change. A commune or a district
    counts in the units above it: the communes under it and those left under its old parent
    (their district and province rows are added up again).
    """
    if unit.level == UnitLevel.VILLAGE:
        communes = [unit.parent_id, old_parent.pk if old_parent else None]
    else:
        prefixes = [unit.path] + ([old_parent.path] if old_parent is not None else [])
        communes = list(
            Unit.objects.filter(level=UnitLevel.COMMUNE)
            .filter(_under_any(prefixes))
            .values_list("id", flat=True)
        )
    derived.inputs_changed(commune_ids=[c for c in communes if c], source=UNITS)


def _under_any(prefixes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(path__startswith=prefix)
    return condition


def unit_write_problems(*, unit: Unit, actor: Actor) -> list[Problem]:
    """Return why `unit`, edited as a whole, cannot be saved by `actor` (empty when it can).

    The code of a unit never changes (a new code is a new unit, with a succession); a new
    parent must fit the level and not lie inside the unit; the unit must lie inside what the
    acting user administers, before and after the change.
    """
    stored = Unit.objects.filter(pk=unit.pk).first() if unit.pk else None
    problems = administer_problems(actor=actor, paths=_unit_paths(unit))
    if stored is None:
        if message := rules.parent_problem(unit.level, unit.parent.level if unit.parent else None):
            problems.append(Problem(message, Location(field="parent")))
        return problems
    problems += administer_problems(actor=actor, paths=[("parent", stored.path)])
    if stored.code != unit.code:
        problems.append(
            Problem(
                _(
                    "The code of a unit does not change: create the new unit and record a succession."
                ),
                Location(field="code"),
            )
        )
    if stored.parent_id != unit.parent_id:
        problems += unit_move_problems(unit=stored, parent=unit.parent)
    elif stored.level != unit.level and (
        message := rules.parent_problem(unit.level, unit.parent.level if unit.parent else None)
    ):
        problems.append(Problem(message, Location(field="level")))
    return problems


@transaction.atomic
def unit_save(*, unit: Unit, actor: Actor) -> Unit:
    """Save a unit edited as a whole (the admin's form); a new parent goes through `unit_move`."""
    stored = Unit.objects.select_for_update().filter(pk=unit.pk).first() if unit.pk else None
    if problems := unit_write_problems(unit=unit, actor=actor):
        raise InvalidInput(problems)
    new_parent = unit.parent
    moved = stored is not None and stored.parent_id != unit.parent_id
    if stored is not None and moved:
        unit.parent = stored.parent
    save_by(unit, actor)
    if moved and new_parent is not None:
        unit_move(unit=unit, new_parent=new_parent, actor=actor)
        unit.refresh_from_db()
    return unit


@transaction.atomic
def unit_classify(
    *,
    unit: Unit | str,
    scheme: str,
    value: str,
    start_year: int,
    end_year: int,
    legal_basis: str = "",
    actor: Actor,
) -> UnitClassification:
    """Record `unit`'s class in `scheme` for a period (region I/II/III, especially difficult village).

    The same period again updates its value and legal basis; a different period that overlaps
    one already recorded for the unit and scheme is refused.
    """
    unit = _resolve(unit, field_name="unit")
    problems: list[Problem] = []
    if scheme not in ClassificationScheme.values:
        problems.append(
            Problem(
                _("Unknown classification scheme “%(scheme)s”.") % {"scheme": scheme},
                Location(field="scheme"),
            )
        )
    else:
        if message := rules.classification_level_problem(scheme, unit.level):
            problems.append(Problem(message, Location(field="unit")))
        try:
            value = rules.classification_value(scheme, value)
        except ValueError as error:
            problems.append(Problem(str(error), Location(field="value")))
    if message := rules.period_problem(start_year, end_year):
        problems.append(Problem(message, Location(field="start_year")))
    if problems:
        raise InvalidInput(problems)
    existing = list(UnitClassification.objects.select_for_update().filter(unit=unit, scheme=scheme))
    same = next((c for c in existing if (c.start_year, c.end_year) == (start_year, end_year)), None)
    for other in existing:
        if other is not same and rules.periods_overlap(
            (other.start_year, other.end_year), (start_year, end_year)
        ):
            raise InvalidInput(
                Problem(
                    _(
                        "Unit %(code)s is already classified for %(start)s–%(end)s, which "
                        "overlaps %(new_start)s–%(new_end)s."
                    )
                    % {
                        "code": unit.code,
                        "start": other.start_year,
                        "end": other.end_year,
                        "new_start": start_year,
                        "new_end": end_year,
                    },
                    Location(field="start_year"),
                )
            )
    legal_basis = " ".join((legal_basis or "").split())
    if same is not None:
        if (same.value, same.legal_basis) != (value, legal_basis):
            same.value, same.legal_basis = value, legal_basis
            save_by(same, actor)
            _region_changed(same)
        return same
    classification = UnitClassification(
        unit=unit,
        scheme=scheme,
        value=value,
        start_year=start_year,
        end_year=end_year,
        legal_basis=legal_basis,
    )
    save_by(classification, actor)
    _region_changed(classification)
    return classification


def _region_changed(classification: UnitClassification) -> None:
    regions_changed(classifications=[classification])


def regions_changed(*, classifications: Iterable[UnitClassification], actor: Actor = None) -> None:
    """A commune's region groups the indicators' figures: report the communes whose region
    classifications were written or deleted, so their figures are refreshed at commit."""
    derived.inputs_changed(
        commune_ids={
            c.unit_id for c in classifications if c.scheme == ClassificationScheme.COMMUNE_REGION
        },
        source=REGIONS,
        actor=actor,
    )
