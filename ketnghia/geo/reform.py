"""The 2025 reform of the unit tree: post-reform provinces and communes, and their successions.

From 1 July 2025 Vietnam has 34 provinces and no districts; communes were merged (Kon Tum
into Quảng Ngãi, its 102 communes into 40). `reform_2025_load` takes the mapping old commune
→ new commune, from the `vietnamadminunits` package (MIT, read at run time from the installed
package, never copied here) or from a file, and in one transaction:

- creates the new province if it is not stored yet, and the new communes directly under it
  (stored code `<national code>-2025`, see `rules.REFORM_2025_SUFFIX`), valid from 1 July 2025;
- closes the old communes, their districts and their province on 30 June 2025 (villages stay
  under their old commune: moving them would rewrite every stored path of households, rounds
  and history, and the figures reach the new communes through the successions anyway);
- records a `Succession` old commune → new commune on 1 July 2025 (share 1 for a merger, the
  parts of a split), and old province → new province.

Two-phase like every import: every problem of the mapping is listed with where it is (file,
row, column; or the package's data file and key), nothing is written if there is one; a
second run changes nothing. The file is a spec of the one import pipeline (`REFORM_FILE`:
`imports.spec.run`, its preview, history rows naming the file, the error workbook); the
package's mapping shares its plan and write.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.gate import Action
from ketnghia.geo import rules
from ketnghia.geo.import_scope import rows_inside, units_outside, unknown_code, upload_unit
from ketnghia.geo.models import URBAN_KINDS, Succession, Unit, UnitLevel
from ketnghia.geo.services import kind_from_name
from ketnghia.imports import ImportReport
from ketnghia.imports.mark import Mark
from ketnghia.imports.readers import ProblemList, Row
from ketnghia.imports.spec import Field, ImportSpec, register, run

REFORM_DATE = rules.REFORM_2025_DATE
LAST_DAY = REFORM_DATE - dt.timedelta(days=1)
PACKAGE = "vietnamadminunits"
_MAPPING_FILE = "data/converter_2025.json"
_UNITS_FILE = "data/dataset.db"
_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class ReformRow:
    """One line of the mapping: (a share of) old commune `old_code` became new commune `new_code`.

    Codes are national codes as the statistics office gives them ("23302"); `share` None means
    "not given" (1 for a merger; a split without shares is divided equally, see `_shares`).
    """

    old_code: str
    new_code: str
    new_name: str
    province_code: str
    province_name: str
    share: Decimal | None
    location: Location
    # The file's row it was read from (its problems name the column); None for the package.
    row: Row | None = field(default=None, compare=False)

    def problem(self, message: str, key: str = "") -> Problem:
        return self.row.problem(key, message) if self.row else Problem(message, self.location)


@dataclass
class ReformReport(ImportReport):
    """What a load did: units and successions created, updated, closed (`created` and
    `updated` count both kinds), the old and new communes, the new provinces."""

    units_created: int = 0
    units_updated: int = 0
    units_closed: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    old_communes: int = 0
    new_communes: int = 0
    provinces: list[str] = field(default_factory=list)
    # The preview's counts by kind of change, named in the user's language (the job page
    # shows them as a records import's changes per field).
    fields: dict[str, int] = field(default_factory=dict)

    def count(self, plan: _Plan) -> None:
        """Count `plan` into the report (the preview)."""
        self.units_created, self.units_updated = len(plan.create), len(plan.update)
        self.units_closed = len(plan.close)
        self.successions_created = len(plan.successions_create)
        self.successions_updated = len(plan.successions_update)
        self.created = self.units_created + self.successions_created
        self.updated = self.units_updated + self.units_closed + self.successions_updated
        self.unchanged = plan.unchanged
        self.old_communes, self.new_communes = plan.old_communes, plan.new_communes
        self.provinces = plan.provinces
        counts = {
            _("units created"): self.units_created,
            _("units changed"): self.units_updated,
            _("units ended on 30/06/2025"): self.units_closed,
            _("successions created"): self.successions_created,
            _("successions changed"): self.successions_updated,
        }
        self.fields = {label: n for label, n in counts.items() if n}


# --- Reading the package ---------------------------------------------------------------------


def package_dir() -> Path:
    """Return the installed `vietnamadminunits` package's folder (without importing it: its
    `__init__` loads every address parser)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InvalidInput(_("The package %(package)s is not installed.") % {"package": PACKAGE})
    return Path(next(iter(spec.submodule_search_locations)))


def package_rows(province_codes: Iterable[str] | None = None) -> list[ReformRow]:
    """Return the package's mapping for the old provinces `province_codes` (all by default).

    `data/converter_2025.json` maps name keys ("tinhkontum_huyendakha_xahamon") to the new
    commune's key, in `DICT_PROVINCE_WARD_NO_DIVIDED` (the old commune went wholly to one new
    commune) or `DICT_PROVINCE_WARD_DIVIDED` (it was split among several, with no shares: one
    is flagged the default); `data/dataset.db` gives the codes and names of both structures
    (tables `admin_units_legacy` and `admin_units`).
    """
    folder = package_dir()
    with open(folder / _MAPPING_FILE, encoding="utf-8") as handle:
        mapping = json.load(handle)
    with sqlite3.connect(f"file:{folder / _UNITS_FILE}?mode=ro", uri=True) as db:
        legacy = {
            f"{pkey}_{dkey}_{wkey}": (pcode, wcode)
            for pkey, dkey, wkey, pcode, wcode in db.execute(
                "SELECT provinceKey, districtKey, wardKey, provinceCode, wardCode"
                " FROM admin_units_legacy WHERE wardCode IS NOT NULL"
            )
        }
        new_units = {
            (pkey, wkey): (pcode, pname, wcode, wname)
            for pkey, pcode, pname, wkey, wcode, wname in db.execute(
                "SELECT provinceKey, provinceCode, province, wardKey, wardCode, ward"
                " FROM admin_units"
            )
        }
    wanted = {code.zfill(2) for code in province_codes} if province_codes else None
    source = f"{PACKAGE}/{_MAPPING_FILE}"
    rows: list[ReformRow] = []

    def add(new_pkey: str, old_key: str, new_wkey: str, share: Decimal | None, where: str) -> None:
        old = legacy.get(old_key)
        if old is None or (wanted is not None and old[0] not in wanted):
            return
        new = new_units.get((new_pkey, new_wkey))
        location = Location(file=source, field=where)
        if new is None:
            rows.append(ReformRow(old[1], "", "", "", "", share, location))
            return
        pcode, pname, wcode, wname = new
        rows.append(ReformRow(old[1], wcode, wname, pcode, pname, share, location))

    for new_pkey, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            for old_key in old_keys:
                add(new_pkey, old_key, new_wkey, None, f"{new_pkey}.{new_wkey}")
    for new_pkey, olds in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            for part in parts:
                add(new_pkey, old_key, part["newWardKey"], None, f"{new_pkey}.{old_key}")
    if wanted is not None:
        missing = sorted(wanted - {code for code, _w in legacy.values()})
        if missing:
            raise InvalidInput(
                _("Unknown province code(s): %(codes)s") % {"codes": ", ".join(missing)}
            )
    return rows


# --- Reading a file ------------------------------------------------------------------------

_OLD = Field(
    "old", "Mã xã cũ", ("Mã đơn vị cũ", "Mã cũ", "old commune code", "old code"), "code", True
)
_NEW = Field(
    "new", "Mã xã mới", ("Mã đơn vị mới", "Mã mới", "new commune code", "new code"), "code", True
)
_NEW_NAME = Field(
    "new_name", "Tên xã mới", ("Tên đơn vị mới", "new commune name", "new name"), required=True
)
_PROVINCE = Field(
    "province",
    "Mã tỉnh mới",
    ("Mã tỉnh", "new province code", "province code"),
    "code",
    True,
)
_PROVINCE_NAME = Field(
    "province_name", "Tên tỉnh mới", ("Tên tỉnh", "new province name", "province name")
)
_SHARE = Field("share", "Tỷ lệ", ("Tỉ lệ", "share"), "fraction", help="0 < tỷ lệ ≤ 1; 60% hoặc 0,6")


def _padded(code: str, width: int) -> str:
    return code.zfill(width) if code.isdigit() else code


# --- Planning --------------------------------------------------------------------------------


def equal_shares(count: int) -> list[Decimal]:
    """Return `count` shares of four decimals adding up to exactly 1 (the first takes the rest)."""
    part = (Decimal(1) / count).quantize(_QUANTUM, rounding=ROUND_DOWN)
    return [Decimal(1) - part * (count - 1)] + [part] * (count - 1)


def _shares(rows: list[ReformRow], problems: ProblemList) -> dict[tuple[str, str], Decimal]:
    """Return the share of each (old, new) pair, checking each old commune passes wholly on.

    A merger (one row) needs no share. For a split, the file's shares must be given on every
    row and add up to 1; when none is given (the package never gives them) the commune is
    divided equally: no data set at hand says which villages or households went where.
    """
    by_old: dict[str, list[ReformRow]] = defaultdict(list)
    for row in rows:
        if row.old_code and row.new_code:
            by_old[row.old_code].append(row)
    shares: dict[tuple[str, str], Decimal] = {}
    for old, group in by_old.items():
        for index, row in enumerate(group):
            if any(other.new_code == row.new_code for other in group[:index]):
                message = _("Commune %(old)s → %(new)s appears twice.")
                problems.add(row.problem(message % {"old": old, "new": row.new_code}, "new"))
        if all(row.share is None for row in group):
            parts = equal_shares(len(group))
        else:
            before = len(problems)
            for row in group:
                if row.share is None:
                    message = _(
                        "Commune %(old)s is split: give the share on every one of its rows."
                    )
                    problems.add(row.problem(message % {"old": old}, "share"))
                elif not 0 < row.share <= 1 or row.share != row.share.quantize(_QUANTUM):
                    message = _("The share must be above 0 and at most 1, with at most 4 decimals.")
                    problems.add(row.problem(message, "share"))
            if len(problems) > before:
                continue
            parts = [row.share for row in group if row.share is not None]
            if (total := sum(parts, Decimal(0))) != 1:
                message = _(
                    "The shares of commune %(old)s add up to %(total)s, not 1: after the "
                    "reform no old commune remains, so all of it must pass on."
                )
                for row in group:
                    problems.add(row.problem(message % {"old": old, "total": total}, "share"))
                continue
        for row, part in zip(group, parts, strict=True):
            shares[(old, row.new_code)] = part
    return shares


@dataclass
class _Plan:
    create: list[Unit] = field(default_factory=list)
    update: list[Unit] = field(default_factory=list)
    close: list[Unit] = field(default_factory=list)
    successions_create: list[Succession] = field(default_factory=list)
    successions_update: list[Succession] = field(default_factory=list)
    unchanged: int = 0
    old_communes: int = 0
    new_communes: int = 0
    provinces: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Whether the plan changes anything."""
        return bool(
            self.create
            or self.update
            or self.close
            or self.successions_create
            or self.successions_update
        )


def _plan(
    rows: list[ReformRow], province_codes: Iterable[str] | None, problems: ProblemList
) -> _Plan:
    plan = _Plan()
    for row in rows:
        for key, code in (
            ("old", row.old_code),
            ("new", row.new_code),
            ("province", row.province_code),
        ):
            if code and (message := rules.code_problem(code)):
                problems.add(row.problem(message, key))
            elif not code and key == "new" and row.location.row is None:
                message = _("The package names a new commune its unit list lacks.")
                problems.add(row.problem(message))
        if row.new_name and kind_from_name(UnitLevel.COMMUNE, row.new_name) == "thi_tran":
            message = _("There are no townships (thị trấn) after the reform: “%(name)s”.")
            problems.add(row.problem(message % {"name": row.new_name}, "new_name"))
    # One new commune, one name and one province, whatever the row.
    new_info: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        if not row.new_code or not row.new_name:
            continue
        info = (row.new_name, row.province_code, row.province_name)
        first = new_info.setdefault(row.new_code, info)
        if first[:2] != info[:2]:
            message = _(
                "New commune %(code)s is given as “%(name)s” in province %(province)s "
                "on another row; one code, one commune."
            )
            args = {"code": row.new_code, "name": first[0], "province": first[1]}
            problems.add(row.problem(message % args, "new_name"))
    shares = _shares(rows, problems)

    old_codes = {row.old_code for row in rows if row.old_code}
    old_units = Unit.objects.in_bulk(list(old_codes), field_name="code")
    for row in rows:
        unit = old_units.get(row.old_code)
        if row.old_code and unit is None:
            hint = _("Load the units before the reform first (ketnghia load-units).")
            problems.add(row.problem(f"{unknown_code(row.old_code)} {hint}", "old"))
        elif unit is not None and (unit.level != UnitLevel.COMMUNE or not unit.parent_id):
            message = _(
                "Unit %(code)s is not a commune under a district (the structure before the reform)."
            )
            problems.add(row.problem(message % {"code": row.old_code}, "old"))
    # Every commune of each old province in force before the reform must go somewhere: after
    # it no old commune remains.
    old_provinces = {unit.ancestor_codes[0] for unit in old_units.values() if unit.ancestor_codes}
    old_provinces |= {code.zfill(2) for code in province_codes or ()}
    old_provinces -= {row.province_code for row in rows}  # a province that goes on is not closed
    plan.provinces = sorted(old_provinces)
    under = Q(pk__in=[])
    for code in plan.provinces:
        under |= Q(path__startswith=f"/{code}/")
    all_old = list(
        Unit.objects.filter(under)
        .filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=LAST_DAY),
            Q(valid_from__isnull=True) | Q(valid_from__lt=REFORM_DATE),
            level__in=[UnitLevel.COMMUNE, UnitLevel.DISTRICT],
        )
        .order_by("path")
    )
    where = rows[0].location.file if rows else ""

    def at(row: ReformRow | None, message: str) -> Problem:
        """A problem at `row`, or at the whole mapping (its file) without one."""
        return row.problem(message) if row else Problem(message, Location(file=where))

    for unit in all_old:
        if unit.level == UnitLevel.COMMUNE and unit.code not in old_codes:
            message = _(
                "Commune %(code)s %(name)s of province %(province)s is not in the "
                "mapping: every old commune must pass to a new one."
            )
            args = {"code": unit.code, "name": unit.name, "province": unit.ancestor_codes[0]}
            problems.add(at(None, message % args))
    closed_provinces = Unit.objects.filter(
        code__in=plan.provinces, level=UnitLevel.PROVINCE
    ).in_bulk(field_name="code")
    for code in plan.provinces:
        if code not in closed_provinces:
            message = _(
                "Province %(code)s is not stored: load it first (ketnghia load-units --province %(code)s)."
            )
            problems.add(at(None, message % {"code": code}))
    if problems:
        return plan

    # The new provinces and communes.
    province_codes_new = sorted({row.province_code for row in rows})
    provinces = Unit.objects.in_bulk(province_codes_new, field_name="code")
    for code in province_codes_new:
        unit = provinces.get(code)
        first = next(r for r in rows if r.province_code == code)
        name = first.province_name
        if unit is None and not name:
            message = _("Province %(code)s is not stored: give its name.") % {"code": code}
            problems.add(first.problem(message, "province"))
        elif unit is None:
            unit = Unit(
                code=code,
                name=name,
                level=UnitLevel.PROVINCE,
                kind=kind_from_name(UnitLevel.PROVINCE, name),
                valid_from=REFORM_DATE,
            )
            unit.set_derived_fields()
            plan.create.append(unit)
            provinces[code] = unit
        elif unit.level != UnitLevel.PROVINCE:
            message = _("Unit %(code)s is not a province.") % {"code": code}
            problems.add(first.problem(message, "province"))
    if problems:
        return plan
    stored_new = Unit.objects.in_bulk(
        [rules.reform_2025_code(code) for code in new_info], field_name="code"
    )
    new_units: dict[str, Unit] = {}
    for code, (name, province_code, _pname) in sorted(new_info.items()):
        kind = kind_from_name(UnitLevel.COMMUNE, name)
        province = provinces[province_code]
        unit = stored_new.get(rules.reform_2025_code(code))
        if unit is None:
            unit = Unit(
                code=rules.reform_2025_code(code),
                name=name,
                level=UnitLevel.COMMUNE,
                kind=kind,
                is_urban=kind in URBAN_KINDS,
                valid_from=REFORM_DATE,
            )
            unit.parent = province  # may be unsaved yet: saved first, then its pk is taken
            plan.create.append(unit)
        elif (unit.name, unit.kind, unit.parent_id, unit.valid_from) != (
            name,
            kind,
            province.pk,
            REFORM_DATE,
        ):
            unit.name, unit.kind, unit.is_urban = name, kind, kind in URBAN_KINDS
            unit.parent, unit.valid_from = province, REFORM_DATE
            unit.set_derived_fields()
            plan.update.append(unit)
        else:
            plan.unchanged += 1
        new_units[code] = unit
    plan.new_communes = len(new_units)
    plan.old_communes = len(old_units)

    # Closing: old communes, their districts, their province.
    closing = [*all_old, *closed_provinces.values()]
    for unit in closing:
        if unit.valid_to is None:
            unit.valid_to = LAST_DAY
            plan.close.append(unit)
        elif unit.valid_to == LAST_DAY:
            plan.unchanged += 1
        else:
            message = _(
                "Unit %(code)s is recorded as valid until %(valid_to)s, but the reform ends it on %(last_day)s."
            )
            args = {
                "code": unit.code,
                "valid_to": unit.valid_to.strftime("%d/%m/%Y"),
                "last_day": LAST_DAY.strftime("%d/%m/%Y"),
            }
            problems.add(at(None, message % args))

    # Successions, checked together with those already stored.
    wanted: dict[tuple[str, str], tuple[Unit, Unit, Decimal, ReformRow | None]] = {}
    for row in rows:
        pair = (row.old_code, row.new_code)
        wanted[pair] = (old_units[row.old_code], new_units[row.new_code], shares[pair], row)
    # The old province passes to the new one when all its communes went to one province.
    targets: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        targets[old_units[row.old_code].ancestor_codes[0]].add(row.province_code)
    for province_code in plan.provinces:
        if len(targets[province_code]) == 1:
            target = provinces[next(iter(targets[province_code]))]
            old_province = closed_provinces[province_code]
            wanted[(province_code, target.code)] = (old_province, target, Decimal(1), None)
    stored = {
        (s.old_unit.code, s.new_unit.code): s
        for s in Succession.objects.select_related("old_unit", "new_unit")
    }
    edges: list[rules.SuccessionEdge] = [
        rules.SuccessionEdge(old.code, new.code, REFORM_DATE, share, index)
        for index, (old, new, share, _row) in enumerate(wanted.values())
    ]
    sources = list(wanted.values())
    stored_keys = {(old.code, new.code) for old, new, _s, _r in wanted.values()}
    edges.extend(
        rules.SuccessionEdge(old, new, s.date, s.share)
        for (old, new), s in stored.items()
        if (old, new) not in stored_keys
    )
    for edge, _key, message in rules.succession_problems(edges):
        row = sources[edge.source][3] if edge.source is not None else None
        problems.add(at(row, message))
    for old, new, share, row in wanted.values():
        existing = stored.get((old.code, new.code))
        note = _("2025 reform")
        if existing is None:
            plan.successions_create.append(
                Succession(old_unit=old, new_unit=new, date=REFORM_DATE, share=share, note=note)
            )
        elif existing.date != REFORM_DATE:
            message = _("Succession %(old)s → %(new)s is already recorded on %(date)s.") % {
                "old": old.code,
                "new": new.code,
                "date": existing.date.strftime("%d/%m/%Y"),
            }
            problems.add(at(row, message))
        elif existing.share != share:
            existing.share = share
            plan.successions_update.append(existing)
        else:
            plan.unchanged += 1
    return plan


def reform_2025_load(
    *,
    rows: list[ReformRow],
    province_codes: Iterable[str] | None = None,
    dry_run: bool = False,
    actor: Actor = None,
) -> ReformReport:
    """Apply the mapping `rows` (see the module docstring); InvalidInput lists every problem."""
    problems = ProblemList()
    report = ReformReport(file=f"{PACKAGE}/{_MAPPING_FILE}", dry_run=dry_run)
    with transaction.atomic():
        plan = _plan(rows, province_codes, problems)
        problems.raise_if_any()
        report.count(plan)
        if not dry_run:
            _write(plan, actor=actor, reason=None)
    return report


def _write(plan: _Plan, *, actor: Actor, reason: str | None) -> None:
    """Write `plan`: the units created one province first, updated, closed, the successions;
    history rows in bulk naming `actor` and `reason`."""
    history = {"batch_size": 2000, "default_user": actor, "default_change_reason": reason}
    provinces = [u for u in plan.create if u.level == UnitLevel.PROVINCE]
    for unit in provinces:
        unit.save()
    communes = [u for u in plan.create if u.level == UnitLevel.COMMUNE]
    for unit in communes:  # the province's path is known now that it is saved
        unit.set_derived_fields()
    if provinces:
        _history_for(provinces, actor, reason)
    if communes:
        bulk_create_with_history(communes, Unit, **history)
    if plan.update:
        bulk_update_with_history(
            plan.update,
            Unit,
            ["name", "kind", "is_urban", "parent", "path", "search_name", "valid_from"],
            **history,
        )
    if plan.close:
        bulk_update_with_history(plan.close, Unit, ["valid_to"], **history)
    created = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in plan.create])}
    for succession in plan.successions_create:
        succession.new_unit = created.get(succession.new_unit.code, succession.new_unit)
    if plan.successions_create:
        bulk_create_with_history(plan.successions_create, Succession, **history)
    if plan.successions_update:
        bulk_update_with_history(plan.successions_update, Succession, ["share"], **history)


def _history_for(units: list[Unit], actor: Actor, reason: str | None) -> None:
    """Give units saved one by one their history row's author and reason (save() wrote it)."""
    if actor is None and reason is None:
        return
    for unit in units:
        unit.history.filter(history_type="+").update(
            history_user=actor, history_change_reason=reason
        )


def reform_2025_load_from_package(
    *, province_codes: Iterable[str] | None = None, dry_run: bool = False, actor: Actor = None
) -> ReformReport:
    """Load the package's mapping for `province_codes` (old provinces; all by default)."""
    codes = list(province_codes) if province_codes else None
    return reform_2025_load(
        rows=package_rows(codes), province_codes=codes, dry_run=dry_run, actor=actor
    )


class ReformFileSpec(ImportSpec[Unit | None, ReformRow, _Plan, ReformReport]):
    """The mapping from a CSV/XLSX file: old commune code, new commune code and name, new
    province code and name, share (a split's part). Every problem of the file — its cells',
    and the mapping's against the stored tree — is listed at once; nothing is written then.

    A web upload is a province administrator's, for the old communes under their unit
    (`import_scope`): the new province and communes may lie outside it."""

    name = "geo.reform_2025"
    fields = (_OLD, _NEW, _NEW_NAME, _PROVINCE, _PROVINCE_NAME, _SHARE)
    plan_with_row_problems = True

    def make_report(self, *, file_name: str, dry_run: bool) -> ReformReport:
        return ReformReport(file=file_name, dry_run=dry_run)

    def context(
        self, *, actor: Any, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> Unit | None:
        return upload_unit(actor=actor, scope=scope, action=Action.ADMINISTER)

    def check_rows(
        self,
        rows: Sequence[Row],
        context: Unit | None,
        problems: ProblemList,
        report: ReformReport,
    ) -> list[ReformRow]:
        found = []
        for row in rows:
            values = {
                spec_field.key: spec_field.parse(row, problems, blank=_("This cell is blank."))
                or ""
                for spec_field in (_OLD, _NEW, _NEW_NAME, _PROVINCE)
            }
            found.append(
                ReformRow(
                    _padded(values["old"], 5),
                    _padded(values["new"], 5),
                    values["new_name"],
                    _padded(values["province"], 2),
                    _PROVINCE_NAME.parse(row, problems) or "",
                    _SHARE.parse(row, problems),
                    row.location(),
                    row,
                )
            )
        return found

    def check_all(self, context: Unit | None, problems: ProblemList, report: ReformReport) -> None:
        if not report.rows:
            raise InvalidInput(Problem(_("The file has no rows."), Location(file=report.file)))

    def plan(
        self,
        items: list[ReformRow],
        context: Unit | None,
        problems: ProblemList,
        report: ReformReport,
    ) -> _Plan:
        if context is not None:
            items = rows_inside(
                items, keys=(("old", "old_code"),), within=context, problems=problems
            )
        plan = _plan(items, None, problems)
        if context is not None and not problems:
            closed = [*plan.close, *(s.old_unit for s in plan.successions_create)]
            closed += [s.old_unit for s in plan.successions_update]
            units_outside(closed, within=context, problems=problems, file_name=report.file)
        report.count(plan)
        return plan

    def write(
        self, plan: _Plan, context: Unit | None, *, actor: Actor, reason: str, report: ReformReport
    ) -> None:
        _write(plan, actor=actor, reason=reason)


REFORM_FILE = register(ReformFileSpec())


def reform_2025_import(
    *, path: str | Path, dry_run: bool = False, actor: Actor = None, name: str | None = None
) -> ReformReport:
    """Load the mapping from a CSV/XLSX file (`ReformFileSpec`), through the one pipeline."""
    return run(REFORM_FILE, path, actor=actor, file_name=name, dry_run=dry_run)
