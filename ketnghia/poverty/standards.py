"""Poverty standards: validate and load the declarative definitions; no ORM, no rules.

A standard is plain data (thresholds, indicators, rule kind, legal basis). The national ones
ship as TOML files in the `standards/` directory next to this module; a local standard is
another file or, later, a database row holding the same dict, both going through
`standard_from_dict`. How a household is classified under a standard lives in `rules.py`.

The directory `standards/` has no `__init__.py`, so `import ketnghia.poverty.standards` still
finds this module: a regular module wins over a namespace directory of the same name.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.poverty.domain import (
    DEFAULT_INCOME_CEILING,
    THRESHOLD_KEYS,
    Area,
    BilingualText,
    Dimension,
    Indicator,
    RuleKind,
    Standard,
    Thresholds,
)

BUILTIN_DIR = Path(__file__).resolve().parent / "standards"

# Columns of the classify CSV; an indicator code may not take one of these names.
RESERVED_COLUMNS = frozenset(
    {"household_code", "area", "monthly_income_per_person", "status", "deprivation_count", "rule"}
)

_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_INDICATOR_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
# What a standard with `base` takes from its base when it does not say otherwise. Identity,
# dates and legal basis are never inherited: a local standard must state its own.
_INHERITED_KEYS = (
    "rule",
    "deprivation_threshold",
    "income_ceiling",
    "thresholds",
    "dimensions",
    "indicators",
)
_KNOWN_KEYS = frozenset(
    {
        "code",
        "base",
        "name",
        "legal_basis",
        "first_year",
        "last_year",
        "verified",
        "unverified",
        "note",
        *_INHERITED_KEYS,
    }
)


class _Checker:
    """Collect every problem of one definition, so an administrator sees them all at once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(message, Location(file=self.source, field=where)))

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

    def whole_number(
        self, value: Any, where: str, *, minimum: int, maximum: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, _("This field must be a whole number."))
            return None
        if value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("This number must be at least %(minimum)s.") % {"minimum": minimum}
            else:
                message = _("This number must be between %(minimum)s and %(maximum)s.") % {
                    "minimum": minimum,
                    "maximum": maximum,
                }
            self.add(where, message)
            return None
        return value

    def bilingual(self, value: Any, where: str) -> BilingualText:
        if not isinstance(value, Mapping):
            self.add(where, _("Give a table with a Vietnamese name (vi) and an English one (en)."))
            return BilingualText("")
        self._unknown_keys(value, {"vi", "en"}, where)
        vi = self.text(value, "vi", f"{where}.vi", required=True)
        en = self.text(value, "en", f"{where}.en", required=False)
        return BilingualText(vi, en)

    def table_list(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            self.add(where, _("This field must be a list of tables."))
            return []
        return value

    def _unknown_keys(self, data: Mapping[str, Any], known: Iterable[str], where: str) -> None:
        for key in sorted(set(data) - set(known)):
            self.add(f"{where}.{key}" if where else str(key), _("Unknown field."))


def _merge_base(
    data: Mapping[str, Any], bases: Mapping[str, Standard] | None, checker: _Checker
) -> Mapping[str, Any]:
    """Return `data` with the inheritable fields its `base` standard has and it lacks."""
    base_code = data.get("base")
    # A complete definition (what `Standard.as_dict` writes) keeps `base` as provenance only,
    # so it reads back even where the base standard is not at hand.
    if base_code is None or all(key in data for key in _INHERITED_KEYS):
        return data
    registry = builtin_standards() if bases is None else bases
    base = registry.get(base_code) if isinstance(base_code, str) else None
    if base is None:
        checker.add("base", _("Unknown base standard “%(code)s”.") % {"code": base_code})
        return data
    inherited = base.as_dict()
    # Whole top-level fields are replaced, never merged key by key: a local standard that
    # redefines `thresholds` states all of its lines, so no band of the base leaks into it.
    merged = {key: inherited[key] for key in _INHERITED_KEYS if key in inherited}
    merged.update(data)
    return merged


def _thresholds(
    value: Any, where: str, rule: str, ceiling: int, checker: _Checker
) -> Thresholds | None:
    if not isinstance(value, Mapping):
        checker.add(where, _("Give the income lines of this area as a table."))
        return None
    checker._unknown_keys(value, THRESHOLD_KEYS, where)
    lines: dict[str, int | None] = {}
    for key in THRESHOLD_KEYS:
        raw = value.get(key)
        lines[key] = (
            None
            if raw is None
            else checker.whole_number(raw, f"{where}.{key}", minimum=1, maximum=ceiling)
        )
    poor, near_poor, average = lines["poor"], lines["near_poor"], lines["average"]
    if "poor" not in value:
        checker.add(f"{where}.poor", _("This field is required."))
    if poor is None:
        return None
    if rule == RuleKind.INCOME_AND_DEPRIVATION_2022:
        # The near-poor band of this shape is the poor band with fewer deprivations, so its
        # upper line is the poor line; files may state it for readers or leave it out.
        if "near_poor" not in value:
            near_poor = poor
        elif near_poor is not None and near_poor != poor:
            checker.add(
                f"{where}.near_poor",
                _("In this rule the near-poor line must equal the poor line."),
            )
    elif rule == RuleKind.INCOME_OR_DEPRIVATION_2016 and "near_poor" not in value:
        checker.add(f"{where}.near_poor", _("This rule needs a near-poor line."))
    elif near_poor is not None and near_poor <= poor:
        checker.add(f"{where}.near_poor", _("The near-poor line must be above the poor line."))
    if average is not None and average <= max(poor, near_poor or poor):
        checker.add(
            f"{where}.average",
            _("The average-standard line must be above the poor and near-poor lines."),
        )
    return Thresholds(poor=poor, near_poor=near_poor, average=average)


def _indicators(
    data: Mapping[str, Any], checker: _Checker
) -> tuple[tuple[Dimension, ...], tuple[Indicator, ...]]:
    dimensions: list[Dimension] = []
    for index, item in enumerate(checker.table_list(data.get("dimensions"), "dimensions")):
        where = f"dimensions[{index + 1}]"
        checker._unknown_keys(item, {"code", "vi", "en"}, where)
        code = checker.text(item, "code", f"{where}.code", required=True)
        if code and not _INDICATOR_CODE.fullmatch(code):
            checker.add(f"{where}.code", _("Use lower-case letters, digits and “_”."))
        if code in {d.code for d in dimensions}:
            checker.add(f"{where}.code", _("Duplicate code “%(code)s”.") % {"code": code})
        dimensions.append(Dimension(code, checker.bilingual(_pick(item, "vi", "en"), where)))
    dimension_codes = {d.code for d in dimensions}

    indicators: list[Indicator] = []
    for index, item in enumerate(checker.table_list(data.get("indicators"), "indicators")):
        where = f"indicators[{index + 1}]"
        checker._unknown_keys(item, {"code", "dimension", "vi", "en"}, where)
        code = checker.text(item, "code", f"{where}.code", required=True)
        if code and not _INDICATOR_CODE.fullmatch(code):
            checker.add(f"{where}.code", _("Use lower-case letters, digits and “_”."))
        elif code in RESERVED_COLUMNS:
            checker.add(
                f"{where}.code",
                _("“%(code)s” is a column of the household file; choose another code.")
                % {"code": code},
            )
        if code in {i.code for i in indicators}:
            checker.add(f"{where}.code", _("Duplicate code “%(code)s”.") % {"code": code})
        dimension = checker.text(item, "dimension", f"{where}.dimension", required=True)
        if dimension and dimension not in dimension_codes:
            checker.add(
                f"{where}.dimension",
                _("Unknown dimension “%(code)s”; declare it under dimensions.")
                % {"code": dimension},
            )
        indicators.append(
            Indicator(code, dimension, checker.bilingual(_pick(item, "vi", "en"), where))
        )
    return tuple(dimensions), tuple(indicators)


def _pick(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data[key] for key in keys if key in data}


def standard_from_dict(
    data: Mapping[str, Any],
    *,
    source: str = "",
    bases: Mapping[str, Standard] | None = None,
) -> Standard:
    """Return the standard `data` defines, or raise InvalidInput listing every problem.

    `data` is what a TOML file holds or what the database will store. With `base`, the rule,
    ceiling, thresholds, dimensions and indicators it does not give come from that standard,
    looked up in `bases` (the built-in standards by default).
    """
    checker = _Checker(source)
    if not isinstance(data, Mapping):
        raise InvalidInput(
            Problem(_("A standard must be a table of fields."), Location(file=source))
        )
    checker._unknown_keys(data, _KNOWN_KEYS, "")
    data = _merge_base(data, bases, checker)

    code = checker.text(data, "code", "code", required=True)
    if code and not _CODE.fullmatch(code):
        checker.add("code", _("Use lower-case letters, digits, “-”, “_” or “.” (at most 40)."))
    name = checker.bilingual(data.get("name"), "name")
    legal_basis = checker.bilingual(data.get("legal_basis"), "legal_basis")
    first_year = checker.whole_number(
        data.get("first_year"), "first_year", minimum=1990, maximum=2100
    )
    last_year = checker.whole_number(data.get("last_year"), "last_year", minimum=1990, maximum=2100)
    if first_year is not None and last_year is not None and last_year < first_year:
        checker.add("last_year", _("The last year comes before the first year."))

    verified = data.get("verified", True)
    if not isinstance(verified, bool):
        checker.add("verified", _("This field must be true or false."))
        verified = False
    unverified = data.get("unverified", [])
    if not isinstance(unverified, list) or not all(isinstance(u, str) for u in unverified):
        checker.add("unverified", _("This field must be a list of field names."))
        unverified = []
    note = checker.text(data, "note", "note", required=False)

    rule = data.get("rule")
    if rule not in RuleKind.values:
        checker.add(
            "rule",
            _("Unknown rule “%(rule)s”; use one of: %(choices)s.")
            % {"rule": rule, "choices": ", ".join(RuleKind.values)},
        )
        rule = None
    ceiling = data.get("income_ceiling", DEFAULT_INCOME_CEILING)
    ceiling = checker.whole_number(ceiling, "income_ceiling", minimum=1) or DEFAULT_INCOME_CEILING

    dimensions, indicators = _indicators(data, checker)
    deprivation_threshold = data.get("deprivation_threshold")
    if rule == RuleKind.INCOME_ONLY:
        if indicators:
            checker.add("indicators", _("An income-only standard has no indicators."))
        if deprivation_threshold is not None:
            checker.add(
                "deprivation_threshold", _("An income-only standard has no deprivation threshold.")
            )
    elif rule is not None:
        if not indicators:
            checker.add("indicators", _("This rule needs at least one indicator."))
        if deprivation_threshold is None:
            checker.add("deprivation_threshold", _("This field is required."))
        else:
            deprivation_threshold = checker.whole_number(
                deprivation_threshold,
                "deprivation_threshold",
                minimum=1,
                maximum=max(len(indicators), 1),
            )

    thresholds = data.get("thresholds")
    rural = urban = None
    if not isinstance(thresholds, Mapping):
        checker.add(
            "thresholds",
            _("Give the income lines as tables thresholds.rural and thresholds.urban."),
        )
    elif rule is not None:
        checker._unknown_keys(thresholds, Area.values, "thresholds")
        for area in Area.values:
            if area not in thresholds:
                checker.add(f"thresholds.{area}", _("This field is required."))
        rural = (
            _thresholds(thresholds.get("rural"), "thresholds.rural", rule, ceiling, checker)
            if "rural" in thresholds
            else None
        )
        urban = (
            _thresholds(thresholds.get("urban"), "thresholds.urban", rule, ceiling, checker)
            if "urban" in thresholds
            else None
        )

    if checker.problems:
        raise InvalidInput(checker.problems)
    assert rural is not None and urban is not None and first_year is not None
    assert last_year is not None and rule is not None
    return Standard(
        code=code,
        name=name,
        legal_basis=legal_basis,
        first_year=first_year,
        last_year=last_year,
        rule=RuleKind(rule),
        rural=rural,
        urban=urban,
        deprivation_threshold=deprivation_threshold,
        dimensions=dimensions,
        indicators=indicators,
        income_ceiling=ceiling,
        verified=verified,
        unverified=tuple(unverified),
        note=note,
        base=data.get("base"),
        source=source,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise InvalidInput(
            Problem(
                _("Cannot read the file: %(reason)s") % {"reason": exc.strerror},
                Location(file=path.name),
            )
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            Problem(
                _("Not a valid TOML file: %(reason)s") % {"reason": exc}, Location(file=path.name)
            )
        ) from exc


def load_standard_file(path: Path, *, bases: Mapping[str, Standard] | None = None) -> Standard:
    """Return the standard a TOML file defines (a local standard, typically)."""
    return standard_from_dict(_read_toml(Path(path)), source=Path(path).name, bases=bases)


def load_standards_dir(
    directory: Path, *, bases: Mapping[str, Standard] | None = None
) -> dict[str, Standard]:
    """Return the standards of every `*.toml` in `directory` by code, oldest first.

    A file may name as `base` another file of the directory or one of `bases` (the built-in
    standards by default).
    """
    outside = builtin_standards() if bases is None else bases
    pending = {path.name: _read_toml(path) for path in sorted(Path(directory).glob("*.toml"))}
    loaded: dict[str, Standard] = {}
    problems: list[Problem] = []
    # Resolve in rounds so a file may name as base any other file of the directory.
    while pending:
        ready = [
            name
            for name, data in pending.items()
            if data.get("base") is None or str(data.get("base")) in {**outside, **loaded}
        ]
        if not ready:
            for name, data in pending.items():
                problems.append(
                    Problem(
                        _("Unknown base standard “%(code)s”.") % {"code": data.get("base")},
                        Location(file=name, field="base"),
                    )
                )
            break
        for name in ready:
            try:
                standard = standard_from_dict(
                    pending.pop(name), source=name, bases={**outside, **loaded}
                )
            except InvalidInput as exc:
                problems.extend(exc.problems)
                continue
            if standard.code in loaded:
                problems.append(
                    Problem(
                        _("Duplicate code “%(code)s”.") % {"code": standard.code},
                        Location(file=name, field="code"),
                    )
                )
            loaded[standard.code] = standard
    if problems:
        raise InvalidInput(problems)
    return dict(sorted(loaded.items(), key=lambda item: (item[1].first_year, item[0])))


@cache
def builtin_standards() -> dict[str, Standard]:
    """Return the national standards shipped with ketnghia, oldest first, by code."""
    standards = load_standards_dir(BUILTIN_DIR, bases={})
    # National periods must not overlap, or the default for a year would be ambiguous.
    ordered = list(standards.values())
    for earlier, later in pairwise(ordered):
        if later.first_year <= earlier.last_year:
            raise InvalidInput(
                Problem(
                    _("Its years overlap those of %(code)s.") % {"code": earlier.code},
                    Location(file=later.source, field="first_year"),
                )
            )
    return standards


def get_standard(code: str, standards: Mapping[str, Standard] | None = None) -> Standard:
    """Return the standard with `code` among `standards` (the built-in ones by default)."""
    registry = builtin_standards() if standards is None else standards
    try:
        return registry[code]
    except KeyError:
        raise NotFound(
            Problem(
                _("Unknown poverty standard “%(code)s”; known: %(known)s.")
                % {"code": code, "known": ", ".join(registry)},
                Location(field="standard"),
            )
        ) from None


def standard_for_year(year: int, standards: Mapping[str, Standard] | None = None) -> Standard:
    """Return the standard in force for a census of `year` (the national one by default)."""
    registry = builtin_standards() if standards is None else standards
    matches = [standard for standard in registry.values() if standard.covers(year)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        message = _("No poverty standard covers the year %(year)s.") % {"year": year}
    else:
        message = _("Several poverty standards cover the year %(year)s: %(codes)s.") % {
            "year": year,
            "codes": ", ".join(s.code for s in matches),
        }
    raise InvalidInput(Problem(message, Location(field="year")))
