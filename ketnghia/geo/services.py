"""Writes of administrative units: loading the national list and keeping units consistent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import vietnam_provinces
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.core.errors import InvalidInput
from ketnghia.geo.models import URBAN_KINDS, Unit, UnitKind, UnitLevel

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
_CODE_WIDTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}


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
    rows: list[tuple[str, str, str, Unit | None]], level: str, report: LoadReport, actor: Any
) -> dict[str, Unit]:
    """Create or update one level's units in bulk; return every unit of the rows by code."""
    existing = Unit.objects.in_bulk([code for code, *_ in rows], field_name="code")
    to_create, to_update = [], []
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
    report.created += len(to_create)
    report.updated += len(to_update)
    return existing


@transaction.atomic
def units_load_from_package(
    *, province_codes: list[str] | None = None, actor: Any = None
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
