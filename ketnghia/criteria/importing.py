"""Import commune infrastructure from .xlsx or .csv: two-phase, all-or-nothing.

Every row is read and checked first (file, sheet, row and column in every problem); a file
with any problem writes nothing; a clean file is written in one transaction with history,
and the stored results of the communes and years it touches are refreshed. Importing the
same file again changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.accounts.models import Actor
from ketnghia.core.text import fold
from ketnghia.criteria.models import CommuneInfrastructure, Road
from ketnghia.criteria.services import (
    INFRASTRUCTURE_FIELDS,
    assessments_refresh,
    infrastructure_normalise,
    infrastructure_value_problem,
)
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports import ImportReport
from ketnghia.imports.readers import (
    CellError,
    Column,
    ProblemList,
    cell_code,
    cell_int,
    cell_percent,
    cell_text,
    open_table,
)

INFRASTRUCTURE_COLUMNS = (
    Column("commune", ("Mã xã", "Mã đơn vị", "commune code", "commune")),
    Column("year", ("Năm", "year")),
    Column(
        "road_to_centre", ("Đường ô tô đến trung tâm xã", "Đường đến trung tâm xã", "Đường", "road")
    ),
    Column(
        "electricity_percent",
        ("Tỷ lệ hộ dùng điện lưới (%)", "Điện lưới (%)", "Điện", "electricity"),
        required=False,
        percent=True,
    ),
    Column(
        "health_station_standard",
        ("Trạm y tế đạt chuẩn", "Trạm y tế", "health station"),
        required=False,
    ),
    Column("preschools", ("Trường mầm non", "Mầm non", "preschools"), required=False),
    Column("primary_schools", ("Trường tiểu học", "Tiểu học", "primary schools"), required=False),
    Column(
        "lower_secondary_schools",
        ("Trường THCS", "Trung học cơ sở", "lower secondary schools"),
        required=False,
    ),
    Column(
        "clean_water_percent",
        ("Tỷ lệ hộ dùng nước sạch (%)", "Nước sạch (%)", "Nước sạch", "clean water"),
        required=False,
        percent=True,
    ),
    Column(
        "mobile_coverage_percent",
        ("Tỷ lệ thôn có sóng di động (%)", "Sóng di động (%)", "Sóng di động", "mobile coverage"),
        required=False,
        percent=True,
    ),
    Column("cultural_house", ("Nhà văn hóa xã", "Nhà văn hóa", "cultural house"), required=False),
)
_ROADS = {
    "quanh nam": Road.ALL_SEASON,
    "ca nam": Road.ALL_SEASON,
    "all season": Road.ALL_SEASON,
    "all_season": Road.ALL_SEASON,
    "mua kho": Road.DRY_SEASON,
    "chi mua kho": Road.DRY_SEASON,
    "dry season": Road.DRY_SEASON,
    "dry_season": Road.DRY_SEASON,
    "khong": Road.NONE,
    "chua co": Road.NONE,
    "none": Road.NONE,
}
_YES = {"co", "x", "1", "dat", "yes", "true"}
_NO = {"khong", "0", "chua dat", "chua", "no", "false"}


def _cell(key: str, value: Any) -> Any:
    kind = INFRASTRUCTURE_FIELDS[key]
    text = cell_text(value)
    if not text:
        return None
    if kind == "road":
        road = _ROADS.get(fold(text).strip())
        if road is None:
            raise CellError(
                _("Use “quanh năm”, “mùa khô” or “không”; found “%(value)s”.") % {"value": text}
            )
        return road.value
    if kind == "flag":
        folded = fold(text).strip()
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise CellError(_("Use “có” or “không”; found “%(value)s”.") % {"value": text})
    if kind == "count":
        return cell_int(value)
    # 97 % typed in a percent-formatted cell is stored 0.97: read as the percent it shows.
    return cell_percent(value)


def infrastructure_import(
    *, path: str | Path, dry_run: bool = False, actor: Actor, name: str | None = None
) -> ImportReport:
    """Import commune infrastructure rows (commune code, year, indicators); see the module."""
    problems = ProblemList()
    table = open_table(Path(path), INFRASTRUCTURE_COLUMNS, name=name)
    parsed: list[tuple[Any, str, int | None, dict[str, Any]]] = []
    for row in table.rows():
        code = cell_code(row.get("commune"))
        if not code:
            problems.add(row.problem("commune", _("This field is required.")))
        year = None
        try:
            year = cell_int(row.get("year"))
            if not 1990 <= year <= 2100:
                problems.add(
                    row.problem(
                        "year",
                        _("This number must be between %(minimum)s and %(maximum)s.")
                        % {"minimum": 1990, "maximum": 2100},
                    )
                )
                year = None
        except CellError as error:
            problems.add(row.problem("year", str(error)))
        values: dict[str, Any] = {}
        for key in INFRASTRUCTURE_FIELDS:
            if key not in row.headers:  # an optional column the file lacks keeps stored values
                continue
            try:
                values[key] = _cell(key, row.get(key))
            except CellError as error:
                problems.add(row.problem(key, str(error)))
                continue
            if (message := infrastructure_value_problem(key, values[key])) is not None:
                problems.add(row.problem(key, message))
        parsed.append((row, code, year, values))
        if problems.full:
            break
    report = ImportReport(
        file=table.name, rows=len(parsed), dry_run=dry_run, warnings=table.warnings.items
    )
    communes = Unit.objects.in_bulk(
        {code for _row, code, _y, _v in parsed if code}, field_name="code"
    )
    seen: dict[tuple[str, int], int] = {}
    for row, code, year, _values in parsed:
        unit = communes.get(code)
        if code and unit is None:
            problems.add(
                row.problem("commune", _("Unknown unit code “%(code)s”.") % {"code": code})
            )
        elif unit is not None and unit.level != UnitLevel.COMMUNE:
            problems.add(
                row.problem("commune", _("Unit %(code)s is not a commune.") % {"code": code})
            )
        if code and year is not None:
            if (code, year) in seen:
                problems.add(
                    row.problem(
                        "year",
                        _("Commune %(code)s, year %(year)s is also on row %(row)s.")
                        % {"code": code, "year": year, "row": seen[(code, year)]},
                    )
                )
            seen.setdefault((code, year), row.number)
    with transaction.atomic():
        problems.raise_if_any()
        existing = {
            (row.commune_id, row.year): row
            for row in CommuneInfrastructure.objects.filter(
                commune__in=communes.values(), year__in={y for _r, _c, y, _v in parsed}
            )
        }
        create, update, touched = [], [], {}
        for _row, code, year, values in parsed:
            unit = communes[code]
            assert year is not None
            normal = infrastructure_normalise(values)
            current = existing.get((unit.pk, year))
            if current is None:
                create.append(
                    CommuneInfrastructure(commune=unit, year=year, unit_path=unit.path, **normal)
                )
                touched.setdefault(year, []).append(unit)
            elif any(_differs(getattr(current, k), v) for k, v in normal.items()):
                for k, v in normal.items():
                    setattr(current, k, v)
                update.append(current)
                touched.setdefault(year, []).append(unit)
        report.created, report.updated = len(create), len(update)
        report.unchanged = len(parsed) - len(create) - len(update)
        if dry_run:
            return report
        if create:
            bulk_create_with_history(
                create, CommuneInfrastructure, batch_size=500, default_user=actor
            )
        if update:
            bulk_update_with_history(
                update,
                CommuneInfrastructure,
                list(INFRASTRUCTURE_FIELDS),
                batch_size=500,
                default_user=actor,
            )
        for year, units in touched.items():
            assessments_refresh(units=units, year=year, actor=actor)
    return report


def _differs(stored: Any, new: Any) -> bool:
    if stored is None or new is None:
        return stored is not new
    if isinstance(new, Decimal):
        return Decimal(stored) != new
    return stored != new
