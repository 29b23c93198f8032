"""Criteria sets: validate and load the declarative definitions (TOML files or stored dicts).

The shipped sets are TOML files in `sets/` (no `__init__.py`: this module wins the import).
`criteria_set_from_dict` is the one entry point: a file, a database version or an
administrator's copy all go through it, and every problem is listed at once, naming the set,
the criterion and, for a formula, the character where it goes wrong. No ORM here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.criteria import expressions
from ketnghia.criteria.domain import (
    OPERATORS,
    ROLLUP_CODE,
    ROLLUP_FACT,
    CriteriaSet,
    Criterion,
    Group,
    Kind,
    Level,
    Missing,
    Text,
    Threshold,
)
from ketnghia.criteria.facts import Fact, known_facts

BUILTIN_DIR = Path(__file__).resolve().parent / "sets"
_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_CRITERION_CODE = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
_SET_KEYS = frozenset(
    {
        "code",
        "version",
        "level",
        "name",
        "legal_basis",
        "first_year",
        "last_year",
        "basically_meets",
        "rollup",
        "regions",
        "classes",
        "groups",
        "criteria",
        "example",
        "verified",
        "unverified",
        "note",
    }
)
_CRITERION_KEYS = frozenset(
    {
        "code",
        "group",
        "vi",
        "en",
        "kind",
        "formula",
        "operator",
        "threshold",
        "mandatory",
        "missing",
        "unit",
        "note",
    }
)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.set_code = ""
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, criterion: str = "") -> None:
        prefix = _("Set %(set)s") % {"set": self.set_code or "?"}
        if criterion:
            prefix += ", " + _("criterion %(code)s") % {"code": criterion}
        self.problems.append(
            Problem(f"{prefix}: {message}", Location(file=self.source, field=where))
        )

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(where, _("This field is required."))
            return ""
        if not isinstance(value, str):
            self.add(where, _("This field must be text."))
            return ""
        return value.strip()

    def number(self, value: Any, where: str, criterion: str = "") -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, _("This field must be a number."), criterion)
            return None
        return float(value)

    def year(self, value: Any, where: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            self.add(
                where,
                _("This number must be between %(minimum)s and %(maximum)s.")
                % {"minimum": 1990, "maximum": 2100},
            )
            return None
        return value

    def percent(self, value: Any, where: str) -> float | None:
        share = self.number(value, where)
        if share is not None and not 0 <= share <= 100:
            self.add(
                where,
                _("A share must lie between 0 and 100 %%; it is %(value)s.") % {"value": share},
            )
            return None
        return share

    def text_pair(self, value: Any, where: str) -> Text:
        if not isinstance(value, Mapping):
            self.add(where, _("Give a table with a Vietnamese name (vi) and an English one (en)."))
            return Text("")
        return Text(
            self.text(value, "vi", f"{where}.vi", required=True),
            self.text(value, "en", f"{where}.en", required=False),
        )

    def unknown(
        self, data: Mapping[str, Any], known: frozenset[str], where: str, criterion: str = ""
    ) -> None:
        for key in sorted(set(data) - known):
            self.add(f"{where}.{key}" if where else key, _("Unknown field."), criterion)

    def str_list(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, _("This field must be a list of text values."))
            return ()
        return tuple(value)


def _name_position(formula: str, name: str) -> int:
    match = re.search(rf"(?<![a-z0-9_.]){re.escape(name)}(?![a-z0-9_.])", formula)
    return match.start() + 1 if match else 1


def _threshold(
    value: Any,
    where: str,
    code: str,
    regions: tuple[str, ...],
    classes: tuple[str, ...],
    checker: _Checker,
) -> Threshold | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Threshold(default=float(value))
    if not isinstance(value, Mapping):
        checker.add(
            where, _("Give a number, or a table with default, by_region and by_class."), code
        )
        return None
    checker.unknown(value, frozenset({"default", "by_region", "by_class"}), where, code)
    default = (
        None
        if value.get("default") is None
        else checker.number(value["default"], f"{where}.default", code)
    )
    tables: dict[str, dict[str, float]] = {}
    for key, allowed in (("by_region", regions), ("by_class", classes)):
        table = value.get(key, {})
        if not isinstance(table, Mapping):
            checker.add(f"{where}.{key}", _("This field must be a table."), code)
            table = {}
        parsed = {}
        for name, figure in table.items():
            if name not in allowed:
                checker.add(
                    f"{where}.{key}.{name}",
                    _("“%(name)s” is not among the set's %(what)s (%(allowed)s).")
                    % {
                        "name": name,
                        "what": key.removeprefix("by_"),
                        "allowed": ", ".join(allowed) or "–",
                    },
                    code,
                )
            number = checker.number(figure, f"{where}.{key}.{name}", code)
            if number is not None:
                parsed[str(name)] = number
        tables[key] = parsed
    if default is None:
        for region in regions:
            if region not in tables["by_region"]:
                checker.add(
                    f"{where}.by_region.{region}",
                    _("No threshold for region %(region)s and no default.") % {"region": region},
                    code,
                )
        if not regions and not tables["by_region"]:
            checker.add(f"{where}.default", _("This field is required."), code)
    return Threshold(default=default, by_region=tables["by_region"], by_class=tables["by_class"])


def _criterion(
    item: Mapping[str, Any],
    where: str,
    level: str,
    groups: set[str],
    regions: tuple[str, ...],
    classes: tuple[str, ...],
    facts: Mapping[str, Fact | None],  # None: an assessed criterion's value
    checker: _Checker,
) -> Criterion | None:
    code = checker.text(item, "code", f"{where}.code", required=True)
    if code and not _CRITERION_CODE.fullmatch(code):
        checker.add(f"{where}.code", _("Use lower-case letters, digits and “_”."), code)
    checker.unknown(item, _CRITERION_KEYS, where, code)
    group = checker.text(item, "group", f"{where}.group", required=True)
    if group and group not in groups:
        checker.add(
            f"{where}.group",
            _("Unknown group “%(code)s”; declare it under groups.") % {"code": group},
            code,
        )
    vi = checker.text(item, "vi", f"{where}.vi", required=True)
    en = checker.text(item, "en", f"{where}.en", required=False)
    kind = item.get("kind", Kind.COMPUTED)
    if kind not in Kind.values:
        checker.add(
            f"{where}.kind",
            _("Unknown kind “%(kind)s”; use one of: %(choices)s.")
            % {"kind": kind, "choices": ", ".join(Kind.values)},
            code,
        )
    missing = item.get("missing", Missing.NEVER_SKIP)
    if missing not in Missing.values:
        checker.add(
            f"{where}.missing",
            _("Unknown missing-value strategy “%(value)s”; use one of: %(choices)s.")
            % {"value": missing, "choices": ", ".join(Missing.values)},
            code,
        )
    mandatory = item.get("mandatory", False)
    if not isinstance(mandatory, bool):
        checker.add(f"{where}.mandatory", _("This field must be true or false."), code)
    formula = checker.text(item, "formula", f"{where}.formula", required=kind == Kind.COMPUTED)
    if kind == Kind.ASSESSED and formula:
        checker.add(
            f"{where}.formula",
            _("An assessed criterion has no formula: a person records it."),
            code,
        )
    if formula:
        try:
            tree = expressions.parse(formula)
        except expressions.ParseError as error:
            checker.add(
                f"{where}.formula",
                _(
                    "The formula “%(formula)s” does not parse at position %(position)s (near “%(found)s”)."
                )
                % {"formula": formula, "position": error.position, "found": error.found},
                code,
            )
            tree = None
        if tree is not None:
            for name in sorted(expressions.names(tree)):
                if name not in facts:
                    checker.add(
                        f"{where}.formula",
                        _(
                            "The formula “%(formula)s” names an unknown fact “%(name)s” at position %(position)s."
                        )
                        % {
                            "formula": formula,
                            "name": name,
                            "position": _name_position(formula, name),
                        },
                        code,
                    )
    operator = checker.text(item, "operator", f"{where}.operator", required=False)
    threshold = None
    if operator and operator not in OPERATORS:
        checker.add(
            f"{where}.operator",
            _("Unknown operator “%(op)s”; use one of: %(choices)s.")
            % {"op": operator, "choices": " ".join(OPERATORS)},
            code,
        )
    if operator and "threshold" not in item:
        checker.add(
            f"{where}.threshold", _("A criterion with an operator needs a threshold."), code
        )
    elif "threshold" in item:
        if not operator:
            checker.add(
                f"{where}.operator", _("A criterion with a threshold needs an operator."), code
            )
        threshold = _threshold(
            item["threshold"], f"{where}.threshold", code, regions, classes, checker
        )
    elif formula and kind == Kind.COMPUTED:
        try:
            if not expressions.is_boolean(expressions.parse(formula)):
                checker.add(
                    f"{where}.operator",
                    _(
                        "The formula gives a number: add an operator and a threshold, or write a comparison."
                    ),
                    code,
                )
        except expressions.ParseError:
            pass
    return Criterion(
        code=code,
        group=group,
        text=Text(vi, en),
        kind=str(kind),
        mandatory=bool(mandatory),
        missing=str(missing),
        formula=formula,
        operator=operator,
        threshold=threshold,
        unit=checker.text(item, "unit", f"{where}.unit", required=False),
        note=checker.text(item, "note", f"{where}.note", required=False),
    )


def criteria_set_from_dict(
    data: Mapping[str, Any], *, source: str = "", facts: Mapping[str, Fact] | None = None
) -> CriteriaSet:
    """Return the set `data` defines, or raise InvalidInput listing every problem."""
    checker = _Checker(source)
    if not isinstance(data, Mapping):
        raise InvalidInput(
            Problem(_("A criteria set must be a table of fields."), Location(file=source))
        )
    checker.set_code = str(data.get("code") or "")
    checker.unknown(data, _SET_KEYS, "")
    code = checker.text(data, "code", "code", required=True)
    if code and not _CODE.fullmatch(code):
        checker.add("code", _("Use lower-case letters, digits, “-”, “_” or “.” (at most 40)."))
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        checker.add("version", _("The version must be a whole number, 1 or more."))
        version = 1
    level = data.get("level")
    if level not in Level.values:
        checker.add(
            "level",
            _("Unknown level “%(level)s”; use one of: %(choices)s.")
            % {"level": level, "choices": ", ".join(Level.values)},
        )
        level = Level.VILLAGE
    name = checker.text_pair(data.get("name"), "name")
    legal_basis = checker.text_pair(data.get("legal_basis"), "legal_basis")
    first_year = checker.year(data.get("first_year"), "first_year")
    last_year = checker.year(data.get("last_year"), "last_year")
    if first_year and last_year and last_year < first_year:
        checker.add("last_year", _("The last year comes before the first year."))
    basic = data.get("basically_meets")
    share = None
    if not isinstance(basic, Mapping) or "min_share_percent" not in basic:
        checker.add("basically_meets.min_share_percent", _("This field is required."))
    else:
        checker.unknown(basic, frozenset({"min_share_percent"}), "basically_meets")
        share = checker.percent(basic["min_share_percent"], "basically_meets.min_share_percent")
    regions = checker.str_list(data.get("regions"), "regions")
    classes = checker.str_list(data.get("classes"), "classes")
    flags = {}
    for key, default in (("example", False), ("verified", True)):
        flags[key] = data.get(key, default)
        if not isinstance(flags[key], bool):
            checker.add(key, _("This field must be true or false."))
            flags[key] = default

    groups: list[Group] = []
    raw_groups = data.get("groups") or []
    if not isinstance(raw_groups, list):
        checker.add("groups", _("This field must be a list of tables."))
        raw_groups = []
    for index, item in enumerate(raw_groups):
        where = f"groups[{index + 1}]"
        if not isinstance(item, Mapping):
            checker.add(where, _("This field must be a table."))
            continue
        checker.unknown(item, frozenset({"code", "vi", "en"}), where)
        gcode = checker.text(item, "code", f"{where}.code", required=True)
        if gcode in {g.code for g in groups}:
            checker.add(f"{where}.code", _("Duplicate code “%(code)s”.") % {"code": gcode})
        groups.append(Group(gcode, checker.text_pair(item, where)))

    rollup = data.get("rollup")
    village_set, village_share = "", None
    available = dict(known_facts(str(level)) if facts is None else facts)
    if rollup is not None:
        if level != Level.COMMUNE or not isinstance(rollup, Mapping):
            checker.add("rollup", _("Only a commune set rolls up a village set."))
        else:
            checker.unknown(rollup, frozenset({"village_set", "min_share_percent"}), "rollup")
            village_set = checker.text(rollup, "village_set", "rollup.village_set", required=True)
            village_share = checker.percent(
                rollup.get("min_share_percent"), "rollup.min_share_percent"
            )

    criteria: list[Criterion] = []
    if village_set and village_share is not None:
        criteria.append(
            Criterion(
                code=ROLLUP_CODE,
                group=groups[0].code if groups else "",
                text=Text(
                    "Tỷ lệ thôn đạt hoặc cơ bản đạt bộ tiêu chí thôn",
                    "Share of villages meeting or basically meeting the village set",
                ),
                kind=Kind.COMPUTED,
                mandatory=True,
                missing=Missing.NEVER_SKIP,
                formula=ROLLUP_FACT,
                operator=">=",
                threshold=Threshold(default=village_share),
                unit="%",
            )
        )
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        checker.add("criteria", _("A set needs at least one criterion."))
        raw = []
    group_codes = {g.code for g in groups}
    for index, item in enumerate(raw):
        where = f"criteria[{index + 1}]"
        if not isinstance(item, Mapping):
            checker.add(where, _("This field must be a table."))
            continue
        assessed = (
            {f"assessed.{item.get('code')}": None} if item.get("kind") == Kind.ASSESSED else {}
        )
        criterion = _criterion(
            item,
            where,
            str(level),
            group_codes,
            regions,
            classes,
            {**available, **assessed},
            checker,
        )
        if criterion is None:
            continue
        if criterion.code in {c.code for c in criteria}:
            checker.add(
                f"{where}.code",
                _("Duplicate code “%(code)s”.") % {"code": criterion.code},
                criterion.code,
            )
        criteria.append(criterion)
    if checker.problems:
        raise InvalidInput(checker.problems)
    assert first_year is not None and last_year is not None and share is not None
    return CriteriaSet(
        code=code,
        version=int(version),
        level=str(level),
        name=name,
        legal_basis=legal_basis,
        first_year=first_year,
        last_year=last_year,
        groups=tuple(groups),
        criteria=tuple(criteria),
        basic_share_percent=share,
        regions=regions,
        classes=classes,
        village_set=village_set,
        village_share_percent=village_share,
        example=flags["example"],
        verified=flags["verified"],
        unverified=checker.str_list(data.get("unverified"), "unverified"),
        note=checker.text(data, "note", "note", required=False),
        source=source,
    )


def load_set_file(path: Path, *, facts: Mapping[str, Fact] | None = None) -> CriteriaSet:
    """Return the set a TOML file defines, or InvalidInput naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            Problem(
                _("The file cannot be read: %(error)s") % {"error": error}, Location(file=path.name)
            )
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(
            Problem(
                _("The file is not valid TOML: %(error)s") % {"error": error},
                Location(file=path.name),
            )
        ) from None
    return criteria_set_from_dict(data, source=path.name, facts=facts)


def check_registry(sets: Mapping[str, CriteriaSet]) -> None:
    """Refuse duplicate versions and a commune set that rolls up a village set not there."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str, int], str] = {}
    for criteria_set in sets.values():
        key = (criteria_set.code, criteria_set.level, criteria_set.version)
        if key in seen:
            problems.append(
                Problem(
                    _("Set %(set)s: version %(version)s is defined twice.")
                    % {"set": criteria_set.code, "version": criteria_set.version},
                    Location(file=criteria_set.source, field="version"),
                )
            )
        seen[key] = criteria_set.source
        if criteria_set.village_set and not any(
            s.code == criteria_set.village_set and s.level == Level.VILLAGE for s in sets.values()
        ):
            problems.append(
                Problem(
                    _("Set %(set)s: no village set “%(code)s” to roll up.")
                    % {"set": criteria_set.code, "code": criteria_set.village_set},
                    Location(file=criteria_set.source, field="rollup.village_set"),
                )
            )
    if problems:
        raise InvalidInput(problems)


def load_sets_dir(directory: Path) -> dict[str, CriteriaSet]:
    """Return every set of the TOML files in `directory` by key, listing every problem."""
    loaded: dict[str, CriteriaSet] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            criteria_set = load_set_file(path)
        except InvalidInput as error:
            problems.extend(error.problems)
            continue
        loaded[criteria_set.key] = criteria_set
    if problems:
        raise InvalidInput(problems)
    check_registry(loaded)
    return loaded


@cache
def builtin_sets() -> dict[str, CriteriaSet]:
    """Return the sets shipped with ketnghia, by key (code/level/version)."""
    return load_sets_dir(BUILTIN_DIR)


def set_for(
    sets: Mapping[str, CriteriaSet], *, code: str, level: str, year: int | None = None
) -> CriteriaSet:
    """Return the latest version of set `code` at `level` (valid in `year` if given)."""
    found = [
        s
        for s in sets.values()
        if s.code == code and s.level == level and (year is None or s.covers(year))
    ]
    if not found:
        raise NotFound(
            Problem(
                _("No criteria set “%(code)s” at level %(level)s for %(year)s.")
                % {"code": code, "level": level, "year": year or "–"},
                Location(field="set"),
            )
        )
    return max(found, key=lambda s: s.version)
