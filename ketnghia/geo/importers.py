"""File imports of the unit tree — villages, classifications, successions — as specs of
the one import pipeline (`imports.spec`: read in chunks, every problem located, a plan and its
preview, the one confirmation rule, the write with its history rows in bulk).

`run(VILLAGES, path, actor=…)` (or `villages_import(path=…)`) reads and checks every row
without writing, lists every problem with its file, sheet, row and column, and only when
there is none writes everything in one transaction. A file imported twice changes nothing
the second time. The commands `load-villages`, `load-classifications` and `load-successions`
run them (`--dry-run`, `--confirm`, `--errors-out`). A web upload is a province
administrator's, for the units under theirs (`UnitScopedRecordsSpec`'s default action).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import unit_paths
from ketnghia.core.text import fold, format_number
from ketnghia.geo import rules
from ketnghia.geo.import_scope import UnitScopedRecordsSpec, units_by_code, unknown_code
from ketnghia.geo.models import URBAN_KINDS, Succession, Unit, UnitClassification, UnitLevel
from ketnghia.geo.services import regions_changed
from ketnghia.imports.readers import ProblemList, Row, cell_text
from ketnghia.imports.records import RecordChanges, records_import
from ketnghia.imports.spec import Field, register

# --- Villages ------------------------------------------------------------------------------

V_COMMUNE = Field(
    "commune",
    "Mã xã",
    (
        "Mã đơn vị hành chính xã",
        "Mã ĐVHC xã",
        "Mã xã, phường, thị trấn",
        "commune code",
        "commune",
    ),
    type="code",
    required=True,
)
V_NAME = Field(
    "name",
    "Tên thôn",
    ("Tên thôn, làng", "Tên thôn/làng", "Tên thôn, tổ dân phố", "village name", "name"),
    required=True,
)
V_CODE = Field("code", "Mã thôn", ("Mã thôn, làng", "village code", "code"), type="code")
V_KIND = Field("kind", "Loại", ("Loại thôn", "kind"))


@dataclass
class _Village:
    row: Row
    commune_code: str
    name: str
    code: str
    kind: str
    kind_given: bool
    commune: Unit | None = None


class VillageSpec(UnitScopedRecordsSpec):
    """Villages: commune code, name, optional code and kind.

    A row without a code matches the commune's village of the same name, or gets the next
    free code "<commune code>-NN". Refused, with every problem listed and nothing written:
    an unknown commune code, a code that is not a commune's, a blank name, a village code
    used twice or already used by a unit that is not a village, and a stored village listed
    under another commune (the file names and renames villages; it never moves one).
    """

    name = "geo.villages"
    fields = (V_COMMUNE, V_NAME, V_CODE, V_KIND)
    scope_keys = (("commune", "commune_code"), ("code", "code"))
    model = Unit
    update_fields = ("name", "kind")
    derived_fields = ("is_urban", "search_name")

    def check_row(self, row: Row, problems: ProblemList) -> _Village:
        commune_code = V_COMMUNE.parse(row, problems, blank=_("The code is blank.")) or ""
        village_name = " ".join((V_NAME.parse(row, problems) or "").split())
        if not village_name:
            problems.add(row.problem("name", _("The village name is blank.")))
        code = V_CODE.parse(row, problems) or ""
        if code and (message := rules.code_problem(code)):
            problems.add(row.problem("code", message))
        kind_text = V_KIND.parse(row, problems) or ""
        kind = rules.village_kind_from_text(kind_text) if kind_text else None
        if kind_text and kind is None:
            message = _("Unknown village kind “%(kind)s”: use thôn, làng, bản or tổ dân phố.")
            problems.add(row.problem("kind", message % {"kind": kind_text}))
        return _Village(
            row=row,
            commune_code=commune_code,
            name=village_name,
            code=code,
            kind=kind or rules.village_kind_from_name(village_name),
            kind_given=kind is not None,
        )

    def changes(self, villages: list[_Village], problems: ProblemList) -> RecordChanges:
        """Check villages against the database: the units to create and to update."""
        communes = units_by_code({v.commune_code for v in villages}, width=5)
        for village in villages:
            if not village.commune_code:
                continue
            commune = communes.get(village.commune_code)
            if commune is None:
                problems.add(village.row.problem("commune", unknown_code(village.commune_code)))
            elif commune.level != UnitLevel.COMMUNE:
                message = _("Unit %(code)s (%(name)s) is a %(level)s; villages belong to communes.")
                problems.add(village.row.problem("commune", message % _unit_args(commune)))
            else:
                village.commune = commune

        _check_village_duplicates(villages, problems)
        given = Unit.objects.in_bulk([v.code for v in villages if v.code], field_name="code")
        for village in villages:
            unit = given.get(village.code) if village.code else None
            if unit is not None and unit.level != UnitLevel.VILLAGE:
                message = _("Code %(code)s already belongs to %(name)s, a %(level)s.")
                problems.add(village.row.problem("code", message % _unit_args(unit)))
        if problems:
            return RecordChanges()

        # Rows without a code find their village by name, so a second import matches the first.
        commune_ids = {v.commune.pk for v in villages if v.commune}
        existing_by_name: dict[tuple[int, str], Unit] = {}
        taken_by_commune: dict[str, set[str]] = defaultdict(set)
        changes = RecordChanges()
        for unit in Unit.objects.filter(
            parent_id__in=commune_ids, level=UnitLevel.VILLAGE
        ).select_related("parent"):
            changes.stored += 1
            existing_by_name.setdefault((unit.parent_id, unit.search_name), unit)
            taken_by_commune[unit.parent.code].add(unit.code)
        for village in villages:
            if village.code:
                taken_by_commune[village.commune.code].add(village.code)

        new_codes: list[Unit] = []
        moves: list[tuple[_Village, Unit]] = []
        for village in villages:
            assert village.commune is not None
            unit = given.get(village.code) if village.code else None
            if unit is None and not village.code:
                unit = existing_by_name.get((village.commune.pk, fold(village.name)))
            if unit is None:
                code = village.code
                if not code:
                    taken = taken_by_commune[village.commune.code]
                    code = rules.village_code(
                        village.commune.code, rules.next_village_number(village.commune.code, taken)
                    )
                    taken.add(code)
                unit = Unit(
                    code=code,
                    name=village.name,
                    level=UnitLevel.VILLAGE,
                    kind=village.kind,
                    is_urban=village.kind in URBAN_KINDS,
                    parent=village.commune,
                )
                unit.set_derived_fields()
                changes.create.append(unit)
                if not village.code:
                    new_codes.append(unit)
                continue
            if not village.kind_given and unit.name == village.name:
                # A kind set before (by hand or by a file with a kind column) is not undone by
                # a file that only names the village the same way.
                village.kind = unit.kind
            if unit.parent_id != village.commune.pk:
                # The village file names villages; it does not move them. A village under another
                # commune's code is usually a copy-paste slip, and a real move would leave its
                # households' commune, census entries and assignments behind: refused here, a
                # move goes through `geo.services.unit_move`, which checks what lies below.
                moves.append((village, unit))
                continue
            wanted = (village.name, village.kind, village.commune.pk)
            if (unit.name, unit.kind, unit.parent_id) == wanted:
                changes.unchanged += 1
                continue
            unit.name, unit.kind, unit.parent = village.name, village.kind, village.commune
            unit.is_urban = village.kind in URBAN_KINDS
            unit.set_derived_fields()
            changes.update.append(unit)
        if moves:
            _refuse_moves(moves, problems)
            return RecordChanges()
        _avoid_taken_codes(new_codes, taken_by_commune)
        return changes


VILLAGES = register(VillageSpec())


villages_import = partial(records_import, VILLAGES)


def _unit_args(unit: Unit) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name, "level": rules.level_name(unit.level)}


def _refuse_moves(moves: list[tuple[_Village, Unit]], problems: ProblemList) -> None:
    """Refuse rows listing a stored village under another commune, naming what it holds."""
    stored = Unit.objects.in_bulk({unit.parent_id for _village, unit in moves})
    for village, unit in moves:
        parent = stored.get(unit.parent_id)
        held = unit_paths.rows_below(unit.path, skip=unit)
        households = held.get("households.Household.unit_path", 0)
        assert village.commune is not None
        message = _(
            "Village %(village)s (%(code)s) belongs to commune %(old)s (%(old_code)s), "
            "not to commune %(new)s (%(new_code)s) as this row says; it has "
            "%(households)s households. The village file does not move villages: "
            "correct the commune code, or move the village on its own page."
        )
        old, old_code = (parent.name, parent.code) if parent else ("", "")
        args = {"village": unit.name, "code": unit.code, "old": old, "old_code": old_code}
        args |= {"new": village.commune.name, "new_code": village.commune.code}
        args["households"] = format_number(households)
        problems.add(village.row.problem("commune", message % args))


def _check_village_duplicates(villages: list[_Village], problems: ProblemList) -> None:
    first_by_code: dict[str, Row] = {}
    first_by_name: dict[tuple[str, str], _Village] = {}
    for village in villages:
        if village.code:
            first = first_by_code.setdefault(village.code, village.row)
            if first is not village.row:
                message = _("Village code %(code)s is used twice (also on row %(row)s).")
                args = {"code": village.code, "row": first.number}
                problems.add(village.row.problem("code", message % args))
        if village.commune_code and village.name:
            key = (village.commune_code, fold(village.name))
            other = first_by_name.setdefault(key, village)
            # Two rows may share a name only when both carry their own code; otherwise a
            # second import could not tell which existing village a row means.
            if other is not village and not (other.code and village.code):
                message = _(
                    "Village “%(name)s” appears twice in commune %(code)s (also on row %(row)s)."
                )
                args = {"name": village.name, "code": village.commune_code, "row": other.row.number}
                problems.add(village.row.problem("name", message % args))


def _avoid_taken_codes(new_units: list[Unit], taken_by_commune: dict[str, set[str]]) -> None:
    """Renumber generated codes that some unit elsewhere already holds (a village moved away)."""
    while new_units:
        clashes = set(
            Unit.objects.filter(code__in=[u.code for u in new_units]).values_list("code", flat=True)
        )
        clashing = [unit for unit in new_units if unit.code in clashes]
        for unit in clashing:
            commune_code = unit.parent.code
            taken = taken_by_commune[commune_code]
            taken.add(unit.code)
            unit.code = rules.village_code(
                commune_code, rules.next_village_number(commune_code, taken | clashes)
            )
            taken.add(unit.code)
            unit.set_derived_fields()
        new_units = clashing


# --- Classifications -----------------------------------------------------------------------

C_UNIT = Field(
    "unit",
    "Mã đơn vị",
    ("Mã ĐVHC", "Mã xã, thôn", "Mã", "unit code", "code"),
    type="code",
    required=True,
)
C_SCHEME = Field("scheme", "Loại phân loại", ("Phân loại", "Danh mục", "scheme"))
C_VALUE = Field("value", "Giá trị", ("Khu vực", "Xếp loại", "value"), required=True)
C_START = Field("start", "Từ năm", ("Năm bắt đầu", "from year", "start year", "from"), "int", True)
C_END = Field("end", "Đến năm", ("Năm kết thúc", "to year", "end year", "to"), "int", True)
C_LEGAL = Field("legal_basis", "Căn cứ pháp lý", ("Căn cứ", "Quyết định", "Văn bản", "legal basis"))


@dataclass
class _Classification:
    row: Row
    code: str
    scheme_text: str
    value_text: str
    start: int | None
    end: int | None
    legal_basis: str
    unit: Unit | None = None
    scheme: str = ""
    value: str = ""


class ClassificationSpec(UnitScopedRecordsSpec):
    """Unit classifications: unit code, scheme, value, from year, to year, legal basis.

    A blank scheme is the one of the unit's level (region for a commune, especially difficult
    for a village). The same unit, scheme and period again updates value and legal basis; an
    overlapping different period, in the file or in the database, is refused.
    """

    name = "geo.classifications"
    fields = (C_UNIT, C_SCHEME, C_VALUE, C_START, C_END, C_LEGAL)
    scope_keys = (("unit", "code"),)
    model = UnitClassification
    update_fields = ("value", "legal_basis")

    def check_row(self, row: Row, problems: ProblemList) -> _Classification:
        blank_year = _("Expected a whole number.")
        return _Classification(
            row=row,
            code=C_UNIT.parse(row, problems, blank=_("The code is blank.")) or "",
            scheme_text=C_SCHEME.parse(row, problems) or "",
            value_text=C_VALUE.parse(row, problems) or "",
            start=C_START.parse(row, problems, blank=blank_year),
            end=C_END.parse(row, problems, blank=blank_year),
            legal_basis=" ".join((C_LEGAL.parse(row, problems) or "").split())[:255],
        )

    def changes(self, items: list[_Classification], problems: ProblemList) -> RecordChanges:
        units = units_by_code({item.code for item in items})
        for item in items:
            item.unit = units.get(item.code)
            if item.code and item.unit is None:
                problems.add(item.row.problem("unit", unknown_code(item.code)))
            elif item.unit is not None:
                _check_classification(item, item.unit, problems)
        if problems:
            return RecordChanges()

        changes = RecordChanges()
        existing: dict[tuple[int, str], list[UnitClassification]] = defaultdict(list)
        for classification in UnitClassification.objects.filter(unit__in=[i.unit for i in items]):
            existing[(classification.unit_id, classification.scheme)].append(classification)
            changes.stored += 1
        in_file: dict[tuple[int, str], list[_Classification]] = defaultdict(list)
        for item in items:
            assert item.unit is not None and item.start is not None and item.end is not None
            key = (item.unit.pk, item.scheme)
            period = (item.start, item.end)
            clash = next(
                (
                    other
                    for other in in_file[key]
                    if rules.periods_overlap((other.start, other.end), period)
                ),
                None,
            )
            in_file[key].append(item)
            if clash is not None:
                message = _(
                    "Unit %(code)s is classified twice for overlapping periods (also on row %(row)s)."
                )
                problems.add(
                    item.row.problem(
                        "start", message % {"code": item.code, "row": clash.row.number}
                    )
                )
                continue
            same = None
            for stored in existing[key]:
                if (stored.start_year, stored.end_year) == period:
                    same = stored
                elif rules.periods_overlap((stored.start_year, stored.end_year), period):
                    message = _(
                        "Unit %(code)s is already classified for %(start)s–%(end)s, "
                        "which overlaps %(new_start)s–%(new_end)s."
                    )
                    args = {
                        "code": item.unit.code,
                        "start": stored.start_year,
                        "end": stored.end_year,
                    }
                    args |= {"new_start": item.start, "new_end": item.end}
                    problems.add(item.row.problem("start", message % args))
            changes.add(
                same,
                UnitClassification,
                {"value": item.value, "legal_basis": item.legal_basis},
                unit=item.unit,
                scheme=item.scheme,
                start_year=item.start,
                end_year=item.end,
            )
        return changes

    def written(self, plan: RecordChanges, *, actor: Actor) -> None:
        # As `unit_classify` does one by one: a commune's region groups the indicators.
        regions_changed(classifications=[*plan.create, *plan.update], actor=actor)


CLASSIFICATIONS = register(ClassificationSpec())


classifications_import = partial(records_import, CLASSIFICATIONS)


def _check_classification(item: _Classification, unit: Unit, problems: ProblemList) -> None:
    """Check a row's scheme, value and period against its unit (its level)."""
    row = item.row
    if item.scheme_text:
        item.scheme = rules.scheme_from_text(item.scheme_text) or ""
        if not item.scheme:
            message = _("Unknown classification scheme “%(scheme)s”: use “khu vực” or “thôn ĐBKK”.")
            problems.add(row.problem("scheme", message % {"scheme": item.scheme_text}))
            return
    else:
        item.scheme = next(
            (scheme for scheme, level in rules.SCHEME_LEVEL.items() if level == unit.level), ""
        )
    if message := rules.classification_level_problem(item.scheme, unit.level):
        problems.add(row.problem("unit", message))
        return
    try:
        item.value = rules.classification_value(item.scheme, item.value_text)
    except ValueError as error:
        problems.add(row.problem("value", str(error)))
    if (
        item.start is not None
        and item.end is not None
        and (message := rules.period_problem(item.start, item.end))
    ):
        problems.add(row.problem("end", message))


# --- Successions ---------------------------------------------------------------------------

S_OLD = Field(
    "old",
    "Mã đơn vị cũ",
    ("Mã cũ", "Mã ĐVHC cũ", "old unit code", "old code", "old unit"),
    type="code",
    required=True,
)
S_NEW = Field(
    "new",
    "Mã đơn vị mới",
    ("Mã mới", "Mã ĐVHC mới", "new unit code", "new code", "new unit"),
    type="code",
    required=True,
)
S_DATE = Field(
    "date",
    "Ngày hiệu lực",
    ("Ngày", "Ngày có hiệu lực", "effective date", "date"),
    type="date",
    required=True,
)
S_SHARE = Field("share", "Tỷ lệ", ("Tỉ lệ", "Tỷ lệ chuyển", "share"), type="fraction")
S_NOTE = Field("note", "Ghi chú", ("note",))


@dataclass
class _Succession:
    row: Row
    old_code: str
    new_code: str
    date: dt.date | None
    share: Decimal | None
    note: str
    old: Unit | None = None
    new: Unit | None = None


class SuccessionSpec(UnitScopedRecordsSpec):
    """Successions: old unit code, new unit code, date, share (default 1), note.

    Checked together with the successions already stored: unknown codes, a unit succeeding
    itself, a share outside (0, 1], shares leaving a unit on one date above 1, overlaps (a unit
    succeeded again after it passed wholly to others, or a pair already stored with another
    date) and cycles. An old unit that passes wholly to others gets `valid_to` the day before;
    a new unit without `valid_from` gets the date.
    """

    name = "geo.successions"
    fields = (S_OLD, S_NEW, S_DATE, S_SHARE, S_NOTE)
    scope_keys = (("old", "old_code"), ("new", "new_code"))
    model = Succession
    update_fields = ("share", "note")

    def check_row(self, row: Row, problems: ProblemList) -> _Succession:
        blank = _("The code is blank.")
        old_code = S_OLD.parse(row, problems, blank=blank) or ""
        new_code = S_NEW.parse(row, problems, blank=blank) or ""
        day = S_DATE.parse(row, problems, blank=_("The date is blank."))
        share = Decimal(1) if row.is_blank("share") else S_SHARE.parse(row, problems)
        if share is not None and not 0 < share <= 1:
            message = _("The share must be above 0 and at most 1 (100%%), not %(share)s.")
            problems.add(row.problem("share", message % {"share": cell_text(row.get("share"))}))
            share = None
        elif share is not None and share != share.quantize(Decimal("0.0001")):
            problems.add(row.problem("share", _("The share may have at most 4 decimal places.")))
        note = (S_NOTE.parse(row, problems) or "")[:255]
        return _Succession(row, old_code, new_code, day, share, note)

    def changes(self, items: list[_Succession], problems: ProblemList) -> RecordChanges:
        units = units_by_code({i.old_code for i in items} | {i.new_code for i in items})
        for item in items:
            for key, code in (("old", item.old_code), ("new", item.new_code)):
                if code and code not in units:
                    problems.add(item.row.problem(key, unknown_code(code)))
            item.old, item.new = units.get(item.old_code), units.get(item.new_code)
        complete = [i for i in items if i.old and i.new and i.date and i.share is not None]

        stored = {
            (s.old_unit_id, s.new_unit_id): s
            for s in Succession.objects.select_related("old_unit", "new_unit")
        }
        seen: dict[tuple[int, int], _Succession] = {}
        edges: list[rules.SuccessionEdge] = []
        for index, item in enumerate(complete):
            assert item.old and item.new and item.date and item.share is not None
            pair = (item.old.pk, item.new.pk)
            args = {"old": item.old.code, "new": item.new.code}
            if pair in seen:
                message = _("Succession %(old)s → %(new)s appears twice (also on row %(row)s).")
                problems.add(
                    item.row.problem("new", message % {**args, "row": seen[pair].row.number})
                )
                continue
            seen[pair] = item
            if pair in stored and stored[pair].date != item.date:
                message = _(
                    "Overlapping successions: %(old)s → %(new)s is already recorded on "
                    "%(date)s; correct that record instead of adding another date."
                )
                args["date"] = stored[pair].date.strftime("%d/%m/%Y")
                problems.add(item.row.problem("date", message % args))
                continue
            edges.append(
                rules.SuccessionEdge(item.old.code, item.new.code, item.date, item.share, index)
            )
        edges.extend(
            rules.SuccessionEdge(s.old_unit.code, s.new_unit.code, s.date, s.share)
            for pair, s in stored.items()
            if pair not in seen
        )
        for edge, key, message in rules.succession_problems(edges):
            problems.add(complete[edge.source].row.problem(key, message))
        if problems:
            return RecordChanges()

        changes = RecordChanges(stored=len(stored))
        for item in complete:
            changes.add(
                stored.get((item.old.pk, item.new.pk)),
                Succession,
                {"share": item.share, "note": item.note},
                old_unit=item.old,
                new_unit=item.new,
                date=item.date,
            )
        settled = _validity_updates(complete, edges, problems)
        changes.also.append((Unit, settled, ("valid_from", "valid_to")))
        return changes


SUCCESSIONS = register(SuccessionSpec())


successions_import = partial(records_import, SUCCESSIONS)


def _validity_updates(
    items: list[_Succession], edges: list[rules.SuccessionEdge], problems: ProblemList
) -> list[Unit]:
    """Return the units whose validity dates the successions settle (problems on conflicts)."""
    given: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    for edge in edges:
        given[(edge.old, edge.date)] += Decimal(str(edge.share))
    changed: dict[int, Unit] = {}
    for item in sorted(items, key=lambda i: i.date):
        old, new = item.old, item.new
        if given[(old.code, item.date)] >= 1:
            last_day = item.date - dt.timedelta(days=1)
            if old.valid_to is None:
                old.valid_to = last_day
                changed[old.pk] = old
            elif old.valid_to != last_day:
                message = _(
                    "Unit %(code)s is recorded as valid until %(valid_to)s, but this "
                    "succession ends it on %(last_day)s."
                )
                args = {"code": old.code, "valid_to": old.valid_to.strftime("%d/%m/%Y")}
                args["last_day"] = last_day.strftime("%d/%m/%Y")
                problems.add(item.row.problem("date", message % args))
        if new.valid_from is None:
            new.valid_from = item.date
            changed[new.pk] = new
    return list(changed.values())
