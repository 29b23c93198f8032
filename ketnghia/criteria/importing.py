"""Commune infrastructure from .xlsx or .csv: a spec of the one import pipeline.

`INFRASTRUCTURE` is an `imports.records.RecordsSpec`: every row is read and checked first
(file, sheet, row and column in every problem, the cells' own and those against stored data
listed together); a file with any problem writes nothing; a clean file has its preview (the
changes per field, samples), the one confirmation rule, and is written in one transaction
with its history rows in bulk; the stored results of the communes and years it touches are
refreshed (`assessments_refresh`, through `core.derived`, once when the import commits).
Importing the same file again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.gate import Action
from ketnghia.core.text import fold
from ketnghia.criteria.models import CommuneInfrastructure, Road
from ketnghia.criteria.services import (
    INFRASTRUCTURE_FIELDS,
    assessments_refresh,
    infrastructure_normalise,
    infrastructure_value_problem,
)
from ketnghia.geo.import_scope import UnitScopedRecordsSpec, unknown_code
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports.readers import ProblemList, Row
from ketnghia.imports.records import RecordChanges, records_import
from ketnghia.imports.spec import Field, register

COMMUNE = Field(
    "commune",
    "Mã xã",
    ("Mã đơn vị", "commune code", "commune"),
    type="code",
    required=True,
    help="Mã xã 5 số, như trong danh mục",
)
YEAR = Field("year", "Năm", ("year",), type="int", required=True)
VALUES = (
    Field(
        "road_to_centre",
        "Đường ô tô đến trung tâm xã",
        ("Đường đến trung tâm xã", "Đường", "road"),
        required=True,
        help="quanh năm, mùa khô hoặc không",
    ),
    Field(
        "electricity_percent",
        "Tỷ lệ hộ dùng điện lưới (%)",
        ("Điện lưới (%)", "Điện", "electricity"),
        type="percent",
    ),
    Field(
        "health_station_standard",
        "Trạm y tế đạt chuẩn",
        ("Trạm y tế", "health station"),
        help="có hoặc không",
    ),
    Field("preschools", "Trường mầm non", ("Mầm non", "preschools"), type="int"),
    Field("primary_schools", "Trường tiểu học", ("Tiểu học", "primary schools"), type="int"),
    Field(
        "lower_secondary_schools",
        "Trường THCS",
        ("Trung học cơ sở", "lower secondary schools"),
        type="int",
    ),
    Field(
        "clean_water_percent",
        "Tỷ lệ hộ dùng nước sạch (%)",
        ("Nước sạch (%)", "Nước sạch", "clean water"),
        type="percent",
    ),
    Field(
        "mobile_coverage_percent",
        "Tỷ lệ thôn có sóng di động (%)",
        ("Sóng di động (%)", "Sóng di động", "mobile coverage"),
        type="percent",
    ),
    Field(
        "cultural_house",
        "Nhà văn hóa xã",
        ("Nhà văn hóa", "cultural house"),
        help="có hoặc không",
    ),
)
# The words a road or yes/no cell may hold (folded) → the value stored.
_WORDS: dict[str, dict[str, Any]] = {
    "road": {
        **dict.fromkeys(("quanh nam", "ca nam", "all season", "all_season"), Road.ALL_SEASON.value),
        **dict.fromkeys(
            ("mua kho", "chi mua kho", "dry season", "dry_season"), Road.DRY_SEASON.value
        ),
        **dict.fromkeys(("khong", "chua co", "none"), Road.NONE.value),
    },
    "flag": {
        **dict.fromkeys(("co", "x", "1", "dat", "yes", "true"), True),
        **dict.fromkeys(("khong", "0", "chua dat", "chua", "no", "false"), False),
    },
}


def _choice(spec_field: Field, row: Row, problems: ProblemList) -> Any:
    """Return a road or yes/no cell's value (None when blank or unknown, the problem located)."""
    text = spec_field.parse(row, problems)
    if not text:
        return None
    kind = INFRASTRUCTURE_FIELDS[spec_field.key]
    value = _WORDS[kind].get(fold(text).strip())
    if value is None:
        message = (
            _("Use “quanh năm”, “mùa khô” or “không”; found “%(value)s”.")
            if kind == "road"
            else _("Use “có” or “không”; found “%(value)s”.")
        )
        problems.add(row.problem(spec_field.key, message % {"value": text}))
    return value


@dataclass
class _Infrastructure:
    row: Row
    code: str
    year: int | None
    values: dict[str, Any] = field(default_factory=dict)


class InfrastructureSpec(UnitScopedRecordsSpec):
    """Commune infrastructure: commune code, year, the indicators (`INFRASTRUCTURE_FIELDS`).

    An optional column the file lacks keeps the stored values. Refused, with every problem
    listed and nothing written: an unknown code or one that is not a commune's, a year
    outside 1990–2100, a value the indicator does not take, a commune and year twice.
    """

    name = "criteria.infrastructure"
    fields = (COMMUNE, YEAR, *VALUES)
    model = CommuneInfrastructure
    update_fields = tuple(INFRASTRUCTURE_FIELDS)
    # A web upload is for the communes under the uploader's unit they may edit.
    action = Action.EDIT
    scope_keys = (("commune", "code"),)

    def check_row(self, row: Row, problems: ProblemList) -> _Infrastructure:
        required = _("This field is required.")
        code = COMMUNE.parse(row, problems, blank=required) or ""
        year = YEAR.parse(row, problems, blank=required)
        if year is not None and not 1990 <= year <= 2100:
            message = _("This number must be between %(minimum)s and %(maximum)s.")
            problems.add(row.problem("year", message % {"minimum": 1990, "maximum": 2100}))
            year = None
        values: dict[str, Any] = {}
        for spec_field in VALUES:
            key = spec_field.key
            if key not in row.headers:  # an optional column the file lacks keeps stored values
                continue
            before = len(problems)
            if INFRASTRUCTURE_FIELDS[key] in _WORDS:
                values[key] = _choice(spec_field, row, problems)
            else:
                values[key] = spec_field.parse(row, problems)
            message = infrastructure_value_problem(key, values[key])
            if len(problems) == before and message is not None:
                problems.add(row.problem(key, message))
        return _Infrastructure(row, code, year, values)

    def changes(self, items: list[_Infrastructure], problems: ProblemList) -> RecordChanges:
        communes = Unit.objects.in_bulk(
            {item.code for item in items if item.code}, field_name="code"
        )
        seen: dict[tuple[str, int], Row] = {}
        for item in items:
            row, code, year = item.row, item.code, item.year
            unit = communes.get(code)
            if code and unit is None:
                problems.add(row.problem("commune", unknown_code(code)))
            elif unit is not None and unit.level != UnitLevel.COMMUNE:
                message = _("Unit %(code)s is not a commune.")
                problems.add(row.problem("commune", message % {"code": code}))
            if code and year is not None:
                first = seen.setdefault((code, year), row)
                if first is not row:
                    message = _("Commune %(code)s, year %(year)s is also on row %(row)s.")
                    args = {"code": code, "year": year, "row": first.number}
                    problems.add(row.problem("year", message % args))
        if problems:
            return RecordChanges()
        stored = {
            (record.commune_id, record.year): record
            for record in CommuneInfrastructure.objects.select_related("commune").filter(
                commune__in=communes.values(), year__in={item.year for item in items}
            )
        }
        changes = RecordChanges(stored=len(stored))
        for item in items:
            unit = communes[item.code]
            changes.add(
                stored.get((unit.pk, item.year)),
                CommuneInfrastructure,
                infrastructure_normalise(item.values),
                commune=unit,
                year=item.year,
                unit_path=unit.path,
            )
        return changes

    def written(self, plan: RecordChanges, *, actor: Actor) -> None:
        touched: dict[int, list[Unit]] = defaultdict(list)
        for record in (*plan.create, *plan.update):
            touched[record.year].append(record.commune)
        # Each year's results stored now; what is derived from them is refreshed once, when
        # the import's transaction commits (`core.derived` gathers the years).
        for year, units in sorted(touched.items()):
            assessments_refresh(units=units, year=year, actor=actor)


INFRASTRUCTURE = register(InfrastructureSpec())


# Commune infrastructure rows (commune code, year, indicators); see the module.
infrastructure_import = partial(records_import, INFRASTRUCTURE)
